// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>

#include "json.h"

#define REPLACEMENT "\\ufffd"

/*
 * Length of the well-formed UTF-8 sequence at @p (at most @n bytes), or 0
 * when the first byte does not start one (RFC 3629, Table 3-7 of Unicode).
 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	/* The second byte's range rules out overlong forms, surrogates and > U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

void json_escape(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0, len;
	char esc[8];

	/* Bytes that need nothing are copied in runs. */
	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
			i++;
			continue;
		}
		len = p[i] >= 0x80 ? utf8_len(p + i, n - i) : 0;
		if (len) {
			i += len;
			continue;
		}
		sb_append(sb, s + run, i - run);
		if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = p[i];
			sb_append(sb, esc, 2);
		} else if (p[i] < 0x80) {
			snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
			sb_append(sb, esc, 6);
		} else {
			sb_append(sb, REPLACEMENT, strlen(REPLACEMENT));
		}
		run = ++i;
	}
	sb_append(sb, s + run, n - run);
}

void json_str(struct strbuf *sb, const char *s)
{
	sb_append(sb, "\"", 1);
	json_escape(sb, s, strlen(s));
	sb_append(sb, "\"", 1);
}
