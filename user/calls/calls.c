// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The decisions of DESIGN.md's "Packets, transactions, calls". A transaction
 * is keyed as RFC 3261 17.1.3 matches responses to client transactions (top
 * Via branch and CSeq method), plus Call-ID, CSeq number, code, direction and
 * both addresses and ports, so two observers' views or two legs never merge.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "caller_id.h"
#include "calls.h"
#include "top_table.h"
#include "txn_table.h"

#define CALLS_METHOD_NAME(m) #m,
static const char *const method_names[CALLS_NR_METHODS] = { CALLS_METHODS(
	CALLS_METHOD_NAME) "other" };
static const char *const protocol_names[CALLS_NR_PROTOCOLS] = { "SIP", "Q.850", "STIR", "other" };
static const char *const phase_names[CALLS_NR_PHASES] = { "setup", "midcall", "cancel" };

const char *calls_method_name(enum calls_method m)
{
	return m < CALLS_NR_METHODS ? method_names[m] : "other";
}

/* Methods are case-sensitive (RFC 3261 7.1): "invite" is no INVITE. */
enum calls_method calls_method_of(const char *method)
{
	int m;

	for (m = 0; m < CALLS_METHOD_OTHER; m++)
		if (!strcmp(method, method_names[m]))
			return m;
	return CALLS_METHOD_OTHER;
}

const char *calls_protocol_name(enum calls_protocol p)
{
	return p < CALLS_NR_PROTOCOLS ? protocol_names[p] : "other";
}

/* Protocol tokens compare case-insensitively, as RFC 3261 7.3.1 has header tokens compare. */
enum calls_protocol calls_protocol_of(const char *protocol)
{
	int p;

	for (p = 0; p < CALLS_PROTO_OTHER; p++)
		if (!strcasecmp(protocol, protocol_names[p]))
			return p;
	return CALLS_PROTO_OTHER;
}

const char *calls_phase_name(enum calls_phase p)
{
	return p < CALLS_NR_PHASES ? phase_names[p] : "other";
}

struct calls *calls_new_opts(const struct calls_opts *o)
{
	size_t capacity = o->transactions ? o->transactions : TXN_DEFAULT_CAPACITY;
	struct calls *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	sip_decode_init();
	c->txns = txn_table_new(capacity, TXN_TTL_MS);
	c->calls_seen = txn_table_new(capacity, CALLS_SEEN_TTL_MS);
	if (o->callers)
		c->callers = top_table_new(o->callers, o->window_ms);
	if (o->intermediaries)
		c->intermediaries = top_table_new(o->intermediaries, o->window_ms);
	c->hash_key = o->hash_key;
	c->hash_key_len = o->hash_key_len;
	if (!c->txns || !c->calls_seen || (o->callers && !c->callers) ||
	    (o->intermediaries && !c->intermediaries)) {
		calls_free(c);
		return NULL;
	}
	return c;
}

struct calls *calls_new(size_t capacity)
{
	struct calls_opts o = { .transactions = capacity };

	return calls_new_opts(&o);
}

void calls_free(struct calls *c)
{
	if (!c)
		return;
	txn_table_free(c->txns);
	txn_table_free(c->calls_seen);
	top_table_free(c->callers);
	top_table_free(c->intermediaries);
	free(c);
}

void calls_expire(struct calls *c, __u64 now_ms)
{
	txn_table_expire(c->txns, now_ms);
	txn_table_expire(c->calls_seen, now_ms);
	if (c->callers)
		top_table_advance(c->callers, now_ms);
	if (c->intermediaries)
		top_table_advance(c->intermediaries, now_ms);
}

/*
 * One rejection of @m's caller, when callers are kept and it names one. A
 * 6xx response and a CANCEL carry the caller's From (and P-Asserted-Identity);
 * a BYE with a 6xx cause comes from the callee, whose own URI is its From
 * (RFC 3261 12.2.1.1: in a dialog, From is the sender's local URI), so the
 * caller it rejects is its To.
 */
static void caller_rejected(struct calls *c, const struct calls_frame *f, const struct sip_msg *m)
{
	char id[CALLER_ID_LEN];
	int err;

	if (!c->callers)
		return;
	if (!m->status && !strcmp(m->method, "BYE"))
		err = caller_id_canonical(m->to, id, sizeof(id));
	else
		err = caller_id_of(m, id, sizeof(id));
	if (!err)
		top_table_add(c->callers, id, f->time_ms);
}

/* The first message of its transaction, or a repeat of one seen within 64*T1. */
static enum txn_seen see_transaction(struct calls *c, const struct calls_frame *f,
				     const struct sip_msg *m)
{
	struct txn_key k;

	txn_key_init(c->txns, &k);
	txn_key_add(&k, &f->dir, sizeof(f->dir));
	txn_key_add(&k, &f->family, sizeof(f->family));
	txn_key_add(&k, f->saddr, sizeof(f->saddr));
	txn_key_add(&k, f->daddr, sizeof(f->daddr));
	txn_key_add(&k, &f->sport, sizeof(f->sport));
	txn_key_add(&k, &f->dport, sizeof(f->dport));
	txn_key_add_u64(&k, m->status);
	txn_key_add_str(&k, m->method);
	txn_key_add_str(&k, m->call_id);
	txn_key_add_u64(&k, m->cseq_num);
	txn_key_add_str(&k, m->cseq_method);
	txn_key_add_str(&k, m->branch);
	return txn_table_see(c->txns, &k, f->time_ms);
}

/* A call counts once per direction, code and phase, however many transactions reject it. */
static void call_rejected(struct calls *c, const struct calls_frame *f, const struct sip_msg *m,
			  unsigned int code, enum calls_phase phase)
{
	struct txn_key k;

	txn_key_init(c->calls_seen, &k);
	txn_key_add(&k, &f->dir, sizeof(f->dir));
	txn_key_add_str(&k, m->call_id);
	txn_key_add_u64(&k, code);
	txn_key_add_u64(&k, phase);
	if (txn_table_see(c->calls_seen, &k, f->time_ms) == TXN_NEW)
		c->st.calls_rejected[f->dir][code - CALLS_CODE_MIN][phase]++;
}

static void response_6xx(struct calls *c, const struct calls_frame *f, const struct sip_msg *m)
{
	unsigned int code = m->status, i = code - CALLS_CODE_MIN;

	if (see_transaction(c, f, m) == TXN_REPEAT) {
		c->st.retransmissions[f->dir][i]++;
		return;
	}
	c->st.rejections[f->dir][i][calls_method_of(m->cseq_method)]++;
	caller_rejected(c, f, m);
	/* Only an INVITE sets up a call; a 6xx to SUBSCRIBE or MESSAGE rejects no call. */
	if (!strcmp(m->cseq_method, "INVITE"))
		call_rejected(c, f, m, code, CALLS_PHASE_SETUP);
	/* RFC 8688: a 608 names the intermediary's jCard, unless the request was malicious. */
	if (code == 608 && !m->has_jwscard)
		c->st.missing_call_info[f->dir]++;
	if (code == 608 && m->has_jwscard && c->intermediaries) {
		char host[CALLER_ID_LEN];

		if (!caller_id_host(m->jwscard, host, sizeof(host)))
			top_table_add(c->intermediaries, host, f->time_ms);
	}
}

static unsigned int cause_index(int cause)
{
	return cause >= 0 && cause <= CALLS_MAX_CAUSE ? (unsigned int)cause : CALLS_CAUSE_OTHER;
}

/* BYE and CANCEL: each Reason value once per transaction; a SIP 6xx cause rejects the call. */
static void request_reason(struct calls *c, const struct calls_frame *f, const struct sip_msg *m,
			   enum calls_reason_method rm)
{
	enum calls_phase phase = rm == CALLS_REASON_BYE ? CALLS_PHASE_MIDCALL : CALLS_PHASE_CANCEL;
	enum calls_protocol proto;
	bool rejected = false;
	int i;

	if (!m->nr_reasons || see_transaction(c, f, m) == TXN_REPEAT)
		return;
	for (i = 0; i < m->nr_reasons; i++) {
		proto = calls_protocol_of(m->reasons[i].protocol);
		c->st.reasons[f->dir][rm][proto][cause_index(m->reasons[i].cause)]++;
		if (proto == CALLS_PROTO_SIP && m->reasons[i].cause >= CALLS_CODE_MIN &&
		    m->reasons[i].cause < CALLS_CODE_MIN + CALLS_NR_CODES) {
			call_rejected(c, f, m, m->reasons[i].cause, phase);
			rejected = true;
		}
	}
	/* The caller once per transaction, however many 6xx causes it carries. */
	if (rejected)
		caller_rejected(c, f, m);
}

void calls_observe_msg(struct calls *c, const struct calls_frame *f, const struct sip_msg *m)
{
	if (f->dir >= SIP6XX_NR_DIRS)
		return;
	if (m->status >= CALLS_CODE_MIN && m->status < CALLS_CODE_MIN + CALLS_NR_CODES)
		response_6xx(c, f, m);
	else if (!m->status && !strcmp(m->method, "BYE"))
		request_reason(c, f, m, CALLS_REASON_BYE);
	else if (!m->status && !strcmp(m->method, "CANCEL"))
		request_reason(c, f, m, CALLS_REASON_CANCEL);
}

void calls_observe(struct calls *c, const struct calls_frame *f, const void *msg, size_t len)
{
	struct sip_msg m;

	if (f->dir >= SIP6XX_NR_DIRS)
		return;
	c->st.samples[f->dir]++;
	if (sip_decode(msg, len, &m)) {
		c->st.unparsed[f->dir]++;
		return;
	}
	calls_observe_msg(c, f, &m);
}
