// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_options.h"
#include "log.h"
#include "sip6xx.h"
#include "version.h"

void cli_common_option(const struct cli_usage *u, int c, char *const argv[])
{
	switch (c) {
	case 'h':
		fputs(u->text, stdout);
		exit(0);
	case 'V':
		printf("%s %s (BPF contract %d)\n", u->prog, sip6xx_version,
		       SIP6XX_CONTRACT_VERSION);
		exit(0);
	case ':':
		log_exit(EXIT_USAGE, u->prefix, u->suffix, "%s needs a value", argv[optind - 1]);
	default:
		log_exit(EXIT_USAGE, u->prefix, u->suffix, "unknown option '%s'", argv[optind - 1]);
	}
}

void cli_no_arguments(const struct cli_usage *u, int argc, char *const argv[])
{
	if (optind < argc)
		log_exit(EXIT_USAGE, u->prefix, u->suffix, "unexpected argument '%s'",
			 argv[optind]);
}
