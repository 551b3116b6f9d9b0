/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* /metrics and / over libmicrohttpd, driven from the exporter's poll() loop. */
#ifndef SIP6XX_HTTP_SERVER_H
#define SIP6XX_HTTP_SERVER_H

#include <stddef.h>
#include <sys/socket.h>

struct http_server;
struct web_config;

/* Produces a malloc'd /metrics body; returns 0 or -errno. */
typedef int (*http_render_fn)(void *arg, char **body, size_t *len);

struct listen_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int any; /* ":PORT": every address, IPv6 and IPv4 */
};

/* Parses "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT"; 0 or -EINVAL. */
int http_parse_listen(const char *text, struct listen_addr *out);
/*
 * Binds and starts serving; NULL after logging one line naming @text. @web
 * (NULL for plain HTTP without auth) adds TLS, client certificates and basic
 * auth; it must outlive the server.
 */
struct http_server *http_start(const char *text, const struct listen_addr *addr,
			       struct web_config *web, http_render_fn render, void *arg);
/* The descriptor to poll for POLLIN, and how long poll() may sleep (-1: no limit). */
int http_poll_fd(const struct http_server *srv);
int http_timeout_ms(struct http_server *srv);
/* Serves whatever is ready; call when the descriptor is readable or the timeout ran out. */
void http_run(struct http_server *srv);
/* At a stop: no new connection; open ones still get their responses from http_run(). */
void http_quiesce(struct http_server *srv);
/* Connections still open (in flight, or idle and kept alive). */
unsigned int http_connections(struct http_server *srv);
void http_stop(struct http_server *srv);

#endif
