// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * --peers FILE: parsing "CIDR NAME" lines, longest-prefix match over IPv4 and
 * IPv6 (edges /0, /32, /128, the last address), one-line errors naming
 * file:line, and the range table checked against a linear scan.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/peer_names.h"

static struct peer_table *parse_text(const char *text, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct peer_table *t;

	assert_non_null(f);
	t = peer_table_parse(f, "peers.txt", err, errlen);
	fclose(f);
	return t;
}

static struct peer_table *parse_ok(const char *text)
{
	char err[PEER_ERR_LEN] = "";
	struct peer_table *t = parse_text(text, err, sizeof(err));

	if (!t)
		fail_msg("unexpected parse error: %s", err);
	return t;
}

/* As the kernel keys a source: IPv4 mapped into ::ffff:0:0/96. */
static const char *lookup(const struct peer_table *t, const char *text)
{
	__u8 addr[16] = {};

	if (strchr(text, ':')) {
		assert_int_equal(inet_pton(AF_INET6, text, addr), 1);
		return peer_table_lookup(t, addr, SIP6XX_FAMILY_IPV6);
	}
	addr[10] = addr[11] = 0xff;
	assert_int_equal(inet_pton(AF_INET, text, &addr[12]), 1);
	return peer_table_lookup(t, addr, SIP6XX_FAMILY_IPV4);
}

static void assert_name(const struct peer_table *t, const char *addr, const char *want)
{
	const char *got = lookup(t, addr);

	if (!want && got)
		fail_msg("%s: expected no match, got '%s'", addr, got);
	if (want && (!got || strcmp(got, want)))
		fail_msg("%s: expected '%s', got '%s'", addr, want, got ? got : "(none)");
}

static void test_longest_match_ipv4(void **state)
{
	/* Listed widest last: the order in the file must not matter. */
	struct peer_table *t = parse_ok("10.1.2.3/32 host\n"
					"10.1.2.0/24 lan\n"
					"10.1.0.0/16 site\n"
					"10.0.0.0/8 corp\n"
					"192.0.2.0/24 doc\n");

	assert_int_equal(peer_table_size(t), 5);
	assert_name(t, "10.1.2.3", "host");
	assert_name(t, "10.1.2.2", "lan");
	assert_name(t, "10.1.2.4", "lan");
	assert_name(t, "10.1.2.255", "lan");
	assert_name(t, "10.1.3.0", "site");
	assert_name(t, "10.1.1.255", "site");
	assert_name(t, "10.1.255.255", "site");
	assert_name(t, "10.0.0.0", "corp");
	assert_name(t, "10.2.0.0", "corp");
	assert_name(t, "10.255.255.255", "corp");
	assert_name(t, "9.255.255.255", NULL);
	assert_name(t, "11.0.0.0", NULL);
	assert_name(t, "192.0.2.77", "doc");
	assert_name(t, "192.0.3.0", NULL);
	peer_table_free(t);
}

static void test_longest_match_ipv6(void **state)
{
	struct peer_table *t = parse_ok("2001:db8::/32 doc\n"
					"2001:db8:1::/48 site\n"
					"2001:db8:1:2::/64 lan\n"
					"2001:db8:1:2::5/128 host\n");

	assert_name(t, "2001:db8:1:2::5", "host");
	assert_name(t, "2001:db8:1:2::4", "lan");
	assert_name(t, "2001:db8:1:2::6", "lan");
	assert_name(t, "2001:db8:1:2:ffff:ffff:ffff:ffff", "lan");
	assert_name(t, "2001:db8:1:3::", "site");
	assert_name(t, "2001:db8:1:ffff:ffff:ffff:ffff:ffff", "site");
	assert_name(t, "2001:db8:2::", "doc");
	assert_name(t, "2001:db8::", "doc");
	assert_name(t, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NULL);
	assert_name(t, "2001:db9::", NULL);
	peer_table_free(t);
}

/* /0 covers a whole family and only that family. */
static void test_default_prefixes(void **state)
{
	struct peer_table *t = parse_ok("0.0.0.0/0 any4\n::/0 any6\n");

	assert_name(t, "0.0.0.0", "any4");
	assert_name(t, "255.255.255.255", "any4");
	assert_name(t, "198.18.0.1", "any4");
	assert_name(t, "::", "any6");
	assert_name(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "any6");
	assert_name(t, "2001:db8::1", "any6");
	peer_table_free(t);

	t = parse_ok("::/0 any6\n");
	assert_name(t, "198.18.0.1", NULL);
	peer_table_free(t);
	t = parse_ok("0.0.0.0/0 any4\n");
	assert_name(t, "2001:db8::1", NULL);
	assert_name(t, "::ffff:198.18.0.1", NULL); /* an IPv6 source, though it looks mapped */
	peer_table_free(t);
}

/* Single addresses at both ends of each family, inside a /0 and a /1. */
static void test_edge_prefixes(void **state)
{
	struct peer_table *t = parse_ok("0.0.0.0/0 all\n"
					"128.0.0.0/1 upper\n"
					"255.255.255.255/32 last\n"
					"0.0.0.0/32 first\n");

	assert_name(t, "0.0.0.0", "first");
	assert_name(t, "0.0.0.1", "all");
	assert_name(t, "127.255.255.255", "all");
	assert_name(t, "128.0.0.0", "upper");
	assert_name(t, "255.255.255.254", "upper");
	assert_name(t, "255.255.255.255", "last");
	assert_name(t, "198.18.0.7", "upper");
	peer_table_free(t);

	t = parse_ok("0.0.0.0/0 all\n198.18.0.7 bare\n::/0 all6\n8000::/1 upper6\n"
		     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128 last6\n::/128 first6\n"
		     "2001:db8::7 bare6\n0:0:0:1::/64 mid64\n");
	assert_name(t, "198.18.0.7", "bare");
	assert_name(t, "198.18.0.6", "all");
	assert_name(t, "198.18.0.8", "all");
	assert_name(t, "::", "first6");
	assert_name(t, "::1", "all6");
	assert_name(t, "0:0:0:1::", "mid64");
	assert_name(t, "0:0:0:1:ffff:ffff:ffff:ffff", "mid64");
	assert_name(t, "0:0:0:2::", "all6");
	assert_name(t, "0:0:0:0:ffff:ffff:ffff:ffff", "all6");
	assert_name(t, "2001:db8::7", "bare6");
	assert_name(t, "2001:db8::8", "all6");
	assert_name(t, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "all6");
	assert_name(t, "8000::", "upper6");
	assert_name(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "upper6");
	assert_name(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "last6");
	peer_table_free(t);
}

/* An IPv4-mapped IPv6 prefix names IPv4 sources, as the kernel keys them. */
static void test_mapped_prefix_is_ipv4(void **state)
{
	char err[PEER_ERR_LEN];
	struct peer_table *t = parse_ok("::ffff:192.0.2.0/120 mapped\n::fffe:0:0/95 v6wide\n");

	assert_name(t, "192.0.2.9", "mapped");
	assert_name(t, "192.0.3.9", NULL);
	assert_name(t, "::ffff:192.0.2.9", "v6wide"); /* /95 is wider than the mapped block */
	peer_table_free(t);

	assert_null(parse_text("192.0.2.0/24 a\n::ffff:192.0.2.0/120 b\n", err, sizeof(err)));
	assert_string_equal(err, "peers.txt:2: the same prefix as line 1");
}

static void test_comments_and_blank_lines(void **state)
{
	struct peer_table *t = parse_ok("# carriers\n"
					"\n"
					"   \t \n"
					"198.18.1.0/24 carrier-a # the main trunk\n"
					"\t2001:db8:1::/48\tcarrier-b\r\n"
					"198.18.2.0/24   caf\xc3\xa9\n" /* UTF-8 names are fine */
					"  # indented comment\n"
					"198.18.3.0/24 \"quoted\\name\"");

	assert_int_equal(peer_table_size(t), 4);
	assert_name(t, "198.18.1.9", "carrier-a");
	assert_name(t, "2001:db8:1::9", "carrier-b");
	assert_name(t, "198.18.2.9", "caf\xc3\xa9");
	assert_name(t, "198.18.3.9", "\"quoted\\name\"");
	peer_table_free(t);

	t = parse_ok("");
	assert_int_equal(peer_table_size(t), 0);
	assert_name(t, "198.18.1.9", NULL);
	assert_name(t, "2001:db8::1", NULL);
	peer_table_free(t);
}

static void test_bad_lines_name_file_and_line(void **state)
{
	static const struct {
		const char *text;
		const char *err; /* the whole message */
	} cases[] = {
		{ "10.0.0.0/8\n", "peers.txt:1: '10.0.0.0/8' has no name: expected CIDR NAME" },
		{ "# c\n10.0.0.0/33 a\n",
		  "peers.txt:2: '10.0.0.0/33' needs a prefix length 0..32 after the /" },
		{ "2001:db8::/129 a\n",
		  "peers.txt:1: '2001:db8::/129' needs a prefix length 0..128 after the /" },
		{ "10.0.0.0/ a\n",
		  "peers.txt:1: '10.0.0.0/' needs a prefix length 0..32 after the /" },
		{ "10.0.0.0/-1 a\n",
		  "peers.txt:1: '10.0.0.0/-1' needs a prefix length 0..32 after the /" },
		{ "10.0.0.0/+8 a\n",
		  "peers.txt:1: '10.0.0.0/+8' needs a prefix length 0..32 after the /" },
		{ "10.0.0.0/8x a\n",
		  "peers.txt:1: '10.0.0.0/8x' needs a prefix length 0..32 after the /" },
		{ "10.0.0.1/8 a\n",
		  "peers.txt:1: '10.0.0.1/8' has host bits set (the network is 10.0.0.0/8)" },
		{ "2001:db8::1/64 a\n", "peers.txt:1: '2001:db8::1/64' has host bits set (the "
					"network is 2001:db8::/64)" },
		{ "10.0.0/8 a\n", "peers.txt:1: '10.0.0/8' is not an IPv4 or IPv6 address" },
		{ "hello a\n", "peers.txt:1: 'hello' is not an IPv4 or IPv6 address" },
		{ "2001:db8:::/32 a\n",
		  "peers.txt:1: '2001:db8:::/32' is not an IPv4 or IPv6 address" },
		{ "10.0.0.0/8 a b\n",
		  "peers.txt:1: 'b' after the name: expected CIDR NAME (a name has no spaces)" },
		{ "\n\n10.0.0.0/8 a\n10.1.0.0/16 b\n10.0.0.0/8 c\n",
		  "peers.txt:5: the same prefix as line 3" },
		{ "10.0.0.0/8 a\x01z\n", "peers.txt:1: name 'a\x01z' must be at most 128 bytes of "
					 "UTF-8 without control characters" },
		{ "10.0.0.0/8 caf\xe9\n",
		  "peers.txt:1: name 'caf\xe9' must be at most 128 bytes of "
		  "UTF-8 without control characters" },
	};
	char err[PEER_ERR_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (parse_text(cases[i].text, err, sizeof(err)))
			fail_msg("case %zu: '%s' parsed, expected an error", i, cases[i].text);
		if (strcmp(err, cases[i].err))
			fail_msg("case %zu:\n  want: %s\n  got:  %s", i, cases[i].err, err);
	}
}

static void test_long_name(void **state)
{
	char text[PEER_NAME_MAX + 64], err[PEER_ERR_LEN];
	struct peer_table *t;

	memset(text, 'n', sizeof(text));
	memcpy(text, "10.0.0.0/8 ", 11);
	text[11 + PEER_NAME_MAX] = '\0';
	t = parse_ok(text);
	assert_int_equal(strlen(lookup(t, "10.0.0.1")), PEER_NAME_MAX);
	peer_table_free(t);
	text[11 + PEER_NAME_MAX] = 'n';
	text[12 + PEER_NAME_MAX] = '\0';
	assert_null(parse_text(text, err, sizeof(err)));
	assert_non_null(strstr(err, "peers.txt:1: name"));
}

/* A NUL inside a name must not keep the part before it as the name. */
static void test_nul_in_line(void **state)
{
	static const char text[] = "198.18.0.0/15 lab\n2001:db8::/32 ab\0cd\n";
	char err[PEER_ERR_LEN] = "";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	assert_non_null(f);
	assert_null(peer_table_parse(f, "peers.txt", err, sizeof(err)));
	fclose(f);
	assert_string_equal(err, "peers.txt:2: a NUL byte: is this a text file?");
}

static void test_missing_file(void **state)
{
	char err[PEER_ERR_LEN];

	assert_null(peer_table_load("/nonexistent/sip6xx-peers.txt", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/sip6xx-peers.txt: cannot open: No such file or "
				 "directory");
}

/* ---- the range table against a linear scan over random nested prefixes ---- */

struct rprefix {
	__u8 addr[16];
	unsigned int len; /* over 128 bits: IPv4 as ::ffff:a.b.c.d/96+n */
	char name[24];
};

static bool in_prefix(const __u8 *addr, const struct rprefix *p)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(addr, p->addr, full))
		return false;
	return !rest || !((addr[full] ^ p->addr[full]) & (0xff << (8 - rest)));
}

static const char *linear_lookup(const struct rprefix *ps, size_t n, const __u8 *addr)
{
	const struct rprefix *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (in_prefix(addr, &ps[i]) && (!best || ps[i].len > best->len))
			best = &ps[i];
	return best ? best->name : NULL;
}

static void mask_to(__u8 *addr, unsigned int len)
{
	unsigned int i;

	for (i = len; i < 128; i++)
		addr[i / 8] &= ~(0x80 >> (i % 8));
}

/*
 * Random addresses in a small space (so prefixes nest and touch), lengths
 * from @min_len, for one family; then every prefix edge and random addresses
 * looked up both ways.
 */
static void random_family(bool v4, unsigned int seed)
{
	enum { NR = 300, PROBES = 20000 };
	static struct rprefix ps[NR];
	size_t n = 0, i, j, len = 0;
	char *text = calloc(NR, 96), a[INET6_ADDRSTRLEN];
	unsigned int base = v4 ? 96 : 0, lo = v4 ? 104 : 16, span;
	struct peer_table *t;
	__u8 addr[16];

	srandom(seed);
	assert_non_null(text);
	for (i = 0; i < NR; i++) {
		struct rprefix *p = &ps[n];

		memset(p->addr, 0, 16);
		if (v4) {
			p->addr[10] = p->addr[11] = 0xff;
			p->addr[12] = 198;
			p->addr[13] = 18 + (random() & 1);
			p->addr[14] = random() & 3;
			p->addr[15] = random();
		} else {
			/* Bits that vary in both 64-bit halves, so the carries between them count.
			 */
			p->addr[0] = 0x20;
			p->addr[1] = 0x01;
			p->addr[7] = random() & 3;
			p->addr[8] = random() & 0x81;
			p->addr[15] = random() & 0x0f;
		}
		span = 128 - lo + 1;
		p->len = lo + random() % span;
		if (random() % 8 == 0)
			p->len = base; /* now and then the whole family */
		mask_to(p->addr, p->len);
		for (j = 0; j < n; j++)
			if (ps[j].len == p->len && !memcmp(ps[j].addr, p->addr, 16))
				break;
		if (j < n)
			continue; /* the same prefix twice is an error, tested above */
		snprintf(p->name, sizeof(p->name), "p%zu", n);
		if (v4)
			inet_ntop(AF_INET, &p->addr[12], a, sizeof(a));
		else
			inet_ntop(AF_INET6, p->addr, a, sizeof(a));
		len += sprintf(text + len, "%s/%u %s\n", a, p->len - base, p->name);
		n++;
	}
	t = parse_ok(text);
	for (i = 0; i < n * 3 + PROBES; i++) {
		if (i < n * 3) {
			/* The first address of a prefix, and the addresses either side of it. */
			memcpy(addr, ps[i / 3].addr, 16);
			if (i % 3 == 1)
				for (j = 15; j > 0 && addr[j]-- == 0; j--)
					;
			if (i % 3 == 2)
				for (j = 15; j > 0 && ++addr[j] == 0; j--)
					;
		} else {
			memcpy(addr, ps[random() % n].addr, 16);
			addr[15] ^= random() & 0xff;
			addr[v4 ? 14 : 8] ^= random() & (v4 ? 3 : 0x81);
		}
		if (v4 && memcmp(addr, ps[0].addr, 12))
			continue; /* stepped out of the mapped block: not an IPv4 source */
		{
			const char *want = linear_lookup(ps, n, addr);
			const char *got = peer_table_lookup(
				t, addr, v4 ? SIP6XX_FAMILY_IPV4 : SIP6XX_FAMILY_IPV6);

			inet_ntop(AF_INET6, addr, a, sizeof(a));
			if ((want == NULL) != (got == NULL) || (want && strcmp(want, got)))
				fail_msg("%s: linear scan says %s, table says %s", a,
					 want ? want : "(none)", got ? got : "(none)");
		}
	}
	peer_table_free(t);
	free(text);
}

static void test_random_prefixes_match_linear_scan(void **state)
{
	unsigned int seed;

	for (seed = 1; seed <= 5; seed++) {
		random_family(true, seed);
		random_family(false, seed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_match_ipv4),
		cmocka_unit_test(test_longest_match_ipv6),
		cmocka_unit_test(test_default_prefixes),
		cmocka_unit_test(test_edge_prefixes),
		cmocka_unit_test(test_mapped_prefix_is_ipv4),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_bad_lines_name_file_and_line),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_nul_in_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_random_prefixes_match_linear_scan),
	};

	/* cmocka returns the failure count; an exit status keeps only 8 bits of it. */
	return cmocka_run_group_tests_name("peer names", tests, NULL, NULL) ? 1 : 0;
}
