// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Fixed arrays, no allocation after txn_table_new(): entries are numbered
 * 1..capacity (0 is "none"), chained per hash bucket, and kept on one list
 * in the order they were last seen. A key lives TTL after it was last seen;
 * its transaction retransmits at most every T2 = 4 s within 64*T1, so a key
 * still being repeated is never dropped early. Expiry and eviction both
 * take the list's tail, so each costs O(1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "txn_table.h"

#define TXN_DIGEST_LEN 16 /* of HMAC-SHA-256: collisions need 2^64 keys */

struct txn_entry {
	__u8 digest[TXN_DIGEST_LEN];
	__u64 seen_ms;
	__u32 hnext; /* next in the bucket */
	__u32 newer; /* toward the most recently seen */
	__u32 older;
	__u32 pad;
};

struct txn_table {
	struct hmac_sha256_ctx keyed; /* under a random key, before any field */
	struct txn_entry *e;	      /* e[1..capacity] */
	__u32 *buckets;
	__u32 mask;
	__u32 capacity;
	__u32 used;   /* entries handed out so far, freed ones included */
	__u32 free;   /* a list through hnext of entries expired */
	__u32 newest; /* list ends; 0 when empty */
	__u32 oldest;
	size_t tracked;
	__u64 evicted;
	__u64 ttl_ms;
	__u64 now_ms; /* latest time seen */
};

struct txn_table *txn_table_new(size_t capacity, __u64 ttl_ms)
{
	__u8 secret[32];
	struct txn_table *t;
	size_t nb = 1;

	if (!capacity || capacity > TXN_MAX_CAPACITY)
		return NULL;
	if (getrandom(secret, sizeof(secret), 0) != sizeof(secret))
		return NULL;
	while (nb < capacity)
		nb <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	/* calloc: pages are touched only as the table fills. */
	t->e = calloc(capacity + 1, sizeof(*t->e));
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->e || !t->buckets) {
		txn_table_free(t);
		return NULL;
	}
	hmac_sha256_set_key(&t->keyed, sizeof(secret), secret);
	t->mask = nb - 1;
	t->capacity = capacity;
	t->ttl_ms = ttl_ms;
	return t;
}

void txn_table_free(struct txn_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->buckets);
	free(t);
}

void txn_key_init(const struct txn_table *t, struct txn_key *k)
{
	k->ctx = t->keyed;
}

void txn_key_add(struct txn_key *k, const void *field, size_t len)
{
	__u8 prefix[4] = { len >> 24, len >> 16, len >> 8, len };

	/* Length first: ("ab", "c") and ("a", "bc") are different keys. */
	hmac_sha256_update(&k->ctx, sizeof(prefix), prefix);
	hmac_sha256_update(&k->ctx, len, field);
}

void txn_key_add_str(struct txn_key *k, const char *s)
{
	txn_key_add(k, s, strlen(s));
}

void txn_key_add_u64(struct txn_key *k, __u64 v)
{
	txn_key_add(k, &v, sizeof(v));
}

static __u32 bucket_of(const struct txn_table *t, const __u8 *digest)
{
	__u32 h;

	memcpy(&h, digest, sizeof(h));
	return h & t->mask;
}

static void list_unlink(struct txn_table *t, __u32 i)
{
	struct txn_entry *x = &t->e[i];

	if (x->newer)
		t->e[x->newer].older = x->older;
	else
		t->newest = x->older;
	if (x->older)
		t->e[x->older].newer = x->newer;
	else
		t->oldest = x->newer;
	x->newer = x->older = 0;
}

static void list_push_newest(struct txn_table *t, __u32 i)
{
	t->e[i].older = t->newest;
	t->e[i].newer = 0;
	if (t->newest)
		t->e[t->newest].newer = i;
	t->newest = i;
	if (!t->oldest)
		t->oldest = i;
}

/* Takes entry @i out of its bucket and the list; the caller reuses or frees it. */
static void remove_entry(struct txn_table *t, __u32 i)
{
	__u32 *link = &t->buckets[bucket_of(t, t->e[i].digest)];

	while (*link && *link != i)
		link = &t->e[*link].hnext;
	if (*link)
		*link = t->e[i].hnext;
	t->e[i].hnext = 0;
	list_unlink(t, i);
	t->tracked--;
}

static void advance_clock(struct txn_table *t, __u64 now_ms)
{
	if (now_ms > t->now_ms)
		t->now_ms = now_ms;
}

void txn_table_expire(struct txn_table *t, __u64 now_ms)
{
	__u32 i;

	advance_clock(t, now_ms);
	while ((i = t->oldest) && t->now_ms - t->e[i].seen_ms >= t->ttl_ms) {
		remove_entry(t, i);
		t->e[i].hnext = t->free;
		t->free = i;
	}
}

/* A free entry: an expired one, a new one, or the least recently seen (evicted). */
static __u32 take_entry(struct txn_table *t)
{
	__u32 i;

	if (t->free) {
		i = t->free;
		t->free = t->e[i].hnext;
		t->e[i].hnext = 0;
		return i;
	}
	if (t->used < t->capacity)
		return ++t->used;
	i = t->oldest;
	remove_entry(t, i);
	t->evicted++;
	return i;
}

enum txn_seen txn_table_see(struct txn_table *t, struct txn_key *k, __u64 now_ms)
{
	__u8 digest[TXN_DIGEST_LEN];
	__u32 b, i;

	hmac_sha256_digest(&k->ctx, sizeof(digest), digest);
	txn_table_expire(t, now_ms);
	b = bucket_of(t, digest);
	for (i = t->buckets[b]; i; i = t->e[i].hnext) {
		if (!memcmp(t->e[i].digest, digest, sizeof(digest))) {
			t->e[i].seen_ms = t->now_ms;
			list_unlink(t, i);
			list_push_newest(t, i);
			return TXN_REPEAT;
		}
	}
	i = take_entry(t);
	memcpy(t->e[i].digest, digest, sizeof(digest));
	t->e[i].seen_ms = t->now_ms;
	/* The bucket again: an eviction may have emptied it. */
	t->e[i].hnext = t->buckets[b];
	t->buckets[b] = i;
	list_push_newest(t, i);
	t->tracked++;
	return TXN_NEW;
}

size_t txn_table_tracked(const struct txn_table *t)
{
	return t->tracked;
}

__u64 txn_table_evicted(const struct txn_table *t)
{
	return t->evicted;
}
