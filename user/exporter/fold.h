/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Bounded cardinality of sip6xx_global_failures_total: the rows of a peers
 * snapshot as they are exported, with --top N (the N busiest sources per
 * direction and code, the rest summed into source="other") and --peers FILE
 * (a peer label from the longest matching prefix; unmatched sources kept with
 * peer="", or summed into source="other",peer="other").
 */
#ifndef SIP6XX_FOLD_H
#define SIP6XX_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include "maps.h"
#include "peer_names.h"

#define FOLD_OTHER "other" /* source (and peer) label value of the folded rest */

/* From the command line. */
struct fold_opts {
	unsigned int top;	/* --top N; 0: every source */
	const char *peers_file; /* --peers FILE; NULL: no peer label */
	bool unmatched_other;	/* --peers-unmatched other (default keep) */
};

/* What the exporter folds with: the options and the --peers table now in force. */
struct fold_config {
	struct fold_opts opts;
	struct peer_table *peers; /* NULL without --peers */
};

/* One exported series of sip6xx_global_failures_total on one interface. */
struct fold_row {
	struct peer_key key; /* direction, code, and (unless other) addr and family */
	bool other;	     /* the folded rest: source="other" */
	const char *peer;    /* peer label value ("" unmatched); NULL: no peer label */
	__u64 count;
};

/* Loads --peers, if given; 0, or -1 after logging "FILE:LINE: what is wrong". */
int fold_config_init(struct fold_config *fc, const struct fold_opts *opts);
/* After the privilege drop: 0 if --peers (if any) can still be read, else -1, logged. */
int fold_config_check_readable(const struct fold_config *fc);
/* SIGHUP: re-reads --peers; on failure logs why and keeps the table in force. */
void fold_config_reload(struct fold_config *fc);
void fold_config_free(struct fold_config *fc);

/*
 * Folds @peers (as peers_read() leaves them; any order) into @rows (malloc'd):
 * per direction and code, the kept sources in address order, then at most one
 * other row. Keys that differ only in ifindex (an interface re-created) are
 * summed. The counts of @rows add up to those of @peers, per direction and
 * code. @fc may be NULL: every source, no peer label. 0 or -ENOMEM.
 */
int fold_peers(const struct peer_count *peers, size_t nr, const struct fold_config *fc,
	       struct fold_row **rows, size_t *nr_rows);

#endif
