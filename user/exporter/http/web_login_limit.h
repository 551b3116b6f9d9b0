/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A budget for failed logins. Every password check that misses the cache
 * costs a bcrypt run (tens of milliseconds of CPU, on the password-check
 * thread), so wrong passwords are allowed a few a second per client and a
 * few more in all; beyond that a client gets 429 without a check. The
 * budget bounds the CPU a flood takes and the checks waiting in the queue.
 * A small share stays for clients that have not failed lately.
 */
#ifndef SIP6XX_WEB_LOGIN_LIMIT_H
#define SIP6XX_WEB_LOGIN_LIMIT_H

#include <stdbool.h>
#include "web_conns.h"

#define LOGIN_LIMIT_CLIENTS 64

struct login_bucket {
	unsigned char client[WEB_CLIENT_KEY_LEN];
	double tokens;
	unsigned long long at_ms;
	bool used;
};

struct login_limit {
	struct login_bucket clients[LOGIN_LIMIT_CLIENTS];
	struct login_bucket all;
	struct login_bucket clean; /* for clients with no recent failure, when all is spent */
	/* The failed-login log: one line a second at most, with what it left out. */
	unsigned long long logged_ms;
	unsigned long failed, refused;
};

void login_limit_init(struct login_limit *l, unsigned long long now_ms);
/*
 * Whether a password from @client may be checked (bcrypt) now; if so, it
 * costs the client's budget and the total one each, until refunded.
 */
bool login_limit_take(struct login_limit *l, const unsigned char *client,
		      unsigned long long now_ms);
/* The check found the right password: it costs nothing. */
void login_limit_refund(struct login_limit *l, const unsigned char *client,
			unsigned long long now_ms);
/* True when a failed-login line may be logged now; counts the failure either way. */
bool login_limit_log_due(struct login_limit *l, bool refused, unsigned long long now_ms);

#endif
