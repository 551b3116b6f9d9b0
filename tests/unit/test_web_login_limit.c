// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The failed-login budget: per client, in all, refunds, and the log's pace. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/http/web_login_limit.h"

static void key(unsigned char k[WEB_CLIENT_KEY_LEN], unsigned char last)
{
	memset(k, 0, WEB_CLIENT_KEY_LEN);
	k[10] = k[11] = 0xff;
	k[12] = 198;
	k[13] = 18;
	k[15] = last;
}

/* Five tries, then one a second; another client is not charged for them. */
static void test_per_client_budget(void **state)
{
	unsigned char a[WEB_CLIENT_KEY_LEN], b[WEB_CLIENT_KEY_LEN];
	struct login_limit l;
	int i;

	key(a, 2);
	key(b, 3);
	login_limit_init(&l, 0);
	for (i = 0; i < 5; i++)
		assert_true(login_limit_take(&l, a, 1000));
	assert_false(login_limit_take(&l, a, 1000));
	assert_true(login_limit_take(&l, b, 1000));
	assert_false(login_limit_take(&l, a, 1900));
	assert_true(login_limit_take(&l, a, 2000));
	assert_false(login_limit_take(&l, a, 2000));
}

/* The right password costs nothing: refunded, it leaves the budget whole. */
static void test_refund(void **state)
{
	unsigned char a[WEB_CLIENT_KEY_LEN];
	struct login_limit l;
	int i;

	key(a, 2);
	login_limit_init(&l, 0);
	for (i = 0; i < 20; i++) {
		assert_true(login_limit_take(&l, a, 1000));
		login_limit_refund(&l, a, 1000);
	}
}

/* Many addresses share five checks a second in all, in bursts of ten. */
static void test_total_budget(void **state)
{
	unsigned char k[WEB_CLIENT_KEY_LEN];
	struct login_limit l;
	int i, granted = 0;

	login_limit_init(&l, 0);
	for (i = 0; i < 200; i++) {
		key(k, i);
		granted += login_limit_take(&l, k, 1000 + i); /* 200 clients in 0.199 s */
	}
	/* a burst of ten, and the two kept for clients that have not failed; 0.2 s refills less
	 * than one more */
	assert_int_equal(12, granted);
}

/* Addresses that keep failing spend the total; one that has not failed still gets a check. */
static void test_flood_leaves_room_for_a_clean_client(void **state)
{
	unsigned char k[WEB_CLIENT_KEY_LEN], scraper[WEB_CLIENT_KEY_LEN];
	struct login_limit l;
	unsigned long long t;
	int i;

	login_limit_init(&l, 0);
	key(scraper, 200);
	/* Ten attackers, each trying again every 100 ms for 3 s: never whole again. */
	for (t = 0; t < 3000; t += 100)
		for (i = 0; i < 10; i++) {
			key(k, i);
			login_limit_take(&l, k, t + i);
		}
	key(k, 0);
	assert_false(login_limit_take(&l, k, 3000)); /* the total is spent */
	assert_true(login_limit_take(&l, scraper, 3000));
	login_limit_refund(&l, scraper, 3000);
	assert_true(login_limit_take(&l, scraper, 3001));
}

static void test_log_pace(void **state)
{
	struct login_limit l;

	login_limit_init(&l, 0);
	assert_true(login_limit_log_due(&l, false, 5000));
	assert_false(login_limit_log_due(&l, false, 5100));
	assert_false(login_limit_log_due(&l, true, 5999));
	assert_int_equal(1, l.failed);
	assert_int_equal(1, l.refused);
	assert_true(login_limit_log_due(&l, true, 6000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_client_budget),
		cmocka_unit_test(test_refund),
		cmocka_unit_test(test_total_budget),
		cmocka_unit_test(test_flood_leaves_room_for_a_clean_client),
		cmocka_unit_test(test_log_pace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
