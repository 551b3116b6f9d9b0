/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The command line: getopt_long, strict numbers, one-line errors and exit 2. */
#ifndef SIP6XX_CLI_H
#define SIP6XX_CLI_H

#include <stdbool.h>

#include "alert/alert_sampler.h"
#include "fold.h"
#include "http/http_server.h"
#include "attach.h"
#include "metrics.h"
#include "calls/calls.h"

#define CALLERS_KEY_MIN 16   /* --callers-hash: bytes of key at least */
#define CALLERS_KEY_MAX 1024 /* and at most */

#define MAX_IFACES 64

struct options {
	const char *ifnames[MAX_IFACES];
	int nr_ifaces;
	enum attach_mode mode;
	const char *listen;
	const char *web_config; /* --web-config FILE; NULL: plain HTTP, no auth */
	struct listen_addr listen_addr;
	struct loader_opts lopts;
	const char *replay;
	enum metrics_format format;
	bool format_given;
	struct alerting_opts alert;
	struct fold_opts fold;	       /* --top, --peers, --peers-unmatched */
	bool detach;		       /* --detach: remove what --pin-path left, then exit */
	const char *user;	       /* --user; NULL: nobody when started as root */
	struct calls_opts calls;       /* --transactions, --callers, --intermediaries, ... */
	const char *callers_hash_file; /* --callers-hash KEYFILE */
	unsigned char callers_key[CALLERS_KEY_MAX]; /* its bytes, read by cli_parse() */
};

/* Fills @o from the command line; prints --help/--version and exits, or exits 2 on bad usage. */
void cli_parse(int argc, char **argv, struct options *o);

#endif
