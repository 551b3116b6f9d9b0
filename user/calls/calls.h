/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Calls, not packets (DESIGN.md "Packets, transactions, calls"): each decoded
 * 6xx, BYE or CANCEL goes through the transaction table, which tells a
 * rejection from its retransmissions, counts a Reason once per transaction,
 * and each call (Call-ID) once per code and phase.
 */
#ifndef SIP6XX_CALLS_H
#define SIP6XX_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "sip6xx.h"
#include "sip_decode.h"

/*
 * How long a call stays counted as rejected: longer than its INVITE can live
 * (RFC 3261 16.6: a proxy's Timer C runs over 3 minutes), so forked branches
 * and re-sent INVITEs of one call count once.
 */
#define CALLS_SEEN_TTL_MS (5 * 60 * 1000)

#define CALLS_CODE_MIN	  600
#define CALLS_NR_CODES	  100 /* 600..699 */
#define CALLS_MAX_CAUSE	  999 /* larger, missing or not a number: "other" */
#define CALLS_NR_CAUSES	  (CALLS_MAX_CAUSE + 2)
#define CALLS_CAUSE_OTHER (CALLS_MAX_CAUSE + 1)

/* CSeq methods a label may name (RFC 3261 and its extensions); any other is "other". */
#define CALLS_METHODS(X)                                                                           \
	X(INVITE)                                                                                  \
	X(ACK)                                                                                     \
	X(BYE)                                                                                     \
	X(CANCEL)                                                                                  \
	X(REGISTER)                                                                                \
	X(OPTIONS)                                                                                 \
	X(PRACK)                                                                                   \
	X(SUBSCRIBE)                                                                               \
	X(NOTIFY)                                                                                  \
	X(PUBLISH)                                                                                 \
	X(INFO)                                                                                    \
	X(REFER)                                                                                   \
	X(MESSAGE)                                                                                 \
	X(UPDATE)
#define CALLS_METHOD_ENUM(m) CALLS_METHOD_##m,
enum calls_method { CALLS_METHODS(CALLS_METHOD_ENUM) CALLS_METHOD_OTHER, CALLS_NR_METHODS };

/* The requests whose Reason is counted. */
enum calls_reason_method { CALLS_REASON_BYE = 0, CALLS_REASON_CANCEL, CALLS_NR_REASON_METHODS };

/* Reason protocols (RFC 3326, RFC 8224 for STIR); any other is "other". */
enum calls_protocol {
	CALLS_PROTO_SIP = 0,
	CALLS_PROTO_Q850,
	CALLS_PROTO_STIR,
	CALLS_PROTO_OTHER,
	CALLS_NR_PROTOCOLS
};

/* Where a call was rejected: a 6xx response, or a 6xx Reason cause in a BYE or CANCEL. */
enum calls_phase {
	CALLS_PHASE_SETUP = 0,
	CALLS_PHASE_MIDCALL,
	CALLS_PHASE_CANCEL,
	CALLS_NR_PHASES
};

struct calls_stats {
	__u64 samples[SIP6XX_NR_DIRS];	/* messages handed in */
	__u64 unparsed[SIP6XX_NR_DIRS]; /* of those, libosip2 could not decode */
	__u64 rejections[SIP6XX_NR_DIRS][CALLS_NR_CODES][CALLS_NR_METHODS];
	__u64 retransmissions[SIP6XX_NR_DIRS][CALLS_NR_CODES];
	__u64 reasons[SIP6XX_NR_DIRS][CALLS_NR_REASON_METHODS][CALLS_NR_PROTOCOLS][CALLS_NR_CAUSES];
	__u64 calls_rejected[SIP6XX_NR_DIRS][CALLS_NR_CODES][CALLS_NR_PHASES];
	__u64 missing_call_info[SIP6XX_NR_DIRS]; /* 608 transactions without purpose=jwscard */
	/* Live: the kernel's ctx_drops (enum sip6xx_ctx_drop), read per scrape and alert tick. */
	__u64 kernel_dropped[SIP6XX_NR_DIRS][SIP6XX_CTX_NR_DROPS];
};

/* What the sample header (or the capture) says about one message. */
struct calls_frame {
	__u64 time_ms;
	__u8 dir;    /* SIP6XX_DIR_* */
	__u8 family; /* SIP6XX_FAMILY_*; addresses IPv4-mapped for IPv4 */
	__u16 sport; /* host order */
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct top_table;

/* What the user asked of each interface's call context. */
struct calls_opts {
	size_t transactions;	     /* --transactions: keys per table; 0: TXN_DEFAULT_CAPACITY */
	unsigned int callers;	     /* --callers N: the top N callers; 0: none kept */
	unsigned int intermediaries; /* --intermediaries N: the top N 608 jwscard hosts; 0: none */
	__u64 window_ms;	     /* --callers-window; 0: no end (--replay: the whole capture) */
	const void *hash_key;	     /* --callers-hash's key, or NULL: callers as they are */
	size_t hash_key_len;
};

struct calls {
	struct calls_stats st;
	struct txn_table *txns;		  /* transactions: a 6xx, BYE or CANCEL and its repeats */
	struct txn_table *calls_seen;	  /* (direction, Call-ID, code, phase) already counted */
	struct top_table *callers;	  /* NULL unless --callers */
	struct top_table *intermediaries; /* NULL unless --intermediaries */
	const void *hash_key;		  /* the options' (they outlive every context), or NULL */
	size_t hash_key_len;
	bool live; /* samples from the kernel: its drop reasons are exported too */
};

/* A context whose tables hold @capacity keys each (0: TXN_DEFAULT_CAPACITY); NULL on failure. */
struct calls *calls_new(size_t capacity);
/* A context as @o asks (callers and intermediaries kept only when asked); NULL on failure. */
struct calls *calls_new_opts(const struct calls_opts *o);
void calls_free(struct calls *c);

/* Decodes @len bytes of one SIP message seen as @f and counts what it means. */
void calls_observe(struct calls *c, const struct calls_frame *f, const void *msg, size_t len);
/* The same for a message already decoded. */
void calls_observe_msg(struct calls *c, const struct calls_frame *f, const struct sip_msg *m);
/* Drops transactions idle for their TTL at @now_ms, before a read of the table's fill. */
void calls_expire(struct calls *c, __u64 now_ms);

const char *calls_method_name(enum calls_method m);
enum calls_method calls_method_of(const char *method);
const char *calls_protocol_name(enum calls_protocol p);
enum calls_protocol calls_protocol_of(const char *protocol);
const char *calls_phase_name(enum calls_phase p);

#endif
