/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A bounded set of keys seen in the last TTL: the transaction table (RFC 3261
 * section 17: a 6xx repeated within 64*T1 belongs to the transaction its first
 * copy opened) and the set of calls already counted as rejected. Keys are
 * taken from packets, so only their keyed hash is stored: memory is fixed by
 * the capacity, and nobody who cannot read the key can aim at one bucket.
 * Time is the caller's: a sample's timestamp live, the capture's in replay.
 */
#ifndef SIP6XX_TXN_TABLE_H
#define SIP6XX_TXN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <nettle/hmac.h>

#define TXN_T1_MS	     500
#define TXN_TTL_MS	     (64 * TXN_T1_MS) /* Timer H / Timer J: 32 s */
#define TXN_DEFAULT_CAPACITY 262144
#define TXN_MAX_CAPACITY     16777216

struct txn_table;

/* A key being built: fields are added in order, each length-prefixed. */
struct txn_key {
	struct hmac_sha256_ctx ctx;
};

enum txn_seen {
	TXN_NEW = 0, /* not in the table: it is now */
	TXN_REPEAT,  /* seen within the TTL: its time is refreshed */
};

/* An empty table of @capacity (1..TXN_MAX_CAPACITY) keys living @ttl_ms; NULL on ENOMEM/EINVAL. */
struct txn_table *txn_table_new(size_t capacity, __u64 ttl_ms);
void txn_table_free(struct txn_table *t);

void txn_key_init(const struct txn_table *t, struct txn_key *k);
void txn_key_add(struct txn_key *k, const void *field, size_t len);
void txn_key_add_str(struct txn_key *k, const char *s);
void txn_key_add_u64(struct txn_key *k, __u64 v);

/*
 * Looks @k up at @now_ms and adds it when missing, first dropping what
 * expired and, when full, evicting the least recently seen key. Time never
 * goes backwards: an earlier @now_ms (an unsorted capture) counts as the
 * latest time seen.
 */
enum txn_seen txn_table_see(struct txn_table *t, struct txn_key *k, __u64 now_ms);
/* Drops the keys not seen for the TTL before @now_ms. */
void txn_table_expire(struct txn_table *t, __u64 now_ms);
size_t txn_table_tracked(const struct txn_table *t);
__u64 txn_table_evicted(const struct txn_table *t);

#endif
