/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Password checks off the event loop: bcrypt takes tens of milliseconds by
 * design, so one thread runs it while the connection that asked waits
 * suspended, and the event loop goes on serving scrapes.
 */
#ifndef SIP6XX_WEB_AUTH_WORKER_H
#define SIP6XX_WEB_AUTH_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#define AUTH_WORKER_QUEUE 8 /* checks waiting at most; the login budget keeps it short */

struct MHD_Connection;
struct web_config;

struct auth_job {
	struct auth_job *next;
	struct MHD_Connection *conn; /* suspended until the check is done */
	char *user, *pass;
	/*
	 * Written by the worker, read by the event loop with no lock of ours
	 * between them (only libmicrohttpd's, inside its resume): done is
	 * stored with release after ok, and loaded with acquire before ok.
	 */
	atomic_bool done;
	bool ok;
};

struct auth_worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* lock guards the queue and stopping, which both threads use. */
	struct auth_job *head, *tail;
	unsigned int queued;
	bool stopping;
	bool started, start_failed; /* the event loop's alone */
	struct web_config *web;
};

/* No thread yet: it starts with the first check. */
void auth_worker_init(struct auth_worker *w, struct web_config *web);
/* A job for @user and @pass (copied) on @conn; NULL when memory is short. */
struct auth_job *auth_job_new(struct MHD_Connection *conn, const char *user, const char *pass);
void auth_job_free(struct auth_job *job);
/* True when no job can be queued now (only the event loop queues); starts the thread. */
bool auth_worker_full(struct auth_worker *w);
/*
 * Queues @job; suspend its connection first: the worker resumes it, with
 * job->done set, maybe before this returns.
 */
void auth_worker_submit(struct auth_worker *w, struct auth_job *job);
/* Ends the thread; queued jobs are resumed unchecked (ok false). */
void auth_worker_stop(struct auth_worker *w);

#endif
