// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "label_clean.h"
#include "top_counts.h"

const char *top_alert_text(enum top_alert a)
{
	switch (a) {
	case TOP_ALERT_FIRING:
		return "FIRING";
	case TOP_ALERT_QUIET:
		return "ok";
	default: /* no detector for the code: the all-6xx row, or a code not in --alert-codes */
		return "not watched";
	}
}

int top_code_col(unsigned int code)
{
	int i;

	for (i = 0; i < TOP_NR_CODES; i++)
		if (sip_named_6xx[i].code == code)
			return i;
	return -1;
}

void top_counts_add_code(struct top_counts *c, unsigned int code, double count)
{
	int col = top_code_col(code);

	c->responses += count;
	if (code >= 200)
		c->final_responses += count;
	if (code >= 600 && code <= 699)
		c->code[TOP_COL_ALL] += count;
	if (col >= 0)
		c->code[col] += count;
}

void top_counts_add_calls(struct top_counts *c, unsigned int code, double rejections,
			  double retransmissions)
{
	int col = top_code_col(code);

	c->calls = true;
	if (code < 600 || code > 699)
		return;
	c->rejections[TOP_COL_ALL] += rejections;
	c->retransmissions[TOP_COL_ALL] += retransmissions;
	if (col < 0)
		return;
	c->rejections[col] += rejections;
	c->retransmissions[col] += retransmissions;
}

int top_counts_add_source(struct top_counts *c, const char *addr, unsigned int code, double count)
{
	struct top_source *s;
	int col = top_code_col(code);

	if (c->nr_sources == c->cap_sources) {
		size_t ncap = c->cap_sources ? c->cap_sources * 2 : 256;

		s = realloc(c->sources, ncap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		c->sources = s;
		c->cap_sources = ncap;
	}
	s = &c->sources[c->nr_sources++];
	memset(s, 0, sizeof(*s));
	label_clean(s->addr, addr, sizeof(s->addr)); /* a scrape's label: drawn later */
	s->count[TOP_COL_ALL] = count;
	if (col >= 0)
		s->count[col] = count;
	return 0;
}

static int source_cmp(const void *a, const void *b)
{
	const struct top_source *x = a, *y = b;

	return strcmp(x->addr, y->addr);
}

void top_counts_finish(struct top_counts *c)
{
	size_t i, out = 0;
	int col;

	if (c->nr_sources) /* sources is NULL until the first: qsort must not see it */
		qsort(c->sources, c->nr_sources, sizeof(*c->sources), source_cmp);
	for (i = 0; i < c->nr_sources; i++) {
		if (out && !source_cmp(&c->sources[out - 1], &c->sources[i])) {
			for (col = 0; col < TOP_NR_COLS; col++)
				c->sources[out - 1].count[col] += c->sources[i].count[col];
			continue;
		}
		c->sources[out++] = c->sources[i];
	}
	c->nr_sources = out;
	top_list_finish(&c->callers);
	top_list_finish(&c->intermediaries);
}

void top_counts_free(struct top_counts *c)
{
	free(c->sources);
	top_list_free(&c->callers);
	top_list_free(&c->intermediaries);
	memset(c, 0, sizeof(*c));
}

/* Per second; a counter that went backwards starts over from zero. */
static double rate(double then, double now, double seconds)
{
	return (now >= then ? now - then : now) / seconds;
}

static const struct top_source *find_source(const struct top_counts *c, const char *addr)
{
	struct top_source key;

	snprintf(key.addr, sizeof(key.addr), "%s", addr);
	if (!c->nr_sources)
		return NULL; /* sources may be NULL: bsearch must not see it */
	return bsearch(&key, c->sources, c->nr_sources, sizeof(*c->sources), source_cmp);
}

int top_rates_compute(const struct top_counts *then, const struct top_counts *now,
		      struct top_rates *r)
{
	static const struct top_source none;
	size_t i;
	int col;

	memset(r, 0, sizeof(*r));
	r->sources = calloc(now->nr_sources ? now->nr_sources : 1, sizeof(*r->sources));
	if (!r->sources)
		return -ENOMEM;
	r->nr_sources = now->nr_sources;
	for (i = 0; i < now->nr_sources; i++) {
		snprintf(r->sources[i].addr, sizeof(r->sources[i].addr), "%s",
			 now->sources[i].addr);
		r->sources[i].count = now->sources[i].count[TOP_COL_ALL];
	}
	if (!then || now->t <= then->t)
		return 0; /* one read so far: no rate yet */
	r->seconds = now->t - then->t;
	r->responses = rate(then->responses, now->responses, r->seconds);
	r->final_responses = rate(then->final_responses, now->final_responses, r->seconds);
	for (col = 0; col < TOP_NR_COLS; col++) {
		r->code[col] = rate(then->code[col], now->code[col], r->seconds);
		r->rejections[col] = rate(then->rejections[col], now->rejections[col], r->seconds);
		r->retransmissions[col] =
			rate(then->retransmissions[col], now->retransmissions[col], r->seconds);
	}
	for (i = 0; i < now->nr_sources; i++) {
		const struct top_source *old = find_source(then, now->sources[i].addr);

		if (!old)
			old = &none;
		for (col = 0; col < TOP_NR_COLS; col++)
			r->sources[i].rate[col] =
				rate(old->count[col], now->sources[i].count[col], r->seconds);
	}
	return 0;
}

void top_rates_free(struct top_rates *r)
{
	free(r->sources);
	memset(r, 0, sizeof(*r));
}

/* @text as the exporter keys it: IPv4 mapped into ::ffff:0:0/96; false if not an address. */
static bool addr_bytes(const char *text, unsigned char out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET6, text, out) == 1)
		return true;
	out[10] = out[11] = 0xff;
	return inet_pton(AF_INET, text, out + 12) == 1;
}

/* By address, as the exporter orders sources (IPv4 first); "other" and the like last. */
static int addr_order(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	bool ax = addr_bytes(a, x), ay = addr_bytes(b, y);

	if (ax && ay)
		return memcmp(x, y, sizeof(x));
	if (ax != ay)
		return ax ? -1 : 1;
	return strcmp(a, b);
}

static int sort_col; /* qsort has no context argument */

static int rate_desc(const void *a, const void *b)
{
	const struct top_source_rate *x = a, *y = b;

	if (x->rate[sort_col] != y->rate[sort_col])
		return x->rate[sort_col] < y->rate[sort_col] ? 1 : -1;
	if (x->rate[TOP_COL_ALL] != y->rate[TOP_COL_ALL])
		return x->rate[TOP_COL_ALL] < y->rate[TOP_COL_ALL] ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return addr_order(x->addr, y->addr);
}

void top_rates_sort(struct top_rates *r, int col)
{
	sort_col = col;
	qsort(r->sources, r->nr_sources, sizeof(*r->sources), rate_desc);
}
