/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A growing text buffer for scrape bodies. */
#ifndef SIP6XX_STRBUF_H
#define SIP6XX_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	int failed; /* set when an allocation failed; the text is then incomplete */
};

void sb_init(struct strbuf *sb);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* @n bytes of @s, as they are. */
void sb_append(struct strbuf *sb, const char *s, size_t n);
/* Hands the buffer to the caller (free() it); the strbuf is empty afterwards. */
char *sb_steal(struct strbuf *sb, size_t *len);
void sb_free(struct strbuf *sb);

#endif
