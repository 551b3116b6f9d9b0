// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A fixed array of candidates, a chained index over them keyed by
 * HMAC-SHA-256 under a random key (keys are the sender's choice: nobody who
 * cannot read the key can fill one chain), and per candidate the counts of
 * the window's slots. Moving the window clears the slots that left it, for
 * every candidate at once: at most TOP_SLOTS passes, however long the gap.
 *
 * Whom to evict is the least of (events, last seen, index) over the
 * candidates: a binary min-heap of those three, O(log N) an event where a
 * scan of every candidate was O(N) (4.3-20 us a new key at N = 1000, by load). Free
 * candidates go lowest index first, as the scan found them, so the table
 * evicts the same keys as before and its output is the same.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <nettle/hmac.h>

#include "label_clean.h"
#include "top_table.h"

#define NO_ENTRY ((__u32)-1)

struct top_entry {
	char key[TOP_KEY_LEN];
	__u64 slot[TOP_SLOTS];
	__u64 total;   /* the sum of slot[] */
	__u64 seen_ms; /* the last event, for ties when choosing whom to evict */
	__u32 next;    /* the next candidate in its chain, or NO_ENTRY */
	__u32 bucket;
	__u32 rank; /* its place in the heap, while used */
	bool used;
};

/* A heap node: a copy of what orders a candidate, kept small so the heap stays in cache. */
struct top_rank {
	__u64 total;
	__u64 seen_ms;
	__u32 i;
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
	struct top_rank *rank;	  /* min-heap of the used candidates, nr_used of them */
	__u32 *free;		  /* unused candidates, the lowest index last */
	__u32 nr_free;
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
	t->rank = calloc(t->cap, sizeof(*t->rank));
	t->free = calloc(t->cap, sizeof(*t->free));
	if (!t->heads || !t->e || !t->order || !t->rank || !t->free ||
	    getrandom(key, sizeof(key), 0) != sizeof(key)) {
		top_table_free(t);
		return NULL;
	}
	memset(t->heads, 0xff, buckets * sizeof(*t->heads));
	for (t->nr_free = 0; t->nr_free < t->cap; t->nr_free++)
		t->free[t->nr_free] = t->cap - 1 - t->nr_free;
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
	free(t->rank);
	free(t->free);
	free(t);
}

unsigned int top_table_n(const struct top_table *t)
{
	return t->n;
}

__u64 top_table_window_ms(const struct top_table *t)
{
	return t->window_ms;
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

static bool rank_below(const struct top_rank *a, const struct top_rank *b)
{
	if (a->total != b->total)
		return a->total < b->total;
	if (a->seen_ms != b->seen_ms)
		return a->seen_ms < b->seen_ms;
	return a->i < b->i;
}

static void rank_set(struct top_table *t, __u32 k, const struct top_rank *r)
{
	t->rank[k] = *r;
	t->e[r->i].rank = k;
}

static void rank_up(struct top_table *t, __u32 k)
{
	struct top_rank r = t->rank[k];

	while (k && rank_below(&r, &t->rank[(k - 1) / 2])) {
		rank_set(t, k, &t->rank[(k - 1) / 2]);
		k = (k - 1) / 2;
	}
	rank_set(t, k, &r);
}

static void rank_down(struct top_table *t, __u32 k)
{
	struct top_rank r = t->rank[k];
	__u32 c;

	while ((c = 2 * k + 1) < t->nr_used) {
		if (c + 1 < t->nr_used && rank_below(&t->rank[c + 1], &t->rank[c]))
			c++;
		if (!rank_below(&t->rank[c], &r))
			break;
		rank_set(t, k, &t->rank[c]);
		k = c;
	}
	rank_set(t, k, &r);
}

/* Candidate @i's events or time changed: its node follows. */
static void rank_fix(struct top_table *t, __u32 i)
{
	__u32 k = t->e[i].rank;

	t->rank[k].total = t->e[i].total;
	t->rank[k].seen_ms = t->e[i].seen_ms;
	rank_up(t, k);
	rank_down(t, t->e[i].rank);
}

/* After the window moved: the heap and the free list again, from the candidates. */
static void rank_rebuild(struct top_table *t)
{
	__u32 i, k;

	t->nr_free = 0;
	for (i = t->cap; i-- > 0;)
		if (!t->e[i].used)
			t->free[t->nr_free++] = i;
	for (i = 0, k = 0; i < t->cap; i++)
		if (t->e[i].used)
			rank_set(t, k++, &(struct top_rank){ t->e[i].total, t->e[i].seen_ms, i });
	for (k = t->nr_used / 2; k-- > 0;)
		rank_down(t, k);
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
	rank_rebuild(t);
}

/*
 * A free candidate (the lowest index), or the one with the fewest events
 * (ties: seen longest ago, then the lowest index) made free. Either way it
 * ends up in the heap, its events 0, for the caller to count.
 */
static __u32 take_candidate(struct top_table *t)
{
	__u32 i;

	if (t->nr_free) {
		i = t->free[--t->nr_free];
		/* unlink_entry() counts it out; its node is the heap's last until counted. */
		t->e[i].rank = t->nr_used;
		t->rank[t->nr_used] = (struct top_rank){ 0, 0, i };
		return i;
	}
	i = t->rank[0].i;
	unlink_entry(t, i);
	t->e[i].rank = 0; /* its node stays at the root: (0, 0, i) is below every other */
	t->rank[0] = (struct top_rank){ 0, 0, i };
	return i;
}

void top_table_add(struct top_table *t, const char *key, __u64 now_ms)
{
	char clean[TOP_KEY_LEN];
	unsigned int s;
	__u32 b, i;

	top_table_advance(t, now_ms);
	label_clean(clean, key, sizeof(clean)); /* as a label may carry it */
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
	rank_fix(t, i);
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
