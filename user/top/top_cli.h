/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* sip6xx-top's command line: getopt_long, strict numbers, exit 2 on bad usage. */
#ifndef SIP6XX_TOP_CLI_H
#define SIP6XX_TOP_CLI_H

#include <stdbool.h>
#include "top_pinned.h"

#define TOP_DEFAULT_PIN_PATH "/sys/fs/bpf/sip6xx"

struct top_opts {
	const char *pin_path;
	const char *ifnames[TOP_MAX_IFACES];
	int nr_ifnames;
	char *url; /* malloc'd, /metrics appended when the URL has no path; NULL: pinned maps */
	char shown_url[256]; /* url without user name and password: the only form printed */
	const char *cacert;  /* --cacert: CA file for https; NULL: the system's */
	double interval;     /* seconds */
	bool ascii;
};

/* Fills @o; prints --help/--version and exits 0, or exits 2 naming the bad option. */
void top_cli_parse(int argc, char **argv, struct top_opts *o);

#endif
