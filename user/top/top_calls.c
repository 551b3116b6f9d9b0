// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label_clean.h"
#include "top_calls.h"

/* One row per label: interfaces' rows of one caller summed. */
static void merge_duplicates(struct top_list *l)
{
	l->nr = label_count_merge(l->rows, l->nr);
}

int top_list_add(struct top_list *l, const char *label, double count)
{
	struct label_count *rows;

	l->present = true;
	if (!strcmp(label, TOP_LIST_OTHER) || l->full) {
		l->has_other = true;
		l->other += count;
		return 0;
	}
	if (l->nr == l->cap && l->cap >= TOP_LIST_RAW) {
		/* Rows are appended and merged in batches: no search per line of the scrape. */
		merge_duplicates(l);
		if (l->nr >= TOP_LIST_MAX) {
			l->full = true; /* a scrape no exporter writes: the rest is "other" */
			return top_list_add(l, TOP_LIST_OTHER, count);
		}
	}
	if (l->nr == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;

		rows = realloc(l->rows, ncap * sizeof(*rows));
		if (!rows)
			return -ENOMEM;
		l->rows = rows;
		l->cap = ncap;
	}
	label_clean(l->rows[l->nr].label, label, TOP_LABEL_LEN);
	l->rows[l->nr++].count = count;
	return 0;
}

void top_list_finish(struct top_list *l)
{
	size_t i;

	merge_duplicates(l);
	label_count_rank(l->rows, l->nr);
	for (i = TOP_LIST_MAX - 1; i < l->nr; i++) {
		l->other += l->rows[i].count;
		l->has_other = true;
	}
	if (l->nr > TOP_LIST_MAX - 1)
		l->nr = TOP_LIST_MAX - 1;
	if (!l->has_other)
		return;
	if (l->nr == l->cap) {
		struct label_count *rows = realloc(l->rows, (l->cap + 1) * sizeof(*rows));

		if (!rows)
			return; /* out of memory: the rest's row is not drawn */
		l->rows = rows;
		l->cap++;
	}
	snprintf(l->rows[l->nr].label, TOP_LABEL_LEN, "%s", TOP_LIST_OTHER);
	l->rows[l->nr++].count = l->other;
	l->has_other = false;
	l->other = 0;
}

void top_list_free(struct top_list *l)
{
	free(l->rows);
	memset(l, 0, sizeof(*l));
}

size_t top_list_head(const struct top_list *l, size_t rows, double *rest, bool *has_rest)
{
	size_t i, named = l->nr;

	if (named && !strcmp(l->rows[named - 1].label, TOP_LIST_OTHER))
		named--; /* top_list_finish put the rest last */
	if (rows > named)
		rows = named;
	*rest = 0;
	*has_rest = false;
	for (i = rows; i < l->nr; i++) {
		*rest += l->rows[i].count;
		*has_rest = true;
	}
	return rows;
}

void top_retx_ratio(double rejections, double retransmissions, bool approx, char *out, size_t len)
{
	double copies = rejections + retransmissions;

	if (copies > 0)
		snprintf(out, len, "%s%.1f%%", approx ? "~" : "", 100 * retransmissions / copies);
	else
		snprintf(out, len, "-");
}
