// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Every label value written here is a number or a name from the fixed lists
 * in calls.c, never bytes of a packet, but for callers and intermediaries,
 * which exist only when the user asked for them (--callers, --intermediaries)
 * and come bounded and printable from top_table.c; the writer escapes them.
 */
#include <stdbool.h>
#include <stdio.h>

#include "caller_id.h"
#include "calls_metrics.h"
#include "sip_codes.h"
#include "txn_table.h"

static void label(struct calls_sample *s, const char *name, const char *value)
{
	s->label[s->nr_labels] = name;
	s->value[s->nr_labels++] = value;
}

static void label_num(struct calls_sample *s, const char *name, unsigned int v)
{
	snprintf(s->buf[s->nr_labels], sizeof(s->buf[0]), "%u", v);
	label(s, name, s->buf[s->nr_labels]);
}

static void start(struct calls_sample *s, int dir, __u64 v)
{
	s->dir = dir;
	s->nr_labels = 0;
	s->v = v;
}

static void per_direction(const __u64 *by_dir, const char *reason, calls_sample_fn fn, void *arg)
{
	struct calls_sample s;
	int dir;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++) {
		start(&s, dir, by_dir[dir]);
		if (reason)
			label(&s, "reason", reason);
		fn(arg, &s);
	}
}

/* The kernel's reasons, named by the contract's one list (sip6xx.h). */
static void kernel_dropped(const struct calls_stats *st, calls_sample_fn fn, void *arg)
{
#define CTX_DROP_NAME(e, name) #name,
	static const char *const names[SIP6XX_CTX_NR_DROPS] = { SIP6XX_CTX_DROPS(CTX_DROP_NAME) };
#undef CTX_DROP_NAME
	struct calls_sample s;
	int dir, r;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++)
		for (r = 0; r < SIP6XX_CTX_NR_DROPS; r++) {
			start(&s, dir, st->kernel_dropped[dir][r]);
			label(&s, "reason", names[r]);
			fn(arg, &s);
		}
}

static void rejections(const struct calls_stats *st, calls_sample_fn fn, void *arg)
{
	struct calls_sample s;
	unsigned int i, m;
	int dir;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++)
		for (i = 0; i < CALLS_NR_CODES; i++)
			for (m = 0; m < CALLS_NR_METHODS; m++) {
				__u64 v = st->rejections[dir][i][m];

				if (!v && !(m == CALLS_METHOD_INVITE &&
					    sip_code_is_named(CALLS_CODE_MIN + i)))
					continue;
				start(&s, dir, v);
				label_num(&s, "code", CALLS_CODE_MIN + i);
				label(&s, "method", calls_method_name(m));
				fn(arg, &s);
			}
}

static void retransmissions(const struct calls_stats *st, calls_sample_fn fn, void *arg)
{
	struct calls_sample s;
	unsigned int i;
	int dir;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++)
		for (i = 0; i < CALLS_NR_CODES; i++) {
			if (!st->retransmissions[dir][i] && !sip_code_is_named(CALLS_CODE_MIN + i))
				continue;
			start(&s, dir, st->retransmissions[dir][i]);
			label_num(&s, "code", CALLS_CODE_MIN + i);
			fn(arg, &s);
		}
}

static void reasons(const struct calls_stats *st, calls_sample_fn fn, void *arg)
{
	static const char *const methods[CALLS_NR_REASON_METHODS] = { "BYE", "CANCEL" };
	struct calls_sample s;
	unsigned int m, p, cause;
	int dir;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++)
		for (m = 0; m < CALLS_NR_REASON_METHODS; m++)
			for (p = 0; p < CALLS_NR_PROTOCOLS; p++)
				for (cause = 0; cause < CALLS_NR_CAUSES; cause++) {
					__u64 v = st->reasons[dir][m][p][cause];

					if (!v)
						continue;
					start(&s, dir, v);
					label(&s, "method", methods[m]);
					label(&s, "protocol", calls_protocol_name(p));
					if (cause == CALLS_CAUSE_OTHER)
						label(&s, "cause", "other");
					else
						label_num(&s, "cause", cause);
					fn(arg, &s);
				}
}

static void calls_rejected(const struct calls_stats *st, calls_sample_fn fn, void *arg)
{
	struct calls_sample s;
	unsigned int i, p;
	int dir;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++)
		for (i = 0; i < CALLS_NR_CODES; i++)
			for (p = 0; p < CALLS_NR_PHASES; p++) {
				__u64 v = st->calls_rejected[dir][i][p];

				if (!v && !sip_code_is_named(CALLS_CODE_MIN + i))
					continue;
				start(&s, dir, v);
				label_num(&s, "code", CALLS_CODE_MIN + i);
				label(&s, "phase", calls_phase_name(p));
				fn(arg, &s);
			}
}

static void per_interface(__u64 v, calls_sample_fn fn, void *arg)
{
	struct calls_sample s;

	start(&s, -1, v);
	fn(arg, &s);
}

/* The window's top N of @t under @name, then name="other" for the rest; hashed when @key. */
static void top_n(const struct calls *c, const struct top_table *t, const char *name,
		  const void *key, calls_sample_fn fn, void *arg)
{
	struct top_item items[TOP_MAX_N];
	struct calls_sample s;
	unsigned int nr, i;
	__u64 other;

	if (!t)
		return;
	nr = top_table_top(t, items, &other);
	for (i = 0; i < nr; i++) {
		start(&s, -1, items[i].count);
		if (key) {
			char hash[CALLER_HASH_CHARS + 1];

			caller_id_hash(key, c->hash_key_len, items[i].key, hash);
			snprintf(s.id, sizeof(s.id), "%s", hash);
		} else {
			snprintf(s.id, sizeof(s.id), "%s", items[i].key);
		}
		label(&s, name, s.id);
		fn(arg, &s);
	}
	start(&s, -1, other);
	label(&s, name, TOP_OTHER);
	fn(arg, &s);
}

void calls_metric_each(const struct calls *c, enum calls_metric m, calls_sample_fn fn, void *arg)
{
	const struct calls_stats *st = &c->st;

	switch (m) {
	case CALLS_M_SAMPLES:
		per_direction(st->samples, NULL, fn, arg);
		break;
	case CALLS_M_DROPPED:
		if (c->live)
			kernel_dropped(st, fn, arg);
		per_direction(st->unparsed, "unparsed", fn, arg);
		break;
	case CALLS_M_REJECTIONS:
		rejections(st, fn, arg);
		break;
	case CALLS_M_RETRANSMISSIONS:
		retransmissions(st, fn, arg);
		break;
	case CALLS_M_REASONS:
		reasons(st, fn, arg);
		break;
	case CALLS_M_CALLS_REJECTED:
		calls_rejected(st, fn, arg);
		break;
	case CALLS_M_608_MISSING_CALL_INFO:
		per_direction(st->missing_call_info, NULL, fn, arg);
		break;
	case CALLS_M_TRACKED:
		per_interface(txn_table_tracked(c->txns), fn, arg);
		break;
	case CALLS_M_EVICTED:
		per_interface(txn_table_evicted(c->txns), fn, arg);
		break;
	case CALLS_M_CALLERS:
		top_n(c, c->callers, "caller", c->hash_key, fn, arg);
		break;
	case CALLS_M_INTERMEDIARIES:
		top_n(c, c->intermediaries, "intermediary", NULL, fn, arg);
		break;
	case CALLS_M_NONE:
		break;
	}
}
