/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Counts by label, as the top callers and intermediaries are exported: rows
 * of the same label (one per interface) merged into one, then ranked by
 * count, highest first, ties by label.
 */
#ifndef SIP6XX_LABEL_COUNT_H
#define SIP6XX_LABEL_COUNT_H

#include <stddef.h>

#define LABEL_COUNT_LEN 128 /* as the exporter's labels: cut to 127 bytes */

struct label_count {
	char label[LABEL_COUNT_LEN];
	double count;
};

/* Sorts @rows by label and sums equal labels into one row; returns the rows left. */
size_t label_count_merge(struct label_count *rows, size_t nr);
/* Orders @rows by count, highest first; ties by label (strcmp). */
void label_count_rank(struct label_count *rows, size_t nr);

#endif
