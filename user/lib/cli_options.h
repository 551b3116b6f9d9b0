/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The command-line answers every sip6xx program gives alike. */
#ifndef SIP6XX_CLI_OPTIONS_H
#define SIP6XX_CLI_OPTIONS_H

#define EXIT_USAGE 2

/* How one program speaks on its command line. */
struct cli_usage {
	const char *prog;   /* in the --version line */
	const char *text;   /* --help */
	const char *prefix; /* before a usage error */
	const char *suffix; /* after it: where to look */
};

/*
 * The getopt cases every program answers alike: -h and -V exit 0 after
 * printing the help or the version; a missing value (':') or an unknown
 * option is a usage error (exit EXIT_USAGE). For the switch's default case.
 */
void cli_common_option(const struct cli_usage *u, int c, char *const argv[])
	__attribute__((noreturn));
/* After getopt: a usage error if an argument is left over. */
void cli_no_arguments(const struct cli_usage *u, int argc, char *const argv[]);

#endif
