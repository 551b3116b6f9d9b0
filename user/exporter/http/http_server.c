// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libmicrohttpd in external-epoll mode: the daemon exposes one epoll fd that
 * the exporter's single poll() loop watches, so no thread is started.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "http_server.h"
#include "log.h"
#include "web_config.h"
#include "web_conns.h"
#include "web_auth_worker.h"
#include "web_login_limit.h"

/*
 * Room for many scrapers, and a cap well below the descriptor limit. Over
 * either limit the longest waiting connection is closed, not the new one,
 * so idle or slow clients cannot lock a scraper out.
 */
#define HTTP_CONNECTION_LIMIT	  256
#define HTTP_CLIENT_CONN_LIMIT	  32
/* libmicrohttpd's own cap: above ours, or it would stop accepting before we choose. */
#define HTTP_MHD_CONN_LIMIT	  (HTTP_CONNECTION_LIMIT + 64)
#define HTTP_LISTEN_BACKLOG	  1024
#define HTTP_CONNECTION_TIMEOUT_S 10	/* no byte in or out */
#define HTTP_HEADER_TIMEOUT_MS	  10000 /* a request's headers, however slowly they trickle */
#define METRICS_CONTENT_TYPE	  "text/plain; version=0.0.4; charset=utf-8"
#define TEXT_CONTENT_TYPE	  "text/plain; charset=utf-8"
#define AUTH_REALM		  "sip6xx"

static const char index_html[] =
	"<!DOCTYPE html>\n<html><head><title>sip6xx exporter</title></head>\n"
	"<body><h1>sip6xx exporter</h1>\n"
	"<p>SIP 6xx global-failure responses counted in the kernel by XDP.</p>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

/* The request state of a request whose headers are in and that has no password check. */
static int headers_seen;

struct http_server {
	struct MHD_Daemon *daemon;
	struct web_config *web; /* NULL: plain HTTP, no auth */
	http_render_fn render;
	void *arg;
	struct web_conns conns;
	struct login_limit logins;
	struct auth_worker auth;
};

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

int http_parse_listen(const char *text, struct listen_addr *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	const char *colon = strrchr(text, ':');
	char host[256], *end;
	struct addrinfo *res;
	unsigned long port;
	size_t hlen;

	if (!colon || !colon[1])
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (*end || port == 0 || port > 65535)
		return -EINVAL;
	hlen = colon - text;
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
		hints.ai_family = AF_INET6;
	}
	memset(out, 0, sizeof(*out));
	out->any = host[0] == '\0';
	if (out->any) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons(port);
		out->len = sizeof(*sin6);
		return 0;
	}
	if (getaddrinfo(host, colon + 1, &hints, &res))
		return -EINVAL;
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* ":PORT" binds [::] dual-stack, or 0.0.0.0 where IPv6 is off. */
static int bind_listen(const struct listen_addr *addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const struct sockaddr *sa = (const struct sockaddr *)&addr->ss;
	socklen_t len = addr->len;
	int one = 1, zero = 0, fd;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 && addr->any && errno == EAFNOSUPPORT) {
		sin.sin_port = ((const struct sockaddr_in6 *)sa)->sin6_port;
		sa = (const struct sockaddr *)&sin;
		len = sizeof(sin);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	}
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, addr->any ? &zero : &one, sizeof(int));
	if (bind(fd, sa, len) || listen(fd, HTTP_LISTEN_BACKLOG)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* A response with its content type and the headers the web config asks for. */
static struct MHD_Response *new_response(const struct http_server *srv, const char *type,
					 void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	int i;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	for (i = 0; srv->web && i < srv->web->nr_headers; i++)
		MHD_add_response_header(resp, srv->web->headers[i].name,
					srv->web->headers[i].value);
	return resp;
}

static enum MHD_Result respond(const struct http_server *srv, struct MHD_Connection *conn,
			       unsigned int status, const char *type, void *body, size_t len,
			       enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = new_response(srv, type, body, len, mode);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result respond_text(const struct http_server *srv, struct MHD_Connection *conn,
				    unsigned int status, const char *text)
{
	return respond(srv, conn, status, TEXT_CONTENT_TYPE, (void *)text, strlen(text),
		       MHD_RESPMEM_PERSISTENT);
}

/* 401 with WWW-Authenticate: Basic realm="sip6xx", so clients know to send credentials. */
static enum MHD_Result respond_unauthorized(const struct http_server *srv,
					    struct MHD_Connection *conn)
{
	static const char body[] = "Unauthorized\n";
	struct MHD_Response *resp = new_response(srv, TEXT_CONTENT_TYPE, (void *)body,
						 sizeof(body) - 1, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	ret = MHD_queue_basic_auth_fail_response(conn, AUTH_REALM, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * VerifyClientCertIfGiven and RequireAndVerifyClientCert: libmicrohttpd asks
 * for a client certificate once it has a trust list (the client CA), but
 * leaves verifying it to us. GnuTLS checks the chain and the dates.
 */
static bool client_cert_ok(const struct web_config *web, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info;
	unsigned int status = 0;
	int ret;

	if (web->client_auth == WEB_CLIENT_CERT_NONE)
		return true;
	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!info || !info->tls_session)
		return false;
	ret = gnutls_certificate_verify_peers2(info->tls_session, &status);
	if (ret == GNUTLS_E_NO_CERTIFICATE_FOUND) {
		if (web->client_auth == WEB_CLIENT_CERT_IF_GIVEN)
			return true;
		pr_debug("http: 403: no client certificate\n");
		return false;
	}
	if (ret < 0 || status) {
		pr_debug("http: 403: client certificate refused: %s\n",
			 ret < 0 ? gnutls_strerror(ret)
				 : "not signed by the client CA, or expired");
		return false;
	}
	return true;
}

/* 429 with Retry-After: the client's budget of failed logins is spent. */
static enum MHD_Result respond_throttled(const struct http_server *srv, struct MHD_Connection *conn)
{
	static const char body[] = "too many failed logins from your address; retry in a few "
				   "seconds\n";
	struct MHD_Response *resp = new_response(srv, TEXT_CONTENT_TYPE, (void *)body,
						 sizeof(body) - 1, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Retry-After", "2");
	ret = MHD_queue_response(conn, MHD_HTTP_TOO_MANY_REQUESTS, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const struct sockaddr *client_addr(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return info ? info->client_addr : NULL;
}

/* At most one line a second, naming the client; the user name shown printable and short. */
static void log_failed_login(struct http_server *srv, struct MHD_Connection *conn, const char *user,
			     bool refused, unsigned long long now)
{
	const struct sockaddr *sa = client_addr(conn);
	char host[NI_MAXHOST] = "?", name[33];
	struct login_limit *l = &srv->logins;
	size_t i;

	if (!login_limit_log_due(l, refused, now))
		return;
	for (i = 0; user[i] && i < sizeof(name) - 1; i++)
		name[i] = user[i] >= 0x20 && user[i] < 0x7f && user[i] != '\'' ? user[i] : '?';
	name[i] = '\0';
	if (sa)
		getnameinfo(sa,
			    sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						      : sizeof(struct sockaddr_in),
			    host, sizeof(host), NULL, 0, NI_NUMERICHOST);
	pr_warn("http: login failed for user '%s' from %s: %s (since the last such line: %lu "
		"more failed, %lu refused with 429)\n",
		name, host,
		refused ? "too many failures, refused unchecked with 429"
			: "wrong user name or password",
		l->failed, l->refused);
	l->failed = l->refused = 0;
}

enum auth_result { AUTH_OK, AUTH_FAILED, AUTH_THROTTLED, AUTH_PENDING };

/* The connection is back from the password-check thread with its answer. */
static enum auth_result basic_auth_done(struct http_server *srv, struct MHD_Connection *conn,
					struct auth_job *job)
{
	unsigned char client[WEB_CLIENT_KEY_LEN];
	unsigned long long now = now_ms();

	if (!atomic_load_explicit(&job->done, memory_order_acquire))
		return AUTH_PENDING;
	web_client_key(client_addr(conn), client);
	if (job->ok) {
		web_config_cache_password(srv->web, job->user, job->pass);
		login_limit_refund(&srv->logins, client, now);
		return AUTH_OK;
	}
	log_failed_login(srv, conn, job->user, false, now);
	return AUTH_FAILED;
}

/*
 * A cached password is answered at once. Any other costs bcrypt: within the
 * failed-login budget (web_login_limit.h) the connection is suspended and
 * the check queued for the password-check thread; beyond it, 429.
 */
static enum auth_result basic_auth(struct http_server *srv, struct MHD_Connection *conn,
				   void **req_state)
{
	char *pass = NULL, *user;
	unsigned char client[WEB_CLIENT_KEY_LEN];
	unsigned long long now = now_ms();
	enum auth_result res = AUTH_FAILED;
	struct auth_job *job;

	if (*req_state != &headers_seen)
		return basic_auth_done(srv, conn, *req_state);
	user = MHD_basic_auth_get_username_password(conn, &pass);
	if (!user || !pass) {
		pr_debug("http: 401: no credentials\n");
		goto out;
	}
	if (web_config_password_cached(srv->web, user, pass)) {
		res = AUTH_OK;
		goto out;
	}
	web_client_key(client_addr(conn), client);
	if (!login_limit_take(&srv->logins, client, now)) {
		res = AUTH_THROTTLED;
	} else if (auth_worker_full(&srv->auth) || !(job = auth_job_new(conn, user, pass))) {
		login_limit_refund(&srv->logins, client, now);
		res = AUTH_THROTTLED;
	} else {
		/* Suspended before queued: the worker may resume it at once. */
		*req_state = job;
		MHD_suspend_connection(conn);
		auth_worker_submit(&srv->auth, job);
		res = AUTH_PENDING;
	}
	if (res == AUTH_THROTTLED)
		log_failed_login(srv, conn, user, true, now);
out:
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	return res;
}

static enum MHD_Result serve_metrics(struct http_server *srv, struct MHD_Connection *conn)
{
	char *body = NULL;
	size_t len = 0;
	int err;

	err = srv->render(srv->arg, &body, &len);
	if (err) {
		free(body);
		pr_err("/metrics: reading the BPF maps failed: %s\n", strerror(-err));
		return respond_text(srv, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				    "reading the BPF maps failed; see the exporter's log\n");
	}
	return respond(srv, conn, MHD_HTTP_OK, METRICS_CONTENT_TYPE, body, len,
		       MHD_RESPMEM_MUST_FREE);
}

static struct web_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *fd, *addr;
	struct http_server *srv = cls;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (*socket_context)
			web_conns_closed(&srv->conns, *socket_context);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (fd)
		*socket_context = web_conns_open(&srv->conns, fd->connect_fd,
						 addr ? addr->client_addr : NULL, now_ms());
}

/* A response went out: the connection waits for the next request (keep-alive). */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_state,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct web_conn *c = conn_of(conn);

	if (*req_state && *req_state != &headers_seen)
		auth_job_free(*req_state);
	*req_state = NULL;
	if (c)
		web_conns_idle(&srv->conns, c, now_ms());
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **req_state)
{
	struct http_server *srv = cls;

	/* The first call only announces the headers; answer on the next one. */
	if (!*req_state) {
		*req_state = &headers_seen;
		web_conns_busy(&srv->conns,
			       conn_of(conn)); /* NULL-safe: untracked when out of memory */
		return MHD_YES;
	}
	if (*upload_size) { /* a body we do not want: drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	/* As exporter-toolkit: credentials first, for every path and method. */
	if (srv->web && !client_cert_ok(srv->web, conn))
		return respond_text(
			srv, conn, MHD_HTTP_FORBIDDEN,
			"a client certificate signed by the configured CA is required\n");
	if (web_config_auth(srv->web)) {
		switch (basic_auth(srv, conn, req_state)) {
		case AUTH_OK:
			break;
		case AUTH_PENDING:
			return MHD_YES;
		case AUTH_THROTTLED:
			return respond_throttled(srv, conn);
		default:
			return respond_unauthorized(srv, conn);
		}
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return respond_text(srv, conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (!strcmp(url, "/metrics"))
		return serve_metrics(srv, conn);
	if (!strcmp(url, "/"))
		return respond(srv, conn, MHD_HTTP_OK, "text/html; charset=utf-8",
			       (void *)index_html, sizeof(index_html) - 1, MHD_RESPMEM_PERSISTENT);
	return respond_text(srv, conn, MHD_HTTP_NOT_FOUND, "not found; try /metrics\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pr_debug("http: %s%s", msg, msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

/* The TLS part of the daemon's options; just MHD_OPTION_END for plain HTTP. */
static void tls_options(const struct web_config *web, struct MHD_OptionItem *o)
{
	int n = 0;

	if (web_config_tls(web)) {
		o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, web->cert_pem };
		o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, web->key_pem };
		o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						  (void *)web->tls_priorities };
		if (web->client_ca_pem)
			o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0,
							  web->client_ca_pem };
	}
	o[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
}

struct http_server *http_start(const char *text, const struct listen_addr *addr,
			       struct web_config *web, http_render_fn render, void *arg)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls[5];
	int fd;

	if (!srv)
		return NULL;
	if (web_config_tls(web)) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			pr_err("--web-config %s: this libmicrohttpd was built without TLS\n",
			       web->path);
			free(srv);
			return NULL;
		}
		flags |= MHD_USE_TLS;
	}
	tls_options(web, tls);
	fd = bind_listen(addr);
	if (fd < 0) {
		pr_err("--listen %s: %s%s\n", text, strerror(-fd),
		       fd == -EADDRINUSE ? " (another process holds that port; pick another "
					   "with --listen)"
					 : "");
		free(srv);
		return NULL;
	}
	srv->web = web;
	srv->render = render;
	srv->arg = arg;
	web_conns_init(&srv->conns, HTTP_CONNECTION_LIMIT, HTTP_CLIENT_CONN_LIMIT);
	login_limit_init(&srv->logins, now_ms());
	auth_worker_init(&srv->auth, web);
	if (web_config_auth(web))
		flags |= MHD_ALLOW_SUSPEND_RESUME;
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		/* The logger goes first, or start-up messages bypass it. */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MHD_CONN_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_CONNECTION_TIMEOUT_S,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, srv, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!srv->daemon) {
		auth_worker_stop(&srv->auth);
		pr_err("--listen %s%s%s: starting libmicrohttpd failed (--log-level debug says "
		       "why)\n",
		       text, web ? " --web-config " : "", web ? web->path : "");
		close(fd);
		free(srv);
		return NULL;
	}
	return srv;
}

int http_poll_fd(const struct http_server *srv)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_EPOLL_FD);

	return info ? info->epoll_fd : -1;
}

int http_timeout_ms(struct http_server *srv)
{
	long long next = web_conns_next_ms(&srv->conns, now_ms(), HTTP_HEADER_TIMEOUT_MS);
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(srv->daemon, &ms) != MHD_YES)
		ms = next < 0 ? 60000 : (MHD_UNSIGNED_LONG_LONG)next;
	if (next >= 0 && (MHD_UNSIGNED_LONG_LONG)next < ms)
		ms = next;
	return ms > 60000 ? 60000 : (int)ms;
}

void http_run(struct http_server *srv)
{
	MHD_run(srv->daemon);
	/* Shut down here; libmicrohttpd closes them when their sockets wake it. */
	web_conns_expire(&srv->conns, now_ms(), HTTP_HEADER_TIMEOUT_MS);
}

void http_quiesce(struct http_server *srv)
{
	MHD_socket fd = MHD_quiesce_daemon(srv->daemon);

	/* Ours to close now; connections waiting in its backlog are refused. */
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	web_conns_shut_served(&srv->conns);
}

unsigned int http_connections(struct http_server *srv)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return info ? info->num_connections : 0;
}

void http_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* Suspended connections come back first: MHD cannot stop with one. */
	auth_worker_stop(&srv->auth);
	/* MHD closes the listen socket it was handed. */
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
