/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * --web-config FILE: TLS and basic auth for /metrics, in the file format of
 * Prometheus exporter-toolkit (tls_server_config, http_server_config,
 * basic_auth_users), so one file serves node_exporter and sip6xx alike.
 */
#ifndef SIP6XX_WEB_CONFIG_H
#define SIP6XX_WEB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_MAX_HEADERS 5 /* exporter-toolkit allows five response headers */

enum web_client_auth {
	WEB_CLIENT_CERT_NONE = 0, /* NoClientCert */
	WEB_CLIENT_CERT_IF_GIVEN, /* VerifyClientCertIfGiven */
	WEB_CLIENT_CERT_REQUIRED, /* RequireAndVerifyClientCert */
};

struct web_header {
	const char *name;
	char *value;
};

struct web_user;

struct web_config {
	char *path;
	/* NUL-terminated PEM, checked to load; cert_pem NULL means plain HTTP. */
	char *cert_pem;
	char *key_pem;
	char *client_ca_pem;
	enum web_client_auth client_auth;
	char tls_priorities[128]; /* GnuTLS priority string: min_version..max_version */
	struct web_header headers[WEB_MAX_HEADERS];
	int nr_headers;
	struct web_user *users;
	size_t nr_users;
	/* Password checks: bcrypt through libcrypt, and a cache of the last good one. */
	struct crypt_data *crypt;
	char dummy_setting[64]; /* bcrypt setting run for unknown users */
	unsigned char mac_key[32];
};

/*
 * Reads and checks @path: YAML shape, every key, bcrypt hashes, and that the
 * certificate, key and client CA load. NULL with one line in @err (naming
 * @path) on any problem.
 */
struct web_config *web_config_load(const char *path, char *err, size_t errlen);
void web_config_free(struct web_config *wc);

static inline bool web_config_tls(const struct web_config *wc)
{
	return wc && wc->cert_pem;
}

static inline bool web_config_auth(const struct web_config *wc)
{
	return wc && wc->nr_users;
}

/*
 * True when @user exists and @pass matches its bcrypt hash. An unknown user
 * costs a bcrypt run too, so timing does not tell which users exist. A
 * match is remembered as a keyed SHA-256, so Prometheus's scrapes do not pay
 * bcrypt (tens of milliseconds of CPU) every time.
 */
bool web_config_check_password(struct web_config *wc, const char *user, const char *pass);
/*
 * The two halves, for checks off the event loop: the cache alone (no
 * bcrypt), and bcrypt alone (touches only wc->crypt: one thread at a time),
 * after which the event loop caches a match.
 */
bool web_config_password_cached(struct web_config *wc, const char *user, const char *pass);
bool web_config_verify_password(struct web_config *wc, const char *user, const char *pass);
void web_config_cache_password(struct web_config *wc, const char *user, const char *pass);

#endif
