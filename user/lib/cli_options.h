/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Each program's options as one table, in the spirit of xdp-tools'
 * params.h: every row gives an option's name, letter, value, help text,
 * default and handler once, and getopt_long's long options, its short
 * option string and --help (so the help2man page too) are made from it.
 */
#ifndef SIP6XX_CLI_OPTIONS_H
#define SIP6XX_CLI_OPTIONS_H

#include <stdio.h>
#include "log.h"

#define EXIT_USAGE 2

enum cli_builtin {
	CLI_CALL = 0, /* the row's set() */
	CLI_HELP,     /* print --help, exit 0 */
	CLI_VERSION,  /* print the version line, exit 0 */
};

struct cli_option {
	const char *name;  /* --name; NULL: a row of --help text only */
	char letter;	   /* -x, or 0 for a long option only */
	const char *value; /* the value's name in --help; NULL: the option takes none */
	/* Called with the program's context and the value (NULL without one). */
	void (*set)(void *ctx, const char *value);
	const char *help; /* one sentence or more, wrapped to the terminal's 80 columns */
	const char *def;  /* printed as "(default: DEF)" after the help; NULL: none */
	enum cli_builtin builtin;
	unsigned int flags; /* the program's own marks, handed to given() */
};

/* One row: --NAME (and -LETTER), VALUE (NULL: none), set(), help, default (NULL: none). */
#define CLI_OPT(name, letter, value, set, help, def)                                               \
	{                                                                                          \
		name, letter, value, set, help, def, CLI_CALL, 0                                   \
	}
#define CLI_TEXT(text)                                                                             \
	{                                                                                          \
		NULL, 0, NULL, NULL, text, NULL, CLI_CALL, 0                                       \
	}
#define CLI_OPTION_HELP                                                                            \
	{                                                                                          \
		"help", 'h', NULL, NULL, "show this help and exit", NULL, CLI_HELP, 0              \
	}
#define CLI_OPTION_VERSION                                                                         \
	{                                                                                          \
		"version", 'V', NULL, NULL, "show the version and exit", NULL, CLI_VERSION, 0      \
	}

struct cli_program {
	const char *prog;		  /* in the --version line */
	const char *usage;		  /* --help before the options */
	const char *epilog;		  /* --help after them */
	const struct cli_option *options; /* ends with a row of zeroes */
	const char *prefix;		  /* before a usage error */
	const char *suffix;		  /* after it: where to look */
	/* Optional: called after each option's set(), for checks across options. */
	void (*given)(void *ctx, const struct cli_option *opt);
};

/*
 * Runs getopt_long over @argv with @p's table, calling each option's set()
 * with @ctx. -h and -V print and exit 0; an unknown option, a missing value
 * or a word left over is a usage error (exit EXIT_USAGE).
 */
void cli_parse_options(const struct cli_program *p, int argc, char **argv, void *ctx);
/* --help, as cli_parse_options() prints it. */
void cli_print_help(const struct cli_program *p, FILE *out);

#define cli_usage_error(p, ...) log_exit(EXIT_USAGE, (p)->prefix, (p)->suffix, __VA_ARGS__)

#endif
