// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The password-check thread (web_auth_worker.c) with the real bcrypt check
 * and a stand-in for libmicrohttpd's resume. The stand-in takes no lock, so
 * the test reads each job's answer the way nothing but the job's own flag
 * orders it: that flag must publish the answer (ThreadSanitizer sees a race
 * here when it is a plain bool).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "exporter/http/web_auth_worker.h"
#include "exporter/http/web_config.h"

/* As in test_web_config.c: htpasswd -nbBC 4 alice 'pa:ss w0rd'. */
#define ALICE_PASS "pa:ss w0rd"
#define ALICE_HASH "$2y$04$FHlYdGmzsmJK5YwFuza01eAvzXNyXYjaZe/mB7ftxDumCIjg4mpxa"
#define NR_JOBS	   AUTH_WORKER_QUEUE
#define WAIT_MS	   10000 /* bcrypt at cost 4 takes about a millisecond */

static char dir[] = "/tmp/sip6xx-authworker.XXXXXX";
static char path[sizeof(dir) + 32];
static struct web_config *web;
static atomic_int resumed;

/* Stands in for libmicrohttpd's (the executable's symbol comes first). */
void MHD_resume_connection(struct MHD_Connection *conn)
{
	(void)conn;
	atomic_fetch_add_explicit(&resumed, 1, memory_order_relaxed);
}

static int setup(void **state)
{
	char err[512];
	FILE *f;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("basic_auth_users:\n  alice: '" ALICE_HASH "'\n", f);
	fclose(f);
	web = web_config_load(path, err, sizeof(err));
	if (!web)
		fprintf(stderr, "%s\n", err);
	return web ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	web_config_free(web);
	unlink(path);
	return rmdir(dir);
}

/* Polls @job's flag, as the event loop would look at it once resumed. */
static bool wait_done(struct auth_job *job)
{
	struct timespec tick = { 0, 1000000 };
	int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		if (job->done)
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

/* A full queue of right and wrong passwords: each comes back with its own answer. */
static void test_answers_reach_the_event_loop(void **state)
{
	struct auth_job *jobs[NR_JOBS];
	struct auth_worker w;
	int i;

	(void)state;
	atomic_store(&resumed, 0);
	auth_worker_init(&w, web);
	assert_false(auth_worker_full(&w)); /* starts the thread */
	for (i = 0; i < NR_JOBS; i++) {
		jobs[i] = auth_job_new(NULL, "alice", i % 2 ? "wrong" : ALICE_PASS);
		assert_non_null(jobs[i]);
		auth_worker_submit(&w, jobs[i]);
	}
	for (i = 0; i < NR_JOBS; i++) {
		assert_true(wait_done(jobs[i]));
		if (jobs[i]->ok != !(i % 2))
			fail_msg("job %d: the password check answered %d", i, jobs[i]->ok);
	}
	auth_worker_stop(&w);
	assert_int_equal(atomic_load(&resumed), NR_JOBS);
	for (i = 0; i < NR_JOBS; i++)
		auth_job_free(jobs[i]);
}

/* Stopped at once: every job is resumed, checked or not, and none is left suspended. */
static void test_stop_resumes_every_job(void **state)
{
	struct auth_job *jobs[NR_JOBS];
	struct auth_worker w;
	int i;

	(void)state;
	atomic_store(&resumed, 0);
	auth_worker_init(&w, web);
	assert_false(auth_worker_full(&w));
	for (i = 0; i < NR_JOBS; i++) {
		jobs[i] = auth_job_new(NULL, "alice", ALICE_PASS);
		assert_non_null(jobs[i]);
		auth_worker_submit(&w, jobs[i]);
	}
	auth_worker_stop(&w);
	assert_int_equal(atomic_load(&resumed), NR_JOBS);
	for (i = 0; i < NR_JOBS; i++) {
		assert_true(jobs[i]->done);
		auth_job_free(jobs[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_reach_the_event_loop),
		cmocka_unit_test(test_stop_resumes_every_job),
	};

	return cmocka_run_group_tests_name("web auth worker", tests, setup, teardown);
}
