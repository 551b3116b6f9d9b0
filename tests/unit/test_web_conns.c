// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The HTTP server's connection table: which connection a full table or a
 * greedy client loses, and the header deadline. Each connection is one end
 * of a socketpair, so "shut down" is what the other end reads: end of file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "exporter/http/web_conns.h"

#define MAX_PAIRS 16

static int peer[MAX_PAIRS];
static struct web_conn *conn[MAX_PAIRS];

static struct sockaddr_in6 addr6(const char *text)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	assert_int_equal(1, inet_pton(AF_INET6, text, &sin6.sin6_addr));
	return sin6;
}

static struct sockaddr_in addr4(const char *text)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	assert_int_equal(1, inet_pton(AF_INET, text, &sin.sin_addr));
	return sin;
}

/* Connection @i from @sa at @now: our end goes into the table. */
static void open_conn(struct web_conns *t, int i, const void *sa, unsigned long long now)
{
	int sv[2];

	assert_int_equal(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	peer[i] = sv[1];
	conn[i] = web_conns_open(t, sv[0], sa, now);
	assert_non_null(conn[i]);
}

/* Whether connection @i was shut down: its peer reads end of file. */
static bool shut_down(int i)
{
	char c;

	return read(peer[i], &c, 1) == 0;
}

static void close_all(struct web_conns *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		close(conn[i]->fd);
		close(peer[i]);
		web_conns_closed(t, conn[i]);
	}
	assert_int_equal(0, t->nr);
}

static void test_client_key_ipv4_and_ipv6_64(void **state)
{
	struct sockaddr_in6 a = addr6("2001:db8:1:2::1"), b = addr6("2001:db8:1:2:ffff::9");
	struct sockaddr_in6 c = addr6("2001:db8:1:3::1"), m = addr6("::ffff:198.18.0.2");
	struct sockaddr_in v4 = addr4("198.18.0.2"), v4b = addr4("198.18.0.3");
	unsigned char ka[16], kb[16], kc[16], km[16], k4[16], k4b[16];

	web_client_key((struct sockaddr *)&a, ka);
	web_client_key((struct sockaddr *)&b, kb);
	web_client_key((struct sockaddr *)&c, kc);
	web_client_key((struct sockaddr *)&m, km);
	web_client_key((struct sockaddr *)&v4, k4);
	web_client_key((struct sockaddr *)&v4b, k4b);
	assert_memory_equal(ka, kb, 16); /* one /64: one client */
	assert_memory_not_equal(ka, kc, 16);
	assert_memory_equal(km, k4, 16); /* dual-stack socket or not: the same client */
	assert_memory_not_equal(k4, k4b, 16);
}

/* Over the per-client limit, that client's longest waiting connection goes. */
static void test_per_client_limit_closes_its_oldest_waiting(void **state)
{
	struct sockaddr_in a = addr4("198.18.0.2"), b = addr4("198.18.0.3");
	struct web_conns t;

	web_conns_init(&t, 100, 3);
	open_conn(&t, 0, &b, 0);
	open_conn(&t, 1, &a, 1);
	open_conn(&t, 2, &a, 2);
	web_conns_busy(&t, conn[1]); /* a request being answered is never evicted */
	open_conn(&t, 3, &a, 3);
	assert_int_equal(0, t.evicted);
	open_conn(&t, 4, &a, 4); /* a's 4th: its oldest waiting one, 2, goes */
	assert_true(shut_down(2));
	assert_false(shut_down(0) || shut_down(1) || shut_down(3) || shut_down(4));
	assert_int_equal(1, t.evicted);
	assert_int_equal(4, t.nr);
	close_all(&t, 5);
}

/*
 * A full table closes the longest waiting connection of the client with the
 * most: a scraper with one connection outlasts a flood from other addresses.
 */
static void test_total_limit_closes_greediest_clients_oldest(void **state)
{
	struct sockaddr_in a = addr4("198.18.0.2"), b = addr4("198.18.0.10");
	struct sockaddr_in6 c = addr6("2001:db8::10");
	struct web_conns t;

	web_conns_init(&t, 4, 4);
	open_conn(&t, 0, &a, 0); /* the scraper: the oldest of all */
	open_conn(&t, 1, &b, 1);
	open_conn(&t, 2, &b, 2);
	web_conns_busy(&t, conn[1]);
	web_conns_idle(&t, conn[1], 5); /* keep-alive: waits again, from 5 */
	open_conn(&t, 3, &c, 6);
	assert_int_equal(0, t.evicted);
	open_conn(&t, 4, &c, 7); /* b and c hold two each: b's oldest waiting, 2, goes */
	assert_true(shut_down(2));
	open_conn(&t, 5, &c, 8); /* c holds three now: its oldest, 3 */
	assert_true(shut_down(3));
	assert_false(shut_down(0) || shut_down(1) || shut_down(4) || shut_down(5));
	assert_int_equal(2, t.evicted);
	assert_int_equal(4, t.nr);
	close_all(&t, 6);
}

/* When every other connection is busy, the new one is refused. */
static void test_all_busy_refuses_the_new_one(void **state)
{
	struct sockaddr_in a = addr4("198.18.0.2");
	struct web_conns t;

	web_conns_init(&t, 2, 2);
	open_conn(&t, 0, &a, 0);
	open_conn(&t, 1, &a, 0);
	web_conns_busy(&t, conn[0]);
	web_conns_busy(&t, conn[1]);
	open_conn(&t, 2, &a, 1);
	assert_true(shut_down(2));
	assert_false(shut_down(0) || shut_down(1));
	close_all(&t, 3);
}

/* The deadline counts from the start of the wait: trickled bytes do not extend it. */
static void test_header_deadline(void **state)
{
	struct sockaddr_in a = addr4("198.18.0.2");
	struct web_conns t;

	web_conns_init(&t, 10, 10);
	assert_int_equal(-1, web_conns_next_ms(&t, 0, 10000));
	open_conn(&t, 0, &a, 1000);
	open_conn(&t, 1, &a, 4000);
	open_conn(&t, 2, &a, 4000);
	web_conns_busy(&t, conn[2]);
	assert_int_equal(9000, web_conns_next_ms(&t, 2000, 10000));
	assert_int_equal(0, web_conns_expire(&t, 10999, 10000));
	assert_int_equal(1, web_conns_expire(&t, 11000, 10000));
	assert_true(shut_down(0));
	assert_int_equal(3000, web_conns_next_ms(&t, 11000, 10000));
	assert_int_equal(1, web_conns_expire(&t, 60000, 10000));
	assert_true(shut_down(1));
	assert_false(shut_down(2)); /* busy: libmicrohttpd's own timeout covers it */
	assert_int_equal(-1, web_conns_next_ms(&t, 60000, 10000));
	assert_int_equal(2, t.expired);
	close_all(&t, 3);
}

/* At a stop only kept-alive connections between requests close at once. */
static void test_stop_shuts_only_served_idle(void **state)
{
	struct sockaddr_in a = addr4("198.18.0.2");
	struct web_conns t;

	web_conns_init(&t, 10, 10);
	open_conn(&t, 0, &a, 1000); /* new: may be sending a request */
	open_conn(&t, 1, &a, 1000); /* answered, now kept alive */
	open_conn(&t, 2, &a, 1000); /* a response in flight */
	open_conn(&t, 3, &a, 1000); /* answered, then a second request in flight */
	web_conns_busy(&t, conn[1]);
	web_conns_idle(&t, conn[1], 2000);
	web_conns_busy(&t, conn[2]);
	web_conns_busy(&t, conn[3]);
	web_conns_idle(&t, conn[3], 2000);
	web_conns_busy(&t, conn[3]);
	assert_int_equal(1, web_conns_shut_served(&t));
	assert_true(shut_down(1));
	assert_false(shut_down(0) || shut_down(2) || shut_down(3));
	assert_int_equal(3, t.nr);
	assert_int_equal(0, web_conns_shut_served(&t));
	close_all(&t, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_key_ipv4_and_ipv6_64),
		cmocka_unit_test(test_per_client_limit_closes_its_oldest_waiting),
		cmocka_unit_test(test_total_limit_closes_greediest_clients_oldest),
		cmocka_unit_test(test_all_busy_refuses_the_new_one),
		cmocka_unit_test(test_header_deadline),
		cmocka_unit_test(test_stop_shuts_only_served_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
