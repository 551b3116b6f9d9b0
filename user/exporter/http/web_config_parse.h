/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What web_config.c (the YAML), web_tls.c (certificates, keys, TLS versions)
 * and web_auth.c (bcrypt) share while a --web-config file is loaded. Not
 * for the config's users: they see web_config.h only.
 */
#ifndef SIP6XX_WEB_CONFIG_PARSE_H
#define SIP6XX_WEB_CONFIG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "web_config.h"

#define BCRYPT_MIN_COST	 4
#define MAC_LEN		 32
#define WEB_TLS_VERSIONS 4

struct web_user {
	char *name;
	char *hash;
	bool cached;
	unsigned char good_mac[MAC_LEN]; /* HMAC-SHA256 of the last password that matched */
};

/* min_version/max_version as exporter-toolkit names them, with GnuTLS's names. */
struct web_tls_version {
	const char *name;
	const char *gnutls;
};

extern const struct web_tls_version web_tls_versions[WEB_TLS_VERSIONS];

/* A string setting and where it was, for the error line. */
struct setting {
	const char *val;
	const yaml_node_t *node;
};

struct parse {
	const char *path;
	yaml_document_t *doc;
	struct web_config *wc;
	char *err;
	size_t errlen;
	bool failed;
	const yaml_node_t *tls_node;
	struct setting cert_file, key_file, cert, key, client_ca_file, client_ca, client_auth_type;
	int min_version, max_version; /* indexes into web_tls_versions */
	bool prefer_server_order;
	int max_cost;
};

/* Records the first problem only, in ps->err, as "web config PATH: [line N: ]...". */
void web_fail(struct parse *ps, const yaml_node_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 0 with @path's bytes in *@out, NUL-terminated; or -errno, which web_file_error() words. */
int web_read_file(const char *path, char **out, size_t *len);
const char *web_file_error(int err);

/* $2a$, $2b$ or $2y$, a two-digit cost, 53 characters of bcrypt's base64. */
bool web_bcrypt_hash_ok(const char *h, int *cost);

/* Run once the YAML is read, while its nodes still name lines for errors. */
void web_tls_setup(struct parse *ps);
/* Run after the YAML, when every user's cost is known. */
void web_auth_setup(struct parse *ps);

#endif
