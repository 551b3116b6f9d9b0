// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "peer_names.h"

#define FAM_V4	 0
#define FAM_V6	 1
#define NR_FAMS	 2
#define WIDTH_V4 32
#define WIDTH_V6 128

/* An address as a 128-bit number, so one sweep serves both families; IPv4 sits in lo. */
struct u128 {
	__u64 hi, lo;
};

struct prefix {
	struct u128 start, end; /* first and last address it holds */
	unsigned int len;
	unsigned int line;
	const char *name;
};

/* The longest prefix's name for every address in [start, end]. */
struct range {
	struct u128 start, end;
	const char *name;
};

struct range_list {
	struct range *r;
	size_t nr, cap;
};

struct peer_table {
	struct range_list fam[NR_FAMS];
	char **names; /* one string per prefix; ranges point into them */
	size_t nr_names;
};

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static struct u128 u128_add(struct u128 a, int delta)
{
	__u64 lo = a.lo + (__u64)(__s64)delta;

	if (delta > 0 && lo < a.lo)
		a.hi++;
	else if (delta < 0 && lo > a.lo)
		a.hi--;
	a.lo = lo;
	return a;
}

/* @bits one bits at the bottom, 0..128. */
static struct u128 low_mask(unsigned int bits)
{
	struct u128 m = { 0, 0 };

	if (bits >= 128)
		return (struct u128){ ~0ULL, ~0ULL };
	if (bits >= 64) {
		m.lo = ~0ULL;
		m.hi = bits == 64 ? 0 : (1ULL << (bits - 64)) - 1;
	} else if (bits) {
		m.lo = (1ULL << bits) - 1;
	}
	return m;
}

static __u64 be64_at(const __u8 *p)
{
	__u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static struct u128 addr_value(const __u8 addr[16], int fam)
{
	if (fam == FAM_V4)
		return (struct u128){ 0, (__u64)addr[12] << 24 | addr[13] << 16 | addr[14] << 8 |
						 addr[15] };
	return (struct u128){ be64_at(addr), be64_at(addr + 8) };
}

static void value_text(struct u128 v, int fam, char *buf, size_t len)
{
	__u8 b[16];
	int i;

	for (i = 0; i < 8; i++) {
		b[i] = v.hi >> (56 - 8 * i);
		b[8 + i] = v.lo >> (56 - 8 * i);
	}
	if (fam == FAM_V4)
		inet_ntop(AF_INET, &b[12], buf, len);
	else
		inet_ntop(AF_INET6, b, buf, len);
}

static const __u8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* "a.b.c.d[/n]" or "v6[/n]" into @p; NULL, or what is wrong with it. */
static const char *parse_cidr(const char *text, struct prefix *p, int *fam, char *why,
			      size_t whylen)
{
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	char a[INET6_ADDRSTRLEN + 1], net[INET6_ADDRSTRLEN], *end;
	unsigned int width;
	struct u128 host;
	unsigned long len;
	__u8 addr[16] = {};

	if (alen >= sizeof(a))
		return "is not an IPv4 or IPv6 address";
	memcpy(a, text, alen);
	a[alen] = '\0';
	*fam = strchr(a, ':') ? FAM_V6 : FAM_V4;
	if (inet_pton(*fam == FAM_V6 ? AF_INET6 : AF_INET, a, *fam == FAM_V6 ? addr : &addr[12]) !=
	    1)
		return "is not an IPv4 or IPv6 address";
	width = *fam == FAM_V4 ? WIDTH_V4 : WIDTH_V6;
	len = width;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || errno || *end || len > width)
			return *fam == FAM_V4 ? "needs a prefix length 0..32 after the /"
					      : "needs a prefix length 0..128 after the /";
	}
	/* The kernel keys IPv4 sources as ::ffff:a.b.c.d: such a prefix is the IPv4 one. */
	if (*fam == FAM_V6 && len >= 96 && !memcmp(addr, v4_mapped, sizeof(v4_mapped))) {
		*fam = FAM_V4;
		len -= 96;
		width = WIDTH_V4;
	}
	p->len = len;
	host = low_mask(width - len);
	p->start = addr_value(addr, *fam);
	p->start.hi &= ~host.hi;
	p->start.lo &= ~host.lo;
	if (u128_cmp(p->start, addr_value(addr, *fam))) {
		value_text(p->start, *fam, net, sizeof(net));
		snprintf(why, whylen, "has host bits set (the network is %s/%lu)", net, len);
		return why;
	}
	p->end = (struct u128){ p->start.hi | host.hi, p->start.lo | host.lo };
	return NULL;
}

/* Printable ASCII without space, or well-formed UTF-8: it becomes a label value. */
static bool valid_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int follow, i;

	if (strlen(s) > PEER_NAME_MAX)
		return false;
	while (*p) {
		if (*p < 0x80) {
			if (*p <= 0x20 || *p == 0x7f)
				return false;
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			follow = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			follow = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			follow = 3;
		else
			return false;
		for (i = 1; i <= follow; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += follow + 1;
	}
	return true;
}

struct parser {
	const char *file;
	char *err;
	size_t errlen;
	struct prefix *pfx[NR_FAMS];
	size_t nr[NR_FAMS], cap[NR_FAMS];
};

static int fail(struct parser *ps, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *ps, unsigned int line, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->file, line);
	if (n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int add_name(struct peer_table *t, const char *name, const char **out)
{
	char **names;

	if (!(t->nr_names & (t->nr_names + 1))) { /* 0, 1, 3, 7, ...: double the array */
		names = realloc(t->names, (t->nr_names * 2 + 1) * sizeof(*names));
		if (!names)
			return -1;
		t->names = names;
	}
	t->names[t->nr_names] = strdup(name);
	if (!t->names[t->nr_names])
		return -1;
	*out = t->names[t->nr_names++];
	return 0;
}

static int parse_line(struct parser *ps, struct peer_table *t, char *text, unsigned int line)
{
	char *save = NULL, *cidr, *name, *extra, why[128];
	const char *bad;
	struct prefix p = { .line = line };
	int fam;

	text[strcspn(text, "#\r\n")] = '\0';
	cidr = strtok_r(text, " \t", &save);
	if (!cidr)
		return 0;
	name = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (!name)
		return fail(ps, line, "'%s' has no name: expected CIDR NAME", cidr);
	if (extra)
		return fail(ps, line,
			    "'%s' after the name: expected CIDR NAME (a name has no spaces)",
			    extra);
	if (!valid_name(name))
		return fail(
			ps, line,
			"name '%.*s' must be at most %d bytes of UTF-8 without control characters",
			PEER_NAME_MAX, name, PEER_NAME_MAX);
	bad = parse_cidr(cidr, &p, &fam, why, sizeof(why));
	if (bad)
		return fail(ps, line, "'%s' %s", cidr, bad);
	if (ps->nr[FAM_V4] + ps->nr[FAM_V6] == PEER_PREFIXES_MAX)
		return fail(ps, line, "more than %u prefixes", PEER_PREFIXES_MAX);
	if (ps->nr[fam] == ps->cap[fam]) {
		size_t ncap = ps->cap[fam] ? ps->cap[fam] * 2 : 64;
		struct prefix *np = realloc(ps->pfx[fam], ncap * sizeof(*np));

		if (!np)
			return fail(ps, line, "out of memory");
		ps->pfx[fam] = np;
		ps->cap[fam] = ncap;
	}
	if (add_name(t, name, &p.name))
		return fail(ps, line, "out of memory");
	ps->pfx[fam][ps->nr[fam]++] = p;
	return 0;
}

/* By first address, the wider prefix first: an enclosing prefix precedes what it holds. */
static int prefix_cmp(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;
	int c = u128_cmp(x->start, y->start);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int range_add(struct range_list *rl, struct u128 start, struct u128 end, const char *name)
{
	struct range *nr;

	if (u128_cmp(start, end) > 0)
		return 0;
	if (rl->nr == rl->cap) {
		rl->cap = rl->cap ? rl->cap * 2 : 64;
		nr = realloc(rl->r, rl->cap * sizeof(*nr));
		if (!nr)
			return -1;
		rl->r = nr;
	}
	rl->r[rl->nr++] = (struct range){ start, end, name };
	return 0;
}

/*
 * Prefixes are nested or disjoint, so after sorting, a stack of the prefixes
 * that hold the current address turns them into disjoint ranges: each piece
 * goes to the innermost (longest) prefix open over it.
 */
static int flatten(struct parser *ps, int fam, struct range_list *rl)
{
	const struct prefix *stack[WIDTH_V6 + 1], *top;
	struct prefix *p = ps->pfx[fam];
	bool cursor_valid = true; /* false once the cursor went past the last address */
	struct u128 cursor = { 0, 0 };
	size_t i, depth = 0, n = ps->nr[fam];

	/* A family without prefixes has p == NULL, and qsort(NULL, 0) is undefined. */
	if (!n)
		return 0;
	qsort(p, n, sizeof(*p), prefix_cmp);
	for (i = 1; i < n; i++)
		if (!prefix_cmp(&p[i - 1], &p[i]))
			return fail(ps, p[i].line > p[i - 1].line ? p[i].line : p[i - 1].line,
				    "the same prefix as line %u",
				    p[i].line > p[i - 1].line ? p[i - 1].line : p[i].line);
	for (i = 0; i <= n; i++) {
		/* Close the prefixes that end before this one starts (all of them at the end). */
		while (depth && (i == n || u128_cmp(stack[depth - 1]->end, p[i].start) < 0)) {
			top = stack[--depth];
			if (cursor_valid && range_add(rl, cursor, top->end, top->name))
				return fail(ps, top->line, "out of memory");
			cursor = u128_add(top->end, 1);
			cursor_valid = u128_cmp(cursor, (struct u128){ 0, 0 }) != 0;
		}
		if (i == n)
			break;
		if (depth && cursor_valid && u128_cmp(cursor, p[i].start) < 0 &&
		    range_add(rl, cursor, u128_add(p[i].start, -1), stack[depth - 1]->name))
			return fail(ps, p[i].line, "out of memory");
		cursor = p[i].start;
		cursor_valid = true;
		stack[depth++] = &p[i];
	}
	return 0;
}

struct peer_table *peer_table_parse(FILE *f, const char *name, char *err, size_t errlen)
{
	struct parser ps = { .file = name, .err = err, .errlen = errlen };
	struct peer_table *t = calloc(1, sizeof(*t));
	unsigned int line = 0;
	size_t cap = 0;
	ssize_t len;
	char *buf = NULL;
	int ret = 0, fam;

	if (!t) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	while (!ret && (len = getline(&buf, &cap, f)) >= 0) {
		/* Text functions would stop at a NUL and keep half a name. */
		if (memchr(buf, '\0', len))
			ret = fail(&ps, ++line, "a NUL byte: is this a text file?");
		else
			ret = parse_line(&ps, t, buf, ++line);
	}
	if (!ret && ferror(f))
		ret = fail(&ps, line + 1, "read error");
	for (fam = 0; !ret && fam < NR_FAMS; fam++)
		ret = flatten(&ps, fam, &t->fam[fam]);
	free(buf);
	for (fam = 0; fam < NR_FAMS; fam++)
		free(ps.pfx[fam]);
	if (ret) {
		peer_table_free(t);
		return NULL;
	}
	return t;
}

struct peer_table *peer_table_load(const char *path, char *err, size_t errlen)
{
	struct peer_table *t;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	t = peer_table_parse(f, path, err, errlen);
	fclose(f);
	return t;
}

void peer_table_free(struct peer_table *t)
{
	size_t i;
	int fam;

	if (!t)
		return;
	for (fam = 0; fam < NR_FAMS; fam++)
		free(t->fam[fam].r);
	for (i = 0; i < t->nr_names; i++)
		free(t->names[i]);
	free(t->names);
	free(t);
}

size_t peer_table_size(const struct peer_table *t)
{
	return t ? t->nr_names : 0;
}

const char *peer_table_lookup(const struct peer_table *t, const __u8 addr[16], __u8 family)
{
	int fam = family == SIP6XX_FAMILY_IPV4 ? FAM_V4 : FAM_V6;
	const struct range_list *rl = &t->fam[fam];
	struct u128 v = addr_value(addr, fam);
	size_t lo = 0, hi = rl->nr, mid;

	/* The last range that starts at or before @v. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (u128_cmp(rl->r[mid].start, v) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || u128_cmp(v, rl->r[lo - 1].end) > 0)
		return NULL;
	return rl->r[lo - 1].name;
}
