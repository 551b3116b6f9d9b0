/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The HTTP server's connections, by client and by how long each has waited
 * for a request: a total and a per-client limit that close the longest
 * waiting connection first, and a deadline for a request's headers that
 * trickled bytes do not extend (slowloris).
 */
#ifndef SIP6XX_WEB_CONNS_H
#define SIP6XX_WEB_CONNS_H

#include <stdbool.h>
#include <sys/socket.h>

#define WEB_CLIENT_KEY_LEN 16

/*
 * Who a client is, for limits: its IPv4 address (as v4-mapped IPv6), or the
 * /64 of its IPv6 address, which one host usually holds whole.
 */
void web_client_key(const struct sockaddr *sa, unsigned char key[WEB_CLIENT_KEY_LEN]);

/* A client with connections open: how many. */
struct web_client {
	struct web_client *next;
	unsigned char key[WEB_CLIENT_KEY_LEN];
	unsigned int conns;
};

struct web_conn {
	struct web_conn *prev, *next;
	struct web_client *client;
	int fd;
	bool waiting; /* for a request's headers, since since_ms */
	bool closing; /* shut down here; libmicrohttpd has yet to close it */
	bool served;  /* waiting after a whole response: a kept-alive connection */
	unsigned long long since_ms;
};

struct web_conns {
	struct web_conn waiting;    /* list head, longest waiting first */
	struct web_conn busy;	    /* list head: a request is being answered */
	struct web_client *clients; /* with a connection open */
	unsigned int nr;	    /* open and not closing */
	unsigned int max_total;
	unsigned int max_per_client;
	unsigned long long evicted; /* closed to make room for newer ones */
	unsigned long long expired; /* closed at the header deadline */
};

void web_conns_init(struct web_conns *t, unsigned int max_total, unsigned int max_per_client);
/*
 * A new connection on @fd from @sa, waiting from @now_ms. Over the
 * per-client limit, that client's longest waiting connection is shut down;
 * over the total, the longest waiting one of the client with the most
 * connections, so a client with few keeps them. The new one goes only when
 * no other waits. NULL when out of memory (then @fd is shut down too).
 */
struct web_conn *web_conns_open(struct web_conns *t, int fd, const struct sockaddr *sa,
				unsigned long long now_ms);
/*
 * A request's headers are in: no longer waiting, never evicted for room.
 * This and web_conns_idle() take NULL: a connection untracked for want of memory.
 */
void web_conns_busy(struct web_conns *t, struct web_conn *c);
/* Its response went out: waiting again (keep-alive), from @now_ms. */
void web_conns_idle(struct web_conns *t, struct web_conn *c, unsigned long long now_ms);
/* libmicrohttpd closed it: forget and free it. */
void web_conns_closed(struct web_conns *t, struct web_conn *c);
/* Shuts down every connection waiting @timeout_ms or longer; how many. */
/* Shuts down every kept-alive connection between requests; returns how many. */
unsigned int web_conns_shut_served(struct web_conns *t);
unsigned int web_conns_expire(struct web_conns *t, unsigned long long now_ms,
			      unsigned long long timeout_ms);
/* Milliseconds until the next header deadline; -1 when nothing waits. */
long long web_conns_next_ms(const struct web_conns *t, unsigned long long now_ms,
			    unsigned long long timeout_ms);

#endif
