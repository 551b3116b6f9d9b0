// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Folding the per-source rows: --top N keeps the busiest N per direction and
 * code and sums the rest into source="other"; --peers names them, and with
 * --peers-unmatched other sums the unnamed into source="other",peer="other".
 * Whatever is folded, the counts per direction and code add up to the map's.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/fold.h"
#include "frames.h"

#define MAX_PEERS 64

struct input {
	struct peer_count pc[MAX_PEERS];
	size_t nr;
};

static void add(struct input *in, const char *src, __u16 code, __u64 count, __u8 dir, __u32 ifindex)
{
	struct peer_count *pc = &in->pc[in->nr++];

	memset(pc, 0, sizeof(*pc));
	pc->key.family =
		frame_addr16(src, pc->key.addr) == 4 ? SIP6XX_FAMILY_IPV4 : SIP6XX_FAMILY_IPV6;
	pc->key.code = code;
	pc->key.direction = dir;
	pc->key.ifindex = ifindex;
	pc->count = count;
}

static void add_rx(struct input *in, const char *src, __u16 code, __u64 count)
{
	add(in, src, code, count, SIP6XX_DIR_RX, 2);
}

struct output {
	struct fold_row *rows;
	size_t nr;
};

static void fold(const struct input *in, const struct fold_config *fc, struct output *out)
{
	assert_int_equal(fold_peers(in->pc, in->nr, fc, &out->rows, &out->nr), 0);
}

/* "rx 607 198.18.1.1 peer=x 40", one line per row, for whole-output comparisons. */
static char *render(const struct output *out)
{
	static char buf[8192];
	size_t len = 0, i;
	char addr[64];

	buf[0] = '\0';
	for (i = 0; i < out->nr; i++) {
		const struct fold_row *r = &out->rows[i];

		if (r->other)
			snprintf(addr, sizeof(addr), "%s", FOLD_OTHER);
		else
			peer_addr_str(&r->key, addr, sizeof(addr));
		len += snprintf(buf + len, sizeof(buf) - len, "%s %u %s%s%s %llu\n",
				r->key.direction ? "tx" : "rx", r->key.code, addr,
				r->peer ? " peer=" : "", r->peer ? r->peer : "",
				(unsigned long long)r->count);
	}
	return buf;
}

static struct peer_table *table(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char err[PEER_ERR_LEN];
	struct peer_table *t;

	assert_non_null(f);
	t = peer_table_parse(f, "peers.txt", err, sizeof(err));
	fclose(f);
	if (!t)
		fail_msg("%s", err);
	return t;
}

static void test_no_options_exports_every_source(void **state)
{
	struct input in = { .nr = 0 };
	struct output out;

	add_rx(&in, "198.18.1.2", 607, 5);
	add_rx(&in, "2001:db8::1", 607, 7);
	add_rx(&in, "198.18.1.1", 608, 3);
	add_rx(&in, "198.18.1.1", 607, 9);
	add(&in, "198.18.1.1", 607, 4, SIP6XX_DIR_TX, 2);
	fold(&in, NULL, &out);
	assert_string_equal(render(&out), "rx 607 198.18.1.1 9\n"
					  "rx 607 198.18.1.2 5\n"
					  "rx 607 2001:db8::1 7\n"
					  "rx 608 198.18.1.1 3\n"
					  "tx 607 198.18.1.1 4\n");
	free(out.rows);
}

static void test_top_keeps_busiest_and_sums_the_rest(void **state)
{
	struct fold_config fc = { .opts = { .top = 2 } };
	struct input in = { .nr = 0 };
	struct output out;

	add_rx(&in, "198.18.1.5", 607, 10);
	add_rx(&in, "198.18.1.4", 607, 20);
	add_rx(&in, "198.18.1.3", 607, 30);
	add_rx(&in, "2001:db8::9", 607, 50);
	add_rx(&in, "198.18.1.1", 607, 40);
	add_rx(&in, "198.18.1.9", 608, 1); /* alone under 608: nothing to fold */
	add_rx(&in, "198.18.1.8", 608, 2);
	fold(&in, &fc, &out);
	/* Kept rows in address order (IPv4 sorts as ::ffff:a.b.c.d, before 2001:db8::). */
	assert_string_equal(render(&out), "rx 607 198.18.1.1 40\n"
					  "rx 607 2001:db8::9 50\n"
					  "rx 607 other 60\n"
					  "rx 608 198.18.1.8 2\n"
					  "rx 608 198.18.1.9 1\n");
	free(out.rows);
}

static void test_top_is_per_direction_and_code(void **state)
{
	struct fold_config fc = { .opts = { .top = 1 } };
	struct input in = { .nr = 0 };
	struct output out;

	add_rx(&in, "198.18.1.1", 607, 5);
	add_rx(&in, "198.18.1.2", 607, 6);
	add_rx(&in, "198.18.1.1", 608, 8);
	add_rx(&in, "198.18.1.2", 608, 7);
	add(&in, "198.18.1.1", 607, 1, SIP6XX_DIR_TX, 2);
	add(&in, "198.18.1.2", 607, 2, SIP6XX_DIR_TX, 2);
	fold(&in, &fc, &out);
	assert_string_equal(render(&out), "rx 607 198.18.1.2 6\n"
					  "rx 607 other 5\n"
					  "rx 608 198.18.1.1 8\n"
					  "rx 608 other 7\n"
					  "tx 607 198.18.1.2 2\n"
					  "tx 607 other 1\n");
	free(out.rows);
}

/* Equal counts: the lower addresses stay, so a flood of ones gives a stable answer. */
static void test_ties_go_to_the_lower_address(void **state)
{
	struct fold_config fc = { .opts = { .top = 2 } };
	struct input in = { .nr = 0 };
	struct output out;

	add_rx(&in, "198.18.1.4", 607, 1);
	add_rx(&in, "198.18.1.2", 607, 1);
	add_rx(&in, "198.18.1.3", 607, 1);
	add_rx(&in, "198.18.1.1", 607, 1);
	fold(&in, &fc, &out);
	assert_string_equal(render(&out), "rx 607 198.18.1.1 1\n"
					  "rx 607 198.18.1.2 1\n"
					  "rx 607 other 2\n");
	free(out.rows);
}

/* An interface re-created under a new ifindex: one series per source, not two. */
static void test_keys_differing_in_ifindex_are_summed(void **state)
{
	struct input in = { .nr = 0 };
	struct output out;

	add(&in, "198.18.1.1", 607, 3, SIP6XX_DIR_RX, 2);
	add(&in, "198.18.1.1", 607, 4, SIP6XX_DIR_RX, 9);
	add(&in, "198.18.1.2", 607, 1, SIP6XX_DIR_RX, 9);
	fold(&in, NULL, &out);
	assert_string_equal(render(&out), "rx 607 198.18.1.1 7\n"
					  "rx 607 198.18.1.2 1\n");
	free(out.rows);
}

static void test_peer_names_and_unmatched_kept(void **state)
{
	struct fold_config fc = { .peers = table("198.18.1.0/24 carrier-a\n"
						 "198.18.1.128/25 carrier-a-west\n"
						 "2001:db8:1::/48 carrier-v6\n") };
	struct input in = { .nr = 0 };
	struct output out;

	add_rx(&in, "198.18.1.1", 607, 40);
	add_rx(&in, "198.18.1.130", 607, 30);
	add_rx(&in, "2001:db8:1::5", 607, 20);
	add_rx(&in, "198.18.2.1", 607, 3);
	add_rx(&in, "2001:db8:2::1", 607, 2);
	fold(&in, &fc, &out);
	assert_string_equal(render(&out), "rx 607 198.18.1.1 peer=carrier-a 40\n"
					  "rx 607 198.18.1.130 peer=carrier-a-west 30\n"
					  "rx 607 198.18.2.1 peer= 3\n"
					  "rx 607 2001:db8:1::5 peer=carrier-v6 20\n"
					  "rx 607 2001:db8:2::1 peer= 2\n");
	free(out.rows);
	peer_table_free(fc.peers);
}

static void test_unmatched_other_and_top_share_one_other_row(void **state)
{
	struct fold_config fc = { .opts = { .unmatched_other = true },
				  .peers = table("198.18.1.0/24 carrier-a\n"
						 "2001:db8:1::/48 carrier-v6\n") };
	struct input in = { .nr = 0 };
	struct output out;

	add_rx(&in, "198.18.1.1", 607, 40);
	add_rx(&in, "198.18.1.2", 607, 30);
	add_rx(&in, "2001:db8:1::5", 607, 20);
	add_rx(&in, "198.18.2.1", 607, 300); /* unmatched: folded however busy */
	add_rx(&in, "2001:db8:2::1", 607, 2);
	add_rx(&in, "198.18.1.1", 608, 1);
	fold(&in, &fc, &out);
	assert_string_equal(render(&out), "rx 607 198.18.1.1 peer=carrier-a 40\n"
					  "rx 607 198.18.1.2 peer=carrier-a 30\n"
					  "rx 607 2001:db8:1::5 peer=carrier-v6 20\n"
					  "rx 607 other peer=other 302\n"
					  "rx 608 198.18.1.1 peer=carrier-a 1\n");
	free(out.rows);

	/* With --top 1 the named sources below the top join the same row. */
	fc.opts.top = 1;
	fold(&in, &fc, &out);
	assert_string_equal(render(&out), "rx 607 198.18.1.1 peer=carrier-a 40\n"
					  "rx 607 other peer=other 352\n"
					  "rx 608 198.18.1.1 peer=carrier-a 1\n");
	free(out.rows);

	/* Keeping the unmatched, the busiest of them may be in the top. */
	fc.opts.unmatched_other = false;
	fold(&in, &fc, &out);
	assert_string_equal(render(&out), "rx 607 198.18.2.1 peer= 300\n"
					  "rx 607 other peer=other 92\n"
					  "rx 608 198.18.1.1 peer=carrier-a 1\n");
	free(out.rows);
	peer_table_free(fc.peers);
}

static void test_empty_snapshot(void **state)
{
	struct fold_config fc = { .opts = { .top = 3 } };
	struct input in = { .nr = 0 };
	struct output out;

	fold(&in, &fc, &out);
	assert_int_equal(out.nr, 0);
	free(out.rows);
}

/* Random snapshots and options: per direction and code the sums always agree. */
static void test_folding_preserves_sums(void **state)
{
	static const __u16 codes[] = { 600, 603, 607, 608 };
	struct peer_table *names = table("198.18.0.0/16 a\n198.18.1.0/24 b\n2001:db8::/33 c\n");
	struct input in;
	struct output out;
	int round;

	srandom(7);
	for (round = 0; round < 2000; round++) {
		struct fold_config fc = { .opts = { .top = random() % 6,
						    .unmatched_other = random() & 1 },
					  .peers = random() & 1 ? names : NULL };
		__u64 want[SIP6XX_NR_DIRS][4] = {}, got[SIP6XX_NR_DIRS][4] = {};
		int others[SIP6XX_NR_DIRS][4] = {}, kept[SIP6XX_NR_DIRS][4] = {};
		size_t i, k, n = random() % MAX_PEERS;
		char src[64];

		in.nr = 0;
		for (i = 0; i < n; i++) {
			if (random() & 1)
				snprintf(src, sizeof(src), "198.18.%ld.%ld", random() % 3,
					 random() % 8);
			else
				snprintf(src, sizeof(src), "2001:db8:%lx::%ld",
					 (random() % 2) * 0x8000, random() % 8);
			k = random() % 4;
			/* Duplicate keys may come out: they stand for other ifindexes. */
			add(&in, src, codes[k], random() % 1000, random() & 1, random() % 3);
			want[in.pc[i].key.direction][k] += in.pc[i].count;
		}
		fold(&in, &fc, &out);
		for (i = 0; i < out.nr; i++) {
			const struct fold_row *r = &out.rows[i];

			for (k = 0; codes[k] != r->key.code; k++)
				;
			got[r->key.direction][k] += r->count;
			if (r->other)
				others[r->key.direction][k]++;
			else
				kept[r->key.direction][k]++;
			assert_true(!r->peer == !fc.peers);
			if (r->other && fc.peers)
				assert_string_equal(r->peer, FOLD_OTHER);
			if (!r->other && fc.peers && fc.opts.unmatched_other)
				assert_string_not_equal(r->peer, "");
		}
		for (i = 0; i < SIP6XX_NR_DIRS; i++) {
			for (k = 0; k < 4; k++) {
				assert_int_equal(got[i][k], want[i][k]);
				assert_true(others[i][k] <= 1);
				if (fc.opts.top)
					assert_true(kept[i][k] <= (int)fc.opts.top);
			}
		}
		free(out.rows);
	}
	peer_table_free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_options_exports_every_source),
		cmocka_unit_test(test_top_keeps_busiest_and_sums_the_rest),
		cmocka_unit_test(test_top_is_per_direction_and_code),
		cmocka_unit_test(test_ties_go_to_the_lower_address),
		cmocka_unit_test(test_keys_differing_in_ifindex_are_summed),
		cmocka_unit_test(test_peer_names_and_unmatched_kept),
		cmocka_unit_test(test_unmatched_other_and_top_share_one_other_row),
		cmocka_unit_test(test_empty_snapshot),
		cmocka_unit_test(test_folding_preserves_sums),
	};

	/* cmocka returns the failure count; an exit status keeps only 8 bits of it. */
	return cmocka_run_group_tests_name("fold", tests, NULL, NULL) ? 1 : 0;
}
