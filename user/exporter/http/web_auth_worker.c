// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>

#include "log.h"
#include "web_auth_worker.h"
#include "web_config.h"

static void *run(void *arg)
{
	struct auth_worker *w = arg;
	struct auth_job *job;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stopping)
			break;
		job = w->head;
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		w->queued--;
		pthread_mutex_unlock(&w->lock);
		/* Only this thread runs bcrypt, so wc->crypt needs no lock. */
		job->ok = web_config_verify_password(w->web, job->user, job->pass);
		atomic_store_explicit(&job->done, true, memory_order_release);
		/* libmicrohttpd's resume is thread-safe and wakes the event loop. */
		MHD_resume_connection(job->conn);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

void auth_worker_init(struct auth_worker *w, struct web_config *web)
{
	memset(w, 0, sizeof(*w));
	w->web = web;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
}

/*
 * Started at the first check, not with the server: the exporter drops its
 * privileges after binding, and that needs it to be single-threaded.
 */
static int start(struct auth_worker *w)
{
	int err;

	if (w->started)
		return 0;
	err = pthread_create(&w->thread, NULL, run, w);
	if (err)
		return -err;
	w->started = true;
	return 0;
}

void auth_job_free(struct auth_job *job)
{
	if (!job)
		return;
	if (job->pass) {
		explicit_bzero(job->pass, strlen(job->pass));
		free(job->pass);
	}
	free(job->user);
	free(job);
}

struct auth_job *auth_job_new(struct MHD_Connection *conn, const char *user, const char *pass)
{
	struct auth_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->conn = conn;
	atomic_init(&job->done, false);
	job->user = strdup(user);
	job->pass = strdup(pass);
	if (!job->user || !job->pass) {
		auth_job_free(job);
		return NULL;
	}
	return job;
}

bool auth_worker_full(struct auth_worker *w)
{
	bool full;
	int err = start(w);

	if (err) {
		if (!w->start_failed)
			pr_err("http: cannot start the password-check thread: %s; answering 429 "
			       "to logins whose password is not cached\n",
			       strerror(-err));
		w->start_failed = true;
		return true;
	}
	pthread_mutex_lock(&w->lock);
	full = !w->started || w->stopping || w->queued >= AUTH_WORKER_QUEUE;
	pthread_mutex_unlock(&w->lock);
	return full;
}

void auth_worker_submit(struct auth_worker *w, struct auth_job *job)
{
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->queued++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void auth_worker_stop(struct auth_worker *w)
{
	struct auth_job *job;

	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	/* libmicrohttpd refuses to stop with a connection still suspended. */
	for (job = w->head; job; job = job->next) {
		atomic_store_explicit(&job->done, true, memory_order_release);
		MHD_resume_connection(job->conn);
	}
	w->head = w->tail = NULL;
	w->started = false;
}
