/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Just enough of the Prometheus text format (0.0.4) to read sip6xx's own /metrics. */
#ifndef SIP6XX_PROM_TEXT_H
#define SIP6XX_PROM_TEXT_H

#include <stddef.h>

#define PROM_MAX_LABELS	   8
#define PROM_NAME_LEN	   128
#define PROM_LABEL_VAL_LEN 128

struct prom_sample {
	char name[PROM_NAME_LEN];
	int nr_labels;
	struct {
		char name[PROM_NAME_LEN];
		char value[PROM_LABEL_VAL_LEN]; /* unescaped */
	} labels[PROM_MAX_LABELS];
	double value;
};

/*
 * Parses one line, without its newline. Returns 1 for a sample, 0 for a blank
 * or comment line, -1 for a line it cannot read (too many or too long labels
 * included: sip6xx never writes those).
 */
int prom_parse_line(const char *line, struct prom_sample *s);
/* The value of label @name, or NULL. */
const char *prom_label(const struct prom_sample *s, const char *name);

#endif
