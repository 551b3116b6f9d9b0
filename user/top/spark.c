// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <math.h>
#include <string.h>

#include "spark.h"

#define SPARK_LEVELS 8

static const char *const blocks[SPARK_LEVELS] = { "\u2581", "\u2582", "\u2583", "\u2584",
						  "\u2585", "\u2586", "\u2587", "\u2588" };
static const char ascii[SPARK_LEVELS + 1] = ".:-=+*#@";

void spark_push(struct spark *s, double v)
{
	s->v[s->head] = v;
	s->head = (s->head + 1) % SPARK_HISTORY;
	if (s->len < SPARK_HISTORY)
		s->len++;
}

/* The value @age refreshes ago (0: the newest). */
static double spark_at(const struct spark *s, size_t age)
{
	return s->v[(s->head + SPARK_HISTORY - 1 - age) % SPARK_HISTORY];
}

double spark_span(const struct spark *s, size_t width, double interval)
{
	return (width < s->len ? width : s->len) * interval;
}

double spark_max(const struct spark *s, size_t width)
{
	double max = 0;
	size_t age;

	for (age = 0; age < width && age < s->len; age++)
		if (spark_at(s, age) > max)
			max = spark_at(s, age);
	return max;
}

size_t spark_render(const struct spark *s, size_t width, double max, bool unicode, char *out)
{
	size_t n = width < s->len ? width : s->len, age, cols = 0;
	char *p = out;
	int level;

	for (age = n; age-- > 0; cols++) {
		double v = spark_at(s, age);

		if (!(v > 0) || !(max > 0)) {
			*p++ = ' ';
			continue;
		}
		/* Any non-zero rate shows at least the lowest level. */
		level = (int)ceil(v / max * SPARK_LEVELS) - 1;
		if (level < 0)
			level = 0;
		if (level >= SPARK_LEVELS)
			level = SPARK_LEVELS - 1;
		if (unicode) {
			memcpy(p, blocks[level], strlen(blocks[level]));
			p += strlen(blocks[level]);
		} else {
			*p++ = ascii[level];
		}
	}
	*p = '\0';
	return cols;
}
