// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A fixed array of candidates, a chained index over them keyed by
 * HMAC-SHA-256 under a random key (keys are the sender's choice: nobody who
 * cannot read the key can fill one chain), and per candidate the counts of
 * the window's slots. Moving the window clears the slots that left it, for
 * every candidate at once: at most TOP_SLOTS passes, however long the gap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <nettle/hmac.h>

#include "top_table.h"

#define NO_ENTRY ((__u32)-1)

struct top_entry {
	char key[TOP_KEY_LEN];
	__u64 slot[TOP_SLOTS];
	__u64 total;   /* the sum of slot[] */
	__u64 seen_ms; /* the last event, for ties when choosing whom to evict */
	__u32 next;    /* the next candidate in its chain, or NO_ENTRY */
	__u32 bucket;
	bool used;
};

struct top_table {
	unsigned int n;
	__u32 cap; /* TOP_CANDIDATES(n) */
	__u32 nr_used;
	__u32 mask;	 /* index buckets - 1, a power of two minus one */
	__u64 window_ms; /* 0: one slot that never ends */
	__u64 slot_ms;
	__u64 epoch; /* the current slot's number: time / slot_ms */
	__u64 now_ms;
	bool started;
	__u64 all[TOP_SLOTS];	     /* every event of each slot, evicted keys' included */
	struct hmac_sha256_ctx hash; /* keyed once; copied per lookup */
	__u32 *heads;
	struct top_entry *e;
	struct top_entry **order; /* top_table_top()'s scratch */
};

struct top_table *top_table_new(unsigned int n, __u64 window_ms)
{
	struct top_table *t;
	__u8 key[32];
	__u32 buckets = 1;

	if (!n || n > TOP_MAX_N)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->n = n;
	t->cap = TOP_CANDIDATES(n);
	while (buckets < t->cap)
		buckets <<= 1;
	t->mask = buckets - 1;
	t->window_ms = window_ms;
	t->slot_ms = window_ms / TOP_SLOTS ? window_ms / TOP_SLOTS : 1;
	t->heads = malloc(buckets * sizeof(*t->heads));
	t->e = calloc(t->cap, sizeof(*t->e));
	t->order = calloc(t->cap, sizeof(*t->order));
	if (!t->heads || !t->e || !t->order || getrandom(key, sizeof(key), 0) != sizeof(key)) {
		top_table_free(t);
		return NULL;
	}
	memset(t->heads, 0xff, buckets * sizeof(*t->heads));
	hmac_sha256_set_key(&t->hash, sizeof(key), key);
	return t;
}

void top_table_free(struct top_table *t)
{
	if (!t)
		return;
	free(t->heads);
	free(t->e);
	free(t->order);
	free(t);
}

unsigned int top_table_n(const struct top_table *t)
{
	return t->n;
}

size_t top_table_held(const struct top_table *t)
{
	return t->nr_used;
}

static __u32 bucket_of(const struct top_table *t, const char *key)
{
	struct hmac_sha256_ctx ctx = t->hash;
	__u8 d[4];

	hmac_sha256_update(&ctx, strlen(key), (const __u8 *)key);
	hmac_sha256_digest(&ctx, sizeof(d), d);
	return ((__u32)d[0] | (__u32)d[1] << 8 | (__u32)d[2] << 16 | (__u32)d[3] << 24) & t->mask;
}

static void unlink_entry(struct top_table *t, __u32 i)
{
	__u32 *p = &t->heads[t->e[i].bucket];

	while (*p != NO_ENTRY && *p != i)
		p = &t->e[*p].next;
	if (*p == i)
		*p = t->e[i].next;
	memset(&t->e[i], 0, sizeof(t->e[i]));
	t->nr_used--;
}

/* The slot of @epoch; with no window, always the first. */
static unsigned int slot_of(const struct top_table *t, __u64 epoch)
{
	return t->window_ms ? epoch % TOP_SLOTS : 0;
}

void top_table_advance(struct top_table *t, __u64 now_ms)
{
	__u64 epoch, steps, k;
	unsigned int s;
	__u32 i;

	if (t->started && now_ms <= t->now_ms)
		return;
	t->now_ms = now_ms;
	epoch = now_ms / t->slot_ms;
	if (!t->started) {
		t->started = true;
		t->epoch = epoch;
		return;
	}
	if (!t->window_ms || epoch == t->epoch)
		return;
	steps = epoch - t->epoch < TOP_SLOTS ? epoch - t->epoch : TOP_SLOTS;
	t->epoch = epoch;
	for (k = 0; k < steps; k++) {
		/* The slots of epoch - k, reused now, held what left the window. */
		s = slot_of(t, epoch - k);
		t->all[s] = 0;
		for (i = 0; i < t->cap; i++) {
			if (!t->e[i].used)
				continue;
			t->e[i].total -= t->e[i].slot[s];
			t->e[i].slot[s] = 0;
			if (!t->e[i].total)
				unlink_entry(t, i);
		}
	}
}

/* @in as a label may carry it: bounded, printable ASCII. */
static void clean_key(char *out, const char *in)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < TOP_KEY_LEN; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

/* A free candidate, or the one with the fewest events (ties: seen longest ago) made free. */
static __u32 take_candidate(struct top_table *t)
{
	__u32 i, victim = NO_ENTRY;

	for (i = 0; i < t->cap; i++) {
		if (!t->e[i].used)
			return i;
		if (victim == NO_ENTRY || t->e[i].total < t->e[victim].total ||
		    (t->e[i].total == t->e[victim].total && t->e[i].seen_ms < t->e[victim].seen_ms))
			victim = i;
	}
	unlink_entry(t, victim);
	return victim;
}

void top_table_add(struct top_table *t, const char *key, __u64 now_ms)
{
	char clean[TOP_KEY_LEN];
	unsigned int s;
	__u32 b, i;

	top_table_advance(t, now_ms);
	clean_key(clean, key);
	s = slot_of(t, t->epoch);
	t->all[s]++;
	/* An intermediary at https://other/ must not make a second series of that label. */
	if (!strcmp(clean, TOP_OTHER))
		return;
	b = bucket_of(t, clean);
	for (i = t->heads[b]; i != NO_ENTRY; i = t->e[i].next)
		if (!strcmp(t->e[i].key, clean))
			break;
	if (i == NO_ENTRY) {
		i = take_candidate(t);
		memcpy(t->e[i].key, clean, sizeof(clean));
		t->e[i].used = true;
		t->e[i].bucket = b;
		t->e[i].next = t->heads[b];
		t->heads[b] = i;
		t->nr_used++;
	}
	t->e[i].slot[s]++;
	t->e[i].total++;
	t->e[i].seen_ms = t->now_ms;
}

static int by_count(const void *a, const void *b)
{
	const struct top_entry *x = *(const struct top_entry *const *)a;
	const struct top_entry *y = *(const struct top_entry *const *)b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->key, y->key);
}

unsigned int top_table_top(const struct top_table *t, struct top_item *items, __u64 *other)
{
	unsigned int nr = 0, k;
	__u64 all = 0;
	__u32 i;

	for (k = 0; k < TOP_SLOTS; k++)
		all += t->all[k];
	for (i = 0; i < t->cap; i++)
		if (t->e[i].used && t->e[i].total)
			t->order[nr++] = &t->e[i];
	qsort(t->order, nr, sizeof(*t->order), by_count);
	if (nr > t->n)
		nr = t->n;
	for (k = 0; k < nr; k++) {
		items[k].key = t->order[k]->key;
		items[k].count = t->order[k]->total;
		all -= t->order[k]->total;
	}
	*other = all;
	return nr;
}
