// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Canonical caller identities. The URI is parsed by libosip2; what is left
 * here is telling a phone number from a name. A number counts as E.164 only
 * when it is global: it starts with "+" (RFC 3966 global-number), or a
 * tel: local number carries a global phone-context. A national number
 * without one cannot be made E.164 without guessing the country, so it stays
 * user@host.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <nettle/hmac.h>
#include <osipparser2/osip_parser.h>

#include "caller_id.h"

/* RFC 3966 visual separators, which carry no digit. */
static bool is_visual_separator(char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

/*
 * Appends the digits of the @len bytes at @s to @digits (holding *@nr) when
 * they are digits and visual separators only; false otherwise or past E.164.
 */
static bool append_digits(const char *s, size_t len, char *digits, size_t *nr)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (is_visual_separator(s[i]))
			continue;
		if (!isdigit((unsigned char)s[i]) || *nr >= E164_MAX_DIGITS)
			return false;
		digits[(*nr)++] = s[i];
	}
	return true;
}

/* "+digits" into @out from a global number of @len bytes (its "+" first). */
static int e164(const char *s, size_t len, char *out, size_t size)
{
	char digits[E164_MAX_DIGITS + 1];
	size_t nr = 0;

	if (!len || s[0] != '+' || !append_digits(s + 1, len - 1, digits, &nr) || !nr)
		return -EINVAL;
	digits[nr] = '\0';
	snprintf(out, size, "+%s", digits);
	return 0;
}

static void lower_copy(char *out, size_t size, const char *user, size_t user_len, const char *host)
{
	size_t n = 0, i;

	for (i = 0; i < user_len && n + 1 < size; i++)
		out[n++] = tolower((unsigned char)user[i]);
	if (user_len && host && *host && n + 1 < size)
		out[n++] = '@';
	for (i = 0; host && host[i] && n + 1 < size; i++)
		out[n++] = tolower((unsigned char)host[i]);
	out[n] = '\0';
}

/* The value of parameter @name in ";a=b;c=d" (@params, @len bytes long), or NULL. */
static const char *tel_param(const char *params, size_t len, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name), i = 0, end;

	while (i < len) {
		for (end = i; end < len && params[end] != ';'; end++)
			;
		if (end - i > nlen && !strncasecmp(params + i, name, nlen) &&
		    params[i + nlen] == '=') {
			*vlen = end - i - nlen - 1;
			return params + i + nlen + 1;
		}
		i = end + 1;
	}
	return NULL;
}

/* RFC 3966: global-number, or local-number ";phone-context=" a global prefix or a domain. */
static int tel_canonical(const char *s, char *out, size_t size)
{
	char digits[E164_MAX_DIGITS + 1];
	size_t len = strcspn(s, ";"), ctx_len = 0, nr = 0;
	const char *ctx;
	char domain[CALLER_ID_LEN];

	if (s[0] == '+')
		return e164(s, len, out, size);
	ctx = tel_param(s + len, strlen(s + len), "phone-context", &ctx_len);
	if (!ctx || !ctx_len)
		return -EINVAL;
	if (ctx[0] == '+') {
		if (!append_digits(ctx + 1, ctx_len - 1, digits, &nr) ||
		    !append_digits(s, len, digits, &nr) || !nr)
			return -EINVAL;
		digits[nr] = '\0';
		snprintf(out, size, "+%s", digits);
		return 0;
	}
	snprintf(domain, sizeof(domain), "%.*s", (int)ctx_len, ctx);
	lower_copy(out, size, s, len, domain);
	return 0;
}

int caller_id_canonical(const char *uri, char *out, size_t size)
{
	osip_uri_t *u = NULL;
	const char *user;
	size_t user_len;
	int err = -EINVAL;

	if (!size)
		return -EINVAL;
	out[0] = '\0';
	if (!uri || !*uri || osip_uri_init(&u) != OSIP_SUCCESS)
		return -EINVAL;
	if (osip_uri_parse(u, uri) != OSIP_SUCCESS || !u->scheme)
		goto out;
	if (!strcasecmp(u->scheme, "tel")) {
		if (u->string)
			err = tel_canonical(u->string, out, size);
	} else if (!strcasecmp(u->scheme, "sip") || !strcasecmp(u->scheme, "sips")) {
		user = u->username ? u->username : "";
		/* A telephone-subscriber user part may carry ";isub=" and the like. */
		user_len = strcspn(user, ";");
		err = e164(user, user_len, out, size);
		if (err && u->host && *u->host) {
			lower_copy(out, size, user, user_len, u->host);
			err = 0;
		}
	}
out:
	osip_uri_free(u);
	if (err)
		out[0] = '\0';
	return err;
}

int caller_id_of(const struct sip_msg *msg, char *out, size_t size)
{
	if (!caller_id_canonical(msg->pai, out, size))
		return 0;
	return caller_id_canonical(msg->from, out, size);
}

/* RFC 3986 3.2: the host of "scheme://[userinfo@]host[:port]/...", or 0 bytes. */
static size_t authority_host(const char *uri, const char **host)
{
	const char *a = strstr(uri, "://"), *at;
	size_t len;

	if (!a)
		return 0;
	a += 3;
	len = strcspn(a, "/?#");
	at = memchr(a, '@', len);
	if (at) {
		len -= at + 1 - a;
		a = at + 1;
	}
	*host = a;
	if (len && a[0] == '[') { /* an IPv6 literal, its brackets kept */
		const char *close = memchr(a, ']', len);

		return close ? (size_t)(close + 1 - a) : 0;
	}
	return strcspn(a, ":/?#") < len ? strcspn(a, ":/?#") : len;
}

int caller_id_host(const char *uri, char *out, size_t size)
{
	char host[CALLER_ID_LEN];
	const char *h = NULL;
	osip_uri_t *u = NULL;
	size_t len;
	int err = -EINVAL;

	if (!size)
		return -EINVAL;
	out[0] = '\0';
	if (!uri || !*uri)
		return -EINVAL;
	len = authority_host(uri, &h);
	if (len) { /* https: as RFC 8688 has it; libosip2 parses SIP URIs only */
		snprintf(host, sizeof(host), "%.*s", (int)len, h);
		lower_copy(out, size, "", 0, host);
		return 0;
	}
	if (osip_uri_init(&u) != OSIP_SUCCESS)
		return -EINVAL;
	if (osip_uri_parse(u, uri) == OSIP_SUCCESS && u->host && *u->host) {
		lower_copy(out, size, "", 0, u->host);
		err = 0;
	}
	osip_uri_free(u);
	return err;
}

void caller_id_hash(const void *key, size_t key_len, const char *id,
		    char out[CALLER_HASH_CHARS + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct hmac_sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	int i;

	hmac_sha256_set_key(&ctx, key_len, key);
	hmac_sha256_update(&ctx, strlen(id), (const uint8_t *)id);
	hmac_sha256_digest(&ctx, sizeof(digest), digest);
	for (i = 0; i < CALLER_HASH_CHARS / 2; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[CALLER_HASH_CHARS] = '\0';
}
