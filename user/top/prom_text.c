// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "prom_text.h"

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* into @out; NULL when there is none or it is too long. */
static const char *parse_name(const char *p, char *out, size_t len)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*p) && *p != '_' && *p != ':')
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':') {
		if (n + 1 == len)
			return NULL;
		out[n++] = *p++;
	}
	out[n] = '\0';
	return p;
}

/* "..." with \\, \" and \n escapes, @p at the opening quote. */
static const char *parse_quoted(const char *p, char *out, size_t len)
{
	size_t n = 0;
	char ch;

	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if (!*p || n + 1 == len)
			return NULL;
		ch = *p++;
		if (ch == '\\') {
			ch = *p++;
			if (ch == 'n')
				ch = '\n';
			else if (ch != '\\' && ch != '"')
				return NULL;
		}
		out[n++] = ch;
	}
	out[n] = '\0';
	return p + 1;
}

static const char *parse_labels(const char *p, struct prom_sample *s)
{
	p++; /* '{' */
	for (;;) {
		p = skip_blanks(p);
		if (*p == '}')
			return p + 1;
		if (s->nr_labels == PROM_MAX_LABELS)
			return NULL;
		p = parse_name(p, s->labels[s->nr_labels].name, PROM_NAME_LEN);
		if (!p)
			return NULL;
		p = skip_blanks(p);
		if (*p++ != '=')
			return NULL;
		p = parse_quoted(skip_blanks(p), s->labels[s->nr_labels].value, PROM_LABEL_VAL_LEN);
		if (!p)
			return NULL;
		s->nr_labels++;
		p = skip_blanks(p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
}

int prom_parse_line(const char *line, struct prom_sample *s)
{
	const char *p = skip_blanks(line);
	char *end;

	memset(s, 0, sizeof(*s));
	if (!*p || *p == '#')
		return 0;
	p = parse_name(p, s->name, sizeof(s->name));
	if (!p)
		return -1;
	if (*p == '{') {
		p = parse_labels(p, s);
		if (!p)
			return -1;
	}
	if (*p != ' ' && *p != '\t')
		return -1;
	/* strtod reads NaN, +Inf and -Inf as the format writes them. */
	s->value = strtod(skip_blanks(p), &end);
	if (end == skip_blanks(p))
		return -1;
	return 1; /* a timestamp may follow; sip6xx writes none */
}

const char *prom_label(const struct prom_sample *s, const char *name)
{
	int i;

	for (i = 0; i < s->nr_labels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return NULL;
}
