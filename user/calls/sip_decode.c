// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * SIP message decoding with libosip2 (DESIGN.md: never a hand-written header
 * parser). libosip2 splits comma-separated values of every header, also the
 * ones it does not know, so each Reason or P-Asserted-Identity value arrives
 * alone; a Reason value has the grammar of a Content-Disposition
 * (token *(SEMI param)), so that parser reads its protocol and parameters.
 */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/headers/osip_content_disposition.h>

#include "sip_decode.h"

static pthread_once_t parser_once = PTHREAD_ONCE_INIT;

static void no_trace(const char *file, int line, osip_trace_level_t level, const char *fmt,
		     va_list ap)
{
}

static void parser_setup(void)
{
	parser_init();
	/*
	 * libosip2 traces every parse error to stderr unless given a function
	 * (disabling levels does not stop it): packets must not write our logs.
	 */
	osip_trace_initialize_func(END_TRACE_LEVEL, no_trace);
}

void sip_decode_init(void)
{
	pthread_once(&parser_once, parser_setup);
}

/* Copies at most @size - 1 bytes of @src; NULL copies as "". */
static void copy_field(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* Like copy_field(), without one pair of surrounding quotes or angle brackets. */
static void copy_unquoted(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= 2 &&
	    ((src[0] == '"' && src[n - 1] == '"') || (src[0] == '<' && src[n - 1] == '>'))) {
		n -= 2;
		src++;
	}
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* A decimal number of at most @max_digits digits, nothing else; -1 otherwise. */
static long parse_decimal(const char *s, int max_digits)
{
	long v = 0;
	int i;

	if (!s || !*s)
		return -1;
	for (i = 0; s[i]; i++) {
		if (i >= max_digits || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static const char *param_value(osip_list_t *params, const char *name)
{
	osip_generic_param_t *p = NULL;

	if (osip_generic_param_get_byname(params, (char *)name, &p) != OSIP_SUCCESS || !p)
		return NULL;
	return p->gvalue;
}

static void copy_uri(char *dst, size_t size, osip_uri_t *url)
{
	char *s = NULL;

	dst[0] = '\0';
	if (url && osip_uri_to_str(url, &s) == OSIP_SUCCESS)
		copy_field(dst, size, s);
	osip_free(s);
}

static void decode_via(osip_message_t *m, struct sip_msg *msg)
{
	osip_via_t *via = NULL;

	if (osip_message_get_via(m, 0, &via) >= 0 && via)
		copy_field(msg->branch, sizeof(msg->branch),
			   param_value(&via->via_params, "branch"));
}

/* The first P-Asserted-Identity value that parses as a name-addr. */
static void decode_pai(osip_message_t *m, struct sip_msg *msg)
{
	osip_header_t *h = NULL;
	osip_from_t *id;
	int pos = 0;

	while ((pos = osip_message_header_get_byname(m, "p-asserted-identity", pos, &h)) >= 0) {
		pos++;
		if (!h || !h->hvalue || osip_from_init(&id) != OSIP_SUCCESS)
			continue;
		if (osip_from_parse(id, h->hvalue) == OSIP_SUCCESS && id->url)
			copy_uri(msg->pai, sizeof(msg->pai), id->url);
		osip_from_free(id);
		if (msg->pai[0])
			return;
	}
}

/* RFC 8688: the intermediary's jCard is a Call-Info with purpose=jwscard. */
static void decode_call_info(osip_message_t *m, struct sip_msg *msg)
{
	osip_call_info_t *ci = NULL;
	const char *purpose;
	int pos;

	for (pos = 0; osip_message_get_call_info(m, pos, &ci) >= 0; pos++) {
		if (!ci)
			continue;
		purpose = param_value(&ci->gen_params, "purpose");
		if (purpose && !strcasecmp(purpose, "jwscard")) {
			msg->has_jwscard = true;
			copy_unquoted(msg->jwscard, sizeof(msg->jwscard), ci->element);
			return;
		}
	}
}

static void decode_reason_value(const char *value, struct sip_reason *r)
{
	osip_content_disposition_t *cd = NULL;

	memset(r, 0, sizeof(*r));
	r->cause = SIP_NO_CAUSE;
	if (osip_content_disposition_init(&cd) != OSIP_SUCCESS)
		return;
	if (osip_content_disposition_parse(cd, value) == OSIP_SUCCESS) {
		copy_field(r->protocol, sizeof(r->protocol), cd->element);
		r->cause = parse_decimal(param_value(&cd->gen_params, "cause"), 5);
		copy_unquoted(r->text, sizeof(r->text), param_value(&cd->gen_params, "text"));
	}
	osip_content_disposition_free(cd);
}

static void decode_reasons(osip_message_t *m, struct sip_msg *msg)
{
	osip_header_t *h = NULL;
	int pos = 0;

	while (msg->nr_reasons < SIP_MAX_REASONS &&
	       (pos = osip_message_header_get_byname(m, "reason", pos, &h)) >= 0) {
		pos++;
		if (!h || !h->hvalue)
			continue;
		decode_reason_value(h->hvalue, &msg->reasons[msg->nr_reasons]);
		if (msg->reasons[msg->nr_reasons].protocol[0])
			msg->nr_reasons++;
	}
}

/* Status or method, Call-ID and CSeq: without them there is no transaction. */
static int decode_required(osip_message_t *m, struct sip_msg *msg)
{
	char *call_id = NULL;
	long num;

	if (MSG_IS_RESPONSE(m)) {
		if (m->status_code < 100 || m->status_code > 699)
			return -EINVAL;
		msg->status = m->status_code;
	} else {
		if (!m->sip_method || !m->sip_method[0])
			return -EINVAL;
		copy_field(msg->method, sizeof(msg->method), m->sip_method);
	}
	if (!m->call_id || osip_call_id_to_str(m->call_id, &call_id) != OSIP_SUCCESS)
		return -EINVAL;
	copy_field(msg->call_id, sizeof(msg->call_id), call_id);
	osip_free(call_id);
	if (!m->cseq || !m->cseq->method)
		return -EINVAL;
	/* RFC 3261 8.1.1.5: the sequence number is below 2**31. */
	num = parse_decimal(m->cseq->number, 10);
	if (num < 0 || num > 0x7fffffffL)
		return -EINVAL;
	msg->cseq_num = num;
	copy_field(msg->cseq_method, sizeof(msg->cseq_method), m->cseq->method);
	return msg->call_id[0] ? 0 : -EINVAL;
}

/*
 * A message cut short (a sample's byte limit, a capture's snap length) ends
 * inside a header line, which libosip2 refuses whole. Without the blank line
 * that ends the headers, decode up to the last complete line instead.
 */
static size_t complete_lines(const char *buf, size_t len)
{
	const char *nl;

	if (memmem(buf, len, "\r\n\r\n", 4) || memmem(buf, len, "\n\n", 2))
		return len;
	nl = memrchr(buf, '\n', len);
	return nl ? (size_t)(nl - buf) + 1 : len;
}

int sip_decode(const void *buf, size_t len, struct sip_msg *msg)
{
	osip_message_t *m = NULL;
	int err;

	memset(msg, 0, sizeof(*msg));
	if (!buf || !len)
		return -EINVAL;
	if (len > SIP_DECODE_MAX_LEN)
		len = SIP_DECODE_MAX_LEN;
	len = complete_lines(buf, len);
	sip_decode_init();
	if (osip_message_init(&m) != OSIP_SUCCESS)
		return -ENOMEM;
	err = osip_message_parse(m, buf, len) == OSIP_SUCCESS ? 0 : -EINVAL;
	if (!err)
		err = decode_required(m, msg);
	if (!err) {
		decode_via(m, msg);
		if (m->from)
			copy_uri(msg->from, sizeof(msg->from), m->from->url);
		if (m->to)
			copy_uri(msg->to, sizeof(msg->to), m->to->url);
		decode_pai(m, msg);
		decode_call_info(m, msg);
		decode_reasons(m, msg);
	}
	osip_message_free(m);
	if (err)
		memset(msg, 0, sizeof(*msg));
	return err;
}
