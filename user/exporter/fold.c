// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fold.h"
#include "log.h"

int fold_config_init(struct fold_config *fc, const struct fold_opts *opts)
{
	char err[PEER_ERR_LEN];

	fc->opts = *opts;
	fc->peers = NULL;
	if (!opts->peers_file)
		return 0;
	fc->peers = peer_table_load(opts->peers_file, err, sizeof(err));
	if (!fc->peers) {
		pr_err("--peers %s\n", err);
		return -1;
	}
	pr_info("--peers %s: %zu prefixes\n", opts->peers_file, peer_table_size(fc->peers));
	return 0;
}

int fold_config_check_readable(const struct fold_config *fc)
{
	FILE *f;

	if (!fc->opts.peers_file)
		return 0;
	f = fopen(fc->opts.peers_file, "re");
	if (!f) {
		pr_err("--peers %s: the exporter now runs as uid %u and cannot read it (%s), so "
		       "SIGHUP could not re-read it: make it readable to that user (--user), or "
		       "put it where that user can read it\n",
		       fc->opts.peers_file, (unsigned int)geteuid(), strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

void fold_config_reload(struct fold_config *fc)
{
	char err[PEER_ERR_LEN];
	struct peer_table *t;

	if (!fc->opts.peers_file) {
		pr_info("SIGHUP: nothing to reload (no --peers)\n");
		return;
	}
	t = peer_table_load(fc->opts.peers_file, err, sizeof(err));
	if (!t) {
		/* After start-up the exporter runs as --user (nobody), not as root. */
		pr_err("SIGHUP: reloading --peers %s%s; keeping the %zu prefixes loaded before\n",
		       err,
		       access(fc->opts.peers_file, R_OK) && errno == EACCES
			       ? " (it must be readable by the --user the exporter runs as)"
			       : "",
		       peer_table_size(fc->peers));
		return;
	}
	/* Scrapes run in the same poll() loop, so no row points into the old table now. */
	peer_table_free(fc->peers);
	fc->peers = t;
	pr_info("SIGHUP: reloaded --peers %s: %zu prefixes\n", fc->opts.peers_file,
		peer_table_size(t));
}

void fold_config_free(struct fold_config *fc)
{
	peer_table_free(fc->peers);
	fc->peers = NULL;
}

static int group_cmp(const struct fold_row *x, const struct fold_row *y)
{
	if (x->key.direction != y->key.direction)
		return x->key.direction < y->key.direction ? -1 : 1;
	if (x->key.code != y->key.code)
		return x->key.code < y->key.code ? -1 : 1;
	return 0;
}

static int addr_cmp(const struct fold_row *x, const struct fold_row *y)
{
	int c = memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));

	if (c)
		return c;
	return x->key.family < y->key.family ? -1 : x->key.family > y->key.family;
}

/* Direction, code, then source: the order rows are exported in. */
static int source_order(const void *a, const void *b)
{
	int c = group_cmp(a, b);

	return c ? c : addr_cmp(a, b);
}

/* Within one group: the rows bound for "other" last, then the busiest first, then by source. */
static int rank_order(const void *a, const void *b)
{
	const struct fold_row *x = a, *y = b;

	if (x->other != y->other)
		return x->other ? 1 : -1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return addr_cmp(x, y);
}

/* Fills @w from @peers, with peer names; returns how many rows. */
static size_t rows_from_peers(const struct peer_count *peers, size_t nr,
			      const struct fold_config *fc, struct fold_row *w)
{
	const struct peer_table *names = fc ? fc->peers : NULL;
	size_t i;

	for (i = 0; i < nr; i++) {
		struct fold_row *r = &w[i];

		r->key = peers[i].key;
		r->key.ifindex = 0; /* exported per interface name, not per ifindex */
		r->key.direction = r->key.direction ? SIP6XX_DIR_TX : SIP6XX_DIR_RX;
		r->count = peers[i].count;
		r->other = false;
		r->peer = NULL;
		if (!names)
			continue;
		r->peer = peer_table_lookup(names, r->key.addr, r->key.family);
		if (!r->peer) {
			r->other = fc->opts.unmatched_other;
			r->peer = r->other ? FOLD_OTHER : "";
		}
	}
	return nr;
}

/*
 * One direction and code, @w[0..n) in source order; writes its rows to @out,
 * which may lie at or before @w in the same array: rows never outnumber sources.
 */
static size_t fold_group(struct fold_row *w, size_t n, const struct fold_config *fc,
			 struct fold_row *out)
{
	unsigned int top = fc ? fc->opts.top : 0;
	struct fold_row other = { .key = w[0].key, .other = true };
	size_t i, kept = 0, nr_out = 0, folded = 0;

	for (i = 0; i < n; i++)
		kept += !w[i].other;
	if (top && kept > top) {
		/* Mark the sources below the top N, then put the rest back in source order. */
		qsort(w, n, sizeof(*w), rank_order);
		for (i = top; i < kept; i++)
			w[i].other = true;
		qsort(w, top, sizeof(*w), source_order);
	}
	for (i = 0; i < n; i++) {
		if (w[i].other) {
			other.count += w[i].count;
			folded++;
		} else {
			out[nr_out++] = w[i];
		}
	}
	if (folded) {
		memset(other.key.addr, 0, sizeof(other.key.addr));
		other.key.family = 0;
		other.peer = fc && fc->peers ? FOLD_OTHER : NULL;
		out[nr_out++] = other;
	}
	return nr_out;
}

int fold_peers(const struct peer_count *peers, size_t nr, const struct fold_config *fc,
	       struct fold_row **rows, size_t *nr_rows)
{
	struct fold_row *w = malloc((nr ? nr : 1) * sizeof(*w));
	size_t i, n, merged = 0, start, nr_out = 0;

	if (!w)
		return -ENOMEM;
	n = rows_from_peers(peers, nr, fc, w);
	qsort(w, n, sizeof(*w), source_order);
	for (i = 0; i < n; i++) {
		if (merged && !source_order(&w[merged - 1], &w[i]))
			w[merged - 1].count += w[i].count;
		else
			w[merged++] = w[i];
	}
	/*
	 * Folded in place: a group yields at most as many rows as it has
	 * sources, so the rows written never reach a group not yet read.
	 */
	for (start = 0; start < merged; start = i) {
		for (i = start + 1; i < merged && !group_cmp(&w[start], &w[i]); i++)
			;
		nr_out += fold_group(&w[start], i - start, fc, &w[nr_out]);
	}
	*rows = w;
	*nr_rows = nr_out;
	return 0;
}
