// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "log.h"
#include "sip6xx.h"
#include "version.h"

#define HELP_COLUMN 25 /* where an option's help starts, as GNU tools indent it */
#define HELP_WIDTH  80
#define MAX_OPTIONS 64	   /* rows with a name, per program; the exporter has 29 */
#define GLUE	    '\x1f' /* a space wrap() never breaks at: "(default: X" stays on one line */
/* getopt_long's value for a long option only: its row, above every letter. */
#define LONG_ONLY   0x100

static size_t nr_rows(const struct cli_option *opts)
{
	size_t n = 0;

	while (opts[n].name || opts[n].help)
		n++;
	return n;
}

/* Writes @text from column @at, breaking lines at spaces before HELP_WIDTH. */
static void wrap(FILE *out, const char *text, int at)
{
	bool first = true; /* of its line: no space before it, and no break */
	int col = at;

	while (*text) {
		size_t word = strcspn(text, " ");

		if (!first && col + 1 + (int)word >= HELP_WIDTH) {
			fprintf(out, "\n%*s", HELP_COLUMN, "");
			col = HELP_COLUMN;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		first = false;
		for (col += word; word; word--, text++)
			fputc(*text == GLUE ? ' ' : *text, out);
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

static void print_option(FILE *out, const struct cli_option *o)
{
	char left[64], *text = NULL;
	int n;

	n = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", o->letter ? '-' : ' ',
		     o->letter ? o->letter : ' ', o->letter ? ", " : "  ", o->name,
		     o->value ? " " : "", o->value ? o->value : "");
	if (o->def && asprintf(&text, "%s (default:%c%s)", o->help, GLUE, o->def) < 0)
		text = NULL;
	n = fprintf(out, "%-*s", n + 2 > HELP_COLUMN ? n + 2 : HELP_COLUMN, left);
	wrap(out, text ? text : o->help, n);
	free(text);
}

void cli_print_help(const struct cli_program *p, FILE *out)
{
	const struct cli_option *o;

	fputs(p->usage, out);
	for (o = p->options; o->name || o->help; o++) {
		if (o->name)
			print_option(out, o);
		else
			fputs(o->help, out);
	}
	fputs(p->epilog, out);
}

static const struct cli_option *find_letter(const struct cli_option *opts, int c)
{
	for (; opts->name || opts->help; opts++)
		if (opts->name && opts->letter == c)
			return opts;
	return NULL;
}

static void run(const struct cli_program *p, const struct cli_option *o, void *ctx)
{
	switch (o->builtin) {
	case CLI_HELP:
		cli_print_help(p, stdout);
		exit(0);
	case CLI_VERSION:
		printf("%s %s (BPF contract %d)\n", p->prog, sip6xx_version,
		       SIP6XX_CONTRACT_VERSION);
		exit(0);
	case CLI_CALL:
		o->set(ctx, o->value ? optarg : NULL);
		if (p->given)
			p->given(ctx, o);
	}
}

void cli_parse_options(const struct cli_program *p, int argc, char **argv, void *ctx)
{
	struct option longs[MAX_OPTIONS + 1] = {};
	char shorts[3 * MAX_OPTIONS + 2] = ":"; /* ':': a missing value returns ':' */
	size_t i, nr = 0, rows = nr_rows(p->options);
	const struct cli_option *o;
	int c;

	for (i = 0; i < rows; i++) {
		o = &p->options[i];
		if (!o->name)
			continue;
		if (nr == MAX_OPTIONS) {
			/* A table longer than this is the program's bug: drop no row. */
			fprintf(stderr, "%s: more than %d options: raise MAX_OPTIONS\n", p->prog,
				MAX_OPTIONS);
			abort();
		}
		longs[nr++] = (struct option){ o->name, o->value ? required_argument : no_argument,
					       NULL, o->letter ? o->letter : LONG_ONLY + (int)i };
		if (o->letter) {
			size_t len = strlen(shorts);

			shorts[len++] = o->letter;
			if (o->value)
				shorts[len++] = ':';
			shorts[len] = '\0';
		}
	}
	opterr = 0; /* our own one-line messages instead of getopt's */
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c >= LONG_ONLY && c < LONG_ONLY + (int)rows)
			o = &p->options[c - LONG_ONLY];
		else if (c == ':')
			cli_usage_error(p, "%s needs a value", argv[optind - 1]);
		else if (c == '?' || !(o = find_letter(p->options, c)))
			cli_usage_error(p, "unknown option '%s'", argv[optind - 1]);
		run(p, o, ctx);
	}
	if (optind < argc)
		cli_usage_error(p, "unexpected argument '%s'", argv[optind]);
}
