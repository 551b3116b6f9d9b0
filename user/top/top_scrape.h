/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* --url: the exporter's /metrics over HTTP (libcurl), when no pinned maps are at hand. */
#ifndef SIP6XX_TOP_SCRAPE_H
#define SIP6XX_TOP_SCRAPE_H

#include <stddef.h>
#include "top_counts.h"

#define TOP_SCRAPE_IFACES     64
#define TOP_SCRAPE_IFNAME_LEN 64

struct top_scrape {
	const char *url;	    /* may carry user:password; never printed */
	const char *shown_url;	    /* url without them, for messages */
	const char *cacert;	    /* CA file for https, or NULL for the system's */
	const char *const *ifnames; /* -i: only these interfaces; none: all */
	int nr_ifnames;
	/* Interfaces the last scrape named, for the header. */
	char seen[TOP_SCRAPE_IFACES][TOP_SCRAPE_IFNAME_LEN];
	int nr_seen;
};

/* One-time libcurl setup; 0 or -1. */
int top_scrape_init(void);
void top_scrape_cleanup(void);
/*
 * GETs the URL and fills @c (finished). Returns 0, or -1 after writing what
 * failed, naming the URL without its credentials, to @err.
 */
int top_scrape_read(struct top_scrape *sc, struct top_counts *c, char *err, size_t err_len);
/* Parses a /metrics body into @c (not finished); the interfaces go to sc->seen. */
int top_scrape_parse(struct top_scrape *sc, char *body, struct top_counts *c);
/*
 * Why the last scrape parsed had no call context, as the '-' line says it:
 * the exporter's --context-rate 0 when -i names an interface the scrape has
 * (or names none), else that the scrape has no such interface.
 */
void top_scrape_no_calls_why(const struct top_scrape *sc, char *out, size_t len);

#endif
