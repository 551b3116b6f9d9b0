/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A rate history and its sparkline: one column per refresh, newest on the right. */
#ifndef SIP6XX_SPARK_H
#define SIP6XX_SPARK_H

#include <stdbool.h>
#include <stddef.h>

#define SPARK_HISTORY 3600 /* an hour at one refresh a second */

struct spark {
	double v[SPARK_HISTORY];
	size_t head; /* next slot to write */
	size_t len;
};

void spark_push(struct spark *s, double v);
/*
 * Seconds the last @width columns cover at one per @interval: only as many as
 * the history holds, so a fresh view does not claim a span it has not seen.
 */
double spark_span(const struct spark *s, size_t width, double interval);
/* The largest of the last @width values. */
double spark_max(const struct spark *s, size_t width);
/*
 * The last @width values (fewer while the history is short) as one character
 * each, scaled to @max: Unicode blocks U+2581..U+2588 when @unicode, else
 * ".:-=+*#@"; a space for zero. Writes a NUL-terminated string to @out, which
 * needs 3 * @width + 1 bytes, and returns the number of columns written.
 */
size_t spark_render(const struct spark *s, size_t width, double max, bool unicode, char *out);

#endif
