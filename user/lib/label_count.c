// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>

#include "label_count.h"

static int by_label(const void *a, const void *b)
{
	return strcmp(((const struct label_count *)a)->label,
		      ((const struct label_count *)b)->label);
}

static int by_count(const void *a, const void *b)
{
	const struct label_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->label, y->label);
}

size_t label_count_merge(struct label_count *rows, size_t nr)
{
	size_t i, out = 0;

	if (!nr)
		return 0; /* rows may be NULL: qsort must not see it */
	qsort(rows, nr, sizeof(*rows), by_label);
	for (i = 0; i < nr; i++) {
		if (out && !strcmp(rows[out - 1].label, rows[i].label))
			rows[out - 1].count += rows[i].count;
		else
			rows[out++] = rows[i];
	}
	return out;
}

void label_count_rank(struct label_count *rows, size_t nr)
{
	if (nr)
		qsort(rows, nr, sizeof(*rows), by_count);
}
