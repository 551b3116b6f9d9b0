// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness over the call context (user/calls/): the libosip2
 * decoder, caller canonicalisation and hashing, the transaction table and
 * the metrics walk, with the state kept across inputs as a live exporter
 * keeps it. The first byte picks what the rest is: a SIP message as a
 * sample carries it, or an Ethernet frame as --replay hands it over (the
 * kernel's header walk finds the message). Time moves by the second byte.
 * The table is small (64 keys), so eviction runs all the time; so are the
 * top 2 callers and intermediaries (8 candidates each, a 10 s window).
 * Checks: every decoded field is a bounded string, the tables never hold
 * more than their capacity, every label value the metrics write is short
 * printable ASCII (callers' and intermediaries': bounded, printable, left
 * to the writers to escape), and the top N's values sum to the window's.
 * ASan's leak check covers libosip2's allocations.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls/caller_id.h"
#include "calls/calls.h"
#include "calls/calls_metrics.h"
#include "calls/calls_replay.h"
#include "calls/sip_decode.h"
#include "calls/top_table.h"
#include "calls/txn_table.h"

#define FUZZ_CAPACITY 64
#define FUZZ_TOP      2

static struct calls *calls;
static __u64 now_ms;

static void invariant(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

static void check_label(void *arg, const struct calls_sample *s)
{
	const unsigned char *p;
	int i;

	invariant(s->nr_labels <= CALLS_MAX_LABELS, "at most 4 labels");
	invariant(s->dir >= -1 && s->dir < SIP6XX_NR_DIRS, "direction in range");
	for (i = 0; i < s->nr_labels; i++) {
		invariant(strlen(s->value[i]) < 16, "label values are short");
		for (p = (const unsigned char *)s->value[i]; *p; p++)
			invariant(*p > 0x20 && *p < 0x7f && *p != '"' && *p != '\\',
				  "label values are plain printable ASCII");
	}
}

/* Callers and intermediaries: N + 1 samples at most, values from packets kept printable. */
static void check_top_label(void *arg, const struct calls_sample *s)
{
	const unsigned char *p;
	int *nr = arg;

	invariant(++*nr <= FUZZ_TOP + 1, "at most N samples and other");
	invariant(s->dir == -1 && s->nr_labels == 1, "one label, per interface");
	invariant(strlen(s->value[0]) < TOP_KEY_LEN, "top label values bounded");
	for (p = (const unsigned char *)s->value[0]; *p; p++)
		invariant(*p >= 0x20 && *p < 0x7f, "top label values printable ASCII");
}

static void check_msg(const struct sip_msg *m)
{
	char id[CALLER_ID_LEN], hash[CALLER_HASH_CHARS + 1];
	int i;

	invariant((m->status >= 100 && m->status <= 699) || (!m->status && m->method[0]),
		  "a status in 100..699 or a request method");
	invariant(m->call_id[0] != '\0', "a Call-ID");
	invariant(strlen(m->branch) < sizeof(m->branch), "branch bounded");
	invariant(m->nr_reasons >= 0 && m->nr_reasons <= SIP_MAX_REASONS, "reasons bounded");
	for (i = 0; i < m->nr_reasons; i++)
		invariant(m->reasons[i].cause >= SIP_NO_CAUSE && m->reasons[i].cause <= 99999,
			  "cause bounded");
	if (!caller_id_of(m, id, sizeof(id))) {
		invariant(id[0] && strlen(id) < sizeof(id), "an identity is non-empty and bounded");
		caller_id_hash("fuzz", 4, id, hash);
		invariant(strlen(hash) == CALLER_HASH_CHARS, "16 hex digits");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct calls_frame f = { .dir = SIP6XX_DIR_RX, .family = SIP6XX_FAMILY_IPV4 };
	struct timeval tv;
	struct calls_opts o = { .transactions = FUZZ_CAPACITY,
				.callers = FUZZ_TOP,
				.intermediaries = FUZZ_TOP,
				.window_ms = 10000 };
	struct sip_msg m;
	uint8_t *copy;
	int metric, nr;

	if (!calls) {
		calls = calls_new_opts(&o);
		invariant(calls != NULL, "calls_new_opts");
	}
	if (size < 2)
		return 0;
	now_ms += data[1] * 250; /* up to ~64 s: expiry and repeats both happen */
	/* A block of exactly the input's size: any overread hits ASan's redzone. */
	copy = malloc(size - 2 ? size - 2 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 2, size - 2);
	if (data[0] & 1) {
		tv.tv_sec = now_ms / 1000;
		tv.tv_usec = now_ms % 1000 * 1000;
		calls_replay_use(calls, NULL);
		calls_replay_frame(copy, size - 2, &tv);
		calls_replay_done();
	} else {
		f.time_ms = now_ms;
		f.sport = data[0];
		if (!sip_decode(copy, size - 2, &m))
			check_msg(&m);
		calls_observe(calls, &f, copy, size - 2);
	}
	free(copy);
	invariant(txn_table_tracked(calls->txns) <= FUZZ_CAPACITY, "table within capacity");
	invariant(txn_table_tracked(calls->calls_seen) <= FUZZ_CAPACITY,
		  "call set within capacity");
	for (metric = CALLS_M_SAMPLES; metric <= CALLS_M_EVICTED; metric++)
		calls_metric_each(calls, metric, check_label, NULL);
	invariant(top_table_held(calls->callers) <= TOP_CANDIDATES(FUZZ_TOP), "callers bounded");
	invariant(top_table_held(calls->intermediaries) <= TOP_CANDIDATES(FUZZ_TOP),
		  "intermediaries bounded");
	for (metric = CALLS_M_CALLERS; metric <= CALLS_M_INTERMEDIARIES; metric++) {
		nr = 0;
		calls_metric_each(calls, metric, check_top_label, &nr);
		invariant(nr >= 1, "other is always there");
	}
	return 0;
}
