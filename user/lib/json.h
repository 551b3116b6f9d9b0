/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one JSON string writer: Alertmanager bodies, the alert lines on stdout
 * and --log-format json all escape through it, so an operator's or a
 * packet's bytes can never end a string early or add a field.
 */
#ifndef SIP6XX_JSON_H
#define SIP6XX_JSON_H

#include <stddef.h>
#include "strbuf.h"

/*
 * Appends @n bytes of @s escaped for the inside of a JSON string (no quotes):
 * '"' and '\' get a backslash, control bytes and DEL become \u00XX, and each
 * byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF) becomes \ufffd.
 */
void json_escape(struct strbuf *sb, const char *s, size_t n);
/* @s (NUL-terminated) as a quoted JSON string. */
void json_str(struct strbuf *sb, const char *s);

#endif
