/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One SIP message's bytes to the fields the transaction table and the call
 * metrics need, through libosip2. The bytes come from a packet: they may be
 * truncated, binary or hold NULs; every field is copied bounded.
 */
#ifndef SIP6XX_SIP_DECODE_H
#define SIP6XX_SIP_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#define SIP_DECODE_MAX_LEN  65535 /* longest message handed to libosip2; the rest is cut */
#define SIP_FIELD_LEN	    256	  /* Call-ID, URIs: longer values are cut */
#define SIP_TOKEN_LEN	    32	  /* methods, Reason protocols */
#define SIP_BRANCH_LEN	    128
#define SIP_REASON_TEXT_LEN 128
#define SIP_MAX_REASONS	    4 /* Reason values kept per message (RFC 3326: one per protocol) */
#define SIP_NO_CAUSE	    -1

struct sip_reason {
	char protocol[SIP_TOKEN_LEN];	/* "SIP", "Q.850", "STIR", ... as sent */
	int cause;			/* 0..99999, or SIP_NO_CAUSE when missing or not a number */
	char text[SIP_REASON_TEXT_LEN]; /* without its quotes; may be empty */
};

struct sip_msg {
	int status;		    /* 100..699 for a response, 0 for a request */
	char method[SIP_TOKEN_LEN]; /* request method; empty for a response */
	char call_id[SIP_FIELD_LEN];
	unsigned long cseq_num;
	char cseq_method[SIP_TOKEN_LEN];
	char branch[SIP_BRANCH_LEN]; /* top Via's branch parameter; may be empty */
	char from[SIP_FIELD_LEN];    /* URIs of From, To, the first P-Asserted-Identity */
	char to[SIP_FIELD_LEN];
	char pai[SIP_FIELD_LEN];
	char jwscard[SIP_FIELD_LEN]; /* URI of the first Call-Info with purpose=jwscard */
	bool has_jwscard;
	int nr_reasons;
	struct sip_reason reasons[SIP_MAX_REASONS];
};

/* Once, before any sip_decode(): libosip2's header tables (parser_init()). */
void sip_decode_init(void);

/*
 * Decodes @len bytes at @buf into @msg. Returns 0, or -EINVAL when libosip2
 * cannot parse it or it lacks a status line or request line, Call-ID or
 * CSeq: such a message is counted as unparsed by the caller, never fatal.
 */
int sip_decode(const void *buf, size_t len, struct sip_msg *msg);

#endif
