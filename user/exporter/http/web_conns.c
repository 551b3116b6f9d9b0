// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "web_conns.h"

void web_client_key(const struct sockaddr *sa, unsigned char key[WEB_CLIENT_KEY_LEN])
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	memset(key, 0, WEB_CLIENT_KEY_LEN);
	if (sa && sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &sin->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		memcpy(key, &sin6->sin6_addr, WEB_CLIENT_KEY_LEN);
		if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			memset(key + 8, 0, 8);
	}
}

static void list_init(struct web_conn *head)
{
	head->prev = head->next = head;
}

static void list_del(struct web_conn *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
	c->prev = c->next = c;
}

static void list_add_tail(struct web_conn *head, struct web_conn *c)
{
	c->prev = head->prev;
	c->next = head;
	head->prev->next = c;
	head->prev = c;
}

void web_conns_init(struct web_conns *t, unsigned int max_total, unsigned int max_per_client)
{
	memset(t, 0, sizeof(*t));
	list_init(&t->waiting);
	list_init(&t->busy);
	t->max_total = max_total;
	t->max_per_client = max_per_client;
}

static void client_put(struct web_conns *t, struct web_client *cl);

/*
 * shutdown(), not close(): the descriptor stays libmicrohttpd's, which sees
 * the end of the stream on its next turn and closes the connection itself.
 */
static void shut(struct web_conns *t, struct web_conn *c)
{
	if (c->closing)
		return;
	list_del(c);
	c->closing = true;
	c->waiting = false;
	t->nr--;
	client_put(t, c->client);
	c->client = NULL;
	shutdown(c->fd, SHUT_RDWR);
}

/* The client with @key, made when new; NULL when out of memory. */
static struct web_client *client_get(struct web_conns *t, const unsigned char *key)
{
	struct web_client *cl;

	for (cl = t->clients; cl; cl = cl->next)
		if (!memcmp(cl->key, key, WEB_CLIENT_KEY_LEN))
			return cl;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return NULL;
	memcpy(cl->key, key, WEB_CLIENT_KEY_LEN);
	cl->next = t->clients;
	t->clients = cl;
	return cl;
}

static void client_put(struct web_conns *t, struct web_client *cl)
{
	struct web_client **p;

	if (--cl->conns)
		return;
	for (p = &t->clients; *p; p = &(*p)->next)
		if (*p == cl) {
			*p = cl->next;
			free(cl);
			return;
		}
}

/* The longest waiting connection of @client, else @fallback. */
static struct web_conn *oldest_waiting(struct web_conns *t, const struct web_client *client,
				       struct web_conn *fallback)
{
	struct web_conn *c;

	for (c = t->waiting.next; c != &t->waiting; c = c->next)
		if (c->client == client)
			return c;
	return fallback;
}

/* The longest waiting connection of the waiting client with the most connections. */
static struct web_conn *greediest_waiting(struct web_conns *t, struct web_conn *fallback)
{
	const struct web_client *most = NULL;
	struct web_conn *c;

	for (c = t->waiting.next; c != &t->waiting; c = c->next)
		if (!most || c->client->conns > most->conns)
			most = c->client;
	return most ? oldest_waiting(t, most, fallback) : fallback;
}

struct web_conn *web_conns_open(struct web_conns *t, int fd, const struct sockaddr *sa,
				unsigned long long now_ms)
{
	struct web_conn *c = calloc(1, sizeof(*c));
	unsigned char key[WEB_CLIENT_KEY_LEN];

	web_client_key(sa, key);
	if (c)
		c->client = client_get(t, key);
	if (!c || !c->client) {
		free(c);
		shutdown(fd, SHUT_RDWR);
		return NULL;
	}
	c->client->conns++;
	c->fd = fd;
	c->waiting = true;
	c->since_ms = now_ms;
	list_add_tail(&t->waiting, c);
	t->nr++;
	if (c->client->conns > t->max_per_client) {
		shut(t, oldest_waiting(t, c->client, c));
		t->evicted++;
	}
	if (t->nr > t->max_total) {
		shut(t, greediest_waiting(t, c));
		t->evicted++;
	}
	return c;
}

void web_conns_busy(struct web_conns *t, struct web_conn *c)
{
	if (!c || c->closing || !c->waiting)
		return;
	list_del(c);
	c->waiting = false;
	c->served = false;
	list_add_tail(&t->busy, c);
}

void web_conns_idle(struct web_conns *t, struct web_conn *c, unsigned long long now_ms)
{
	if (!c || c->closing)
		return;
	list_del(c);
	c->waiting = true;
	c->served = true;
	c->since_ms = now_ms;
	list_add_tail(&t->waiting, c);
}

/*
 * At a stop: a kept-alive connection between two scrapes has nothing in
 * flight (Prometheus keeps one open), so it is closed at once rather than
 * holding the drain up; one that sent part of a request is left to finish.
 */
unsigned int web_conns_shut_served(struct web_conns *t)
{
	struct web_conn *c = t->waiting.next, *next;
	unsigned int n = 0;

	for (; c != &t->waiting; c = next) {
		next = c->next;
		if (c->served) {
			shut(t, c);
			n++;
		}
	}
	return n;
}

void web_conns_closed(struct web_conns *t, struct web_conn *c)
{
	if (!c->closing) {
		list_del(c);
		t->nr--;
		client_put(t, c->client);
	}
	free(c);
}

unsigned int web_conns_expire(struct web_conns *t, unsigned long long now_ms,
			      unsigned long long timeout_ms)
{
	unsigned int n = 0;

	/* Oldest first, so the first one still in time ends the walk. */
	while (t->waiting.next != &t->waiting && t->waiting.next->since_ms + timeout_ms <= now_ms) {
		shut(t, t->waiting.next);
		n++;
	}
	t->expired += n;
	return n;
}

long long web_conns_next_ms(const struct web_conns *t, unsigned long long now_ms,
			    unsigned long long timeout_ms)
{
	unsigned long long due;

	if (t->waiting.next == &t->waiting)
		return -1;
	due = t->waiting.next->since_ms + timeout_ms;
	return due > now_ms ? (long long)(due - now_ms) : 0;
}
