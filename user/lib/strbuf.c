// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->failed = 0;
}

static int sb_grow(struct strbuf *sb, size_t need)
{
	size_t cap = sb->cap ? sb->cap : 4096;
	char *buf;

	while (cap < sb->len + need + 1)
		cap *= 2;
	if (cap == sb->cap)
		return 0;
	buf = realloc(sb->buf, cap);
	if (!buf) {
		sb->failed = 1;
		return -1;
	}
	sb->buf = buf;
	sb->cap = cap;
	return 0;
}

/* Formats straight into the room left, and again only when it did not fit. */
void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->failed || (!sb->cap && sb_grow(sb, 0)))
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = 1;
		return;
	}
	if ((size_t)n >= sb->cap - sb->len) {
		if (sb_grow(sb, n))
			return;
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += n;
}

void sb_append(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->failed || (sb->len + n + 1 > sb->cap && sb_grow(sb, n)))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

char *sb_steal(struct strbuf *sb, size_t *len)
{
	char *buf = sb->buf;

	if (len)
		*len = sb->len;
	sb_init(sb);
	return buf;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}
