// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <string.h>

#include "web_login_limit.h"

/* Five tries, then one a second: a person who mistypes, or a misconfigured scraper. */
#define CLIENT_BURST 5.0
#define CLIENT_RATE  1.0 /* per second */
/* In all: five bcrypt runs a second (about 50 ms each at cost 10), in bursts of ten. */
#define ALL_BURST    10.0
#define ALL_RATE     5.0
/*
 * Beside the total: two checks, then one a second, only for clients that have
 * not failed lately (their own budget is whole), so a flood of wrong
 * passwords from other addresses cannot keep out a scraper whose password is
 * not cached yet, as after a restart.
 */
#define CLEAN_BURST  2.0
#define CLEAN_RATE   1.0
#define LOG_EVERY_MS 1000

static void refill(struct login_bucket *b, double burst, double rate, unsigned long long now_ms)
{
	if (now_ms > b->at_ms)
		b->tokens += (now_ms - b->at_ms) * rate / 1000;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at_ms = now_ms;
}

void login_limit_init(struct login_limit *l, unsigned long long now_ms)
{
	memset(l, 0, sizeof(*l));
	l->all.tokens = ALL_BURST;
	l->all.at_ms = now_ms;
	l->clean.tokens = CLEAN_BURST;
	l->clean.at_ms = now_ms;
}

/* @client's bucket; a new client takes a free one or the one idle longest. */
static struct login_bucket *bucket(struct login_limit *l, const unsigned char *client,
				   unsigned long long now_ms)
{
	struct login_bucket *b, *victim = &l->clients[0];

	for (b = l->clients; b < l->clients + LOGIN_LIMIT_CLIENTS; b++) {
		if (b->used && !memcmp(b->client, client, WEB_CLIENT_KEY_LEN))
			return b;
		if (!b->used || (victim->used && b->at_ms < victim->at_ms))
			victim = b;
	}
	memcpy(victim->client, client, WEB_CLIENT_KEY_LEN);
	victim->tokens = CLIENT_BURST;
	victim->at_ms = now_ms;
	victim->used = true;
	return victim;
}

bool login_limit_take(struct login_limit *l, const unsigned char *client, unsigned long long now_ms)
{
	struct login_bucket *b = bucket(l, client, now_ms);

	refill(b, CLIENT_BURST, CLIENT_RATE, now_ms);
	refill(&l->all, ALL_BURST, ALL_RATE, now_ms);
	refill(&l->clean, CLEAN_BURST, CLEAN_RATE, now_ms);
	if (b->tokens < 1)
		return false;
	if (l->all.tokens >= 1)
		l->all.tokens--;
	else if (b->tokens >= CLIENT_BURST && l->clean.tokens >= 1)
		l->clean.tokens--;
	else
		return false;
	b->tokens--;
	return true;
}

void login_limit_refund(struct login_limit *l, const unsigned char *client,
			unsigned long long now_ms)
{
	struct login_bucket *b = bucket(l, client, now_ms);

	refill(b, CLIENT_BURST, CLIENT_RATE, now_ms);
	refill(&l->all, ALL_BURST, ALL_RATE, now_ms);
	b->tokens = b->tokens + 1 > CLIENT_BURST ? CLIENT_BURST : b->tokens + 1;
	l->all.tokens = l->all.tokens + 1 > ALL_BURST ? ALL_BURST : l->all.tokens + 1;
}

bool login_limit_log_due(struct login_limit *l, bool refused, unsigned long long now_ms)
{
	if (l->logged_ms && now_ms - l->logged_ms < LOG_EVERY_MS) {
		if (refused)
			l->refused++;
		else
			l->failed++;
		return false;
	}
	l->logged_ms = now_ms ? now_ms : 1;
	return true;
}
