// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The exporter-toolkit web config, read with libyaml's document loader and
 * checked as strictly as exporter-toolkit's yaml.UnmarshalStrict: a key we do
 * not know is an error, not a warning, because a misspelt basic_auth_users
 * would otherwise serve the metrics to anyone. Keys exporter-toolkit knows
 * but sip6xx cannot honour (cipher_suites, client_allowed_sans, rate_limit,
 * ...) are errors too, for the same reason: silently ignoring a restriction
 * weakens it. Certificates and keys are checked by web_tls.c, bcrypt hashes by
 * web_auth.c; the three report through web_config_parse.c.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "log.h"
#include "web_config_parse.h"

/* The response headers exporter-toolkit lets a config set, with their values if fixed. */
static const struct {
	const char *name;
	const char *values[2];
} allowed_headers[WEB_MAX_HEADERS] = {
	{ "Strict-Transport-Security", { NULL } },
	{ "X-Content-Type-Options", { "nosniff" } },
	{ "X-Frame-Options", { "deny", "sameorigin" } },
	{ "X-XSS-Protection", { NULL } },
	{ "Content-Security-Policy", { NULL } },
};

/* YAML 1.1 null, as Go's yaml.v2 reads it: an empty value, ~ or null. */
static bool is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static const char *string_value(struct parse *ps, const yaml_node_t *n, const char *key)
{
	if (is_null(n))
		return "";
	if (n->type != YAML_SCALAR_NODE) {
		web_fail(ps, n, "%s must be a string", key);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static void bool_value(struct parse *ps, const yaml_node_t *n, const char *key, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					   "on",   "On",   "ON",   "y",	  "Y" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO",
					  "off",   "Off",   "OFF",   "n",  "N" };
	const char *v = (const char *)n->data.scalar.value;
	size_t i;

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (!strcmp(v, yes[i]) || !strcmp(v, no[i])) {
				*out = !strcmp(v, yes[i]);
				return;
			}
		}
	}
	web_fail(ps, n, "%s must be true or false", key);
}

/*
 * A mapping with string keys and no key twice (libyaml keeps duplicates,
 * yaml.v2 refuses them). False for null, which stands for an empty mapping.
 */
static bool mapping(struct parse *ps, const yaml_node_t *n, const char *what)
{
	yaml_node_pair_t *p, *q;
	const yaml_node_t *k, *k2;

	if (is_null(n))
		return false;
	if (n->type != YAML_MAPPING_NODE) {
		web_fail(ps, n, "%s must be a mapping of keys to values", what);
		return false;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(ps->doc, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			web_fail(ps, k, "the keys of %s must be strings", what);
			return false;
		}
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			k2 = yaml_document_get_node(ps->doc, q->key);
			if (!strcmp((char *)k->data.scalar.value, (char *)k2->data.scalar.value)) {
				web_fail(ps, k, "%s has the key '%s' twice", what,
					 (char *)k->data.scalar.value);
				return false;
			}
		}
	}
	return true;
}

static const char *pair_key(const struct parse *ps, const yaml_node_pair_t *p)
{
	return (const char *)yaml_document_get_node(ps->doc, p->key)->data.scalar.value;
}

static const yaml_node_t *pair_value(const struct parse *ps, const yaml_node_pair_t *p)
{
	return yaml_document_get_node(ps->doc, p->value);
}

static void set_string(struct parse *ps, struct setting *s, const yaml_node_t *v, const char *key)
{
	s->val = string_value(ps, v, key);
	s->node = v;
}

static void tls_version(struct parse *ps, const yaml_node_t *v, const char *key, int *out)
{
	const char *s = string_value(ps, v, key);
	size_t i;

	if (!s)
		return;
	for (i = 0; i < sizeof(web_tls_versions) / sizeof(web_tls_versions[0]); i++) {
		if (!strcmp(s, web_tls_versions[i].name)) {
			*out = i;
			return;
		}
	}
	web_fail(ps, v, "%s '%s' is not one of TLS10, TLS11, TLS12, TLS13", key, s);
}

static void parse_tls(struct parse *ps, const yaml_node_t *n)
{
	const yaml_node_t *v;
	yaml_node_pair_t *p;
	const char *k;

	ps->tls_node = n;
	if (!mapping(ps, n, "tls_server_config"))
		return;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !ps->failed; p++) {
		k = pair_key(ps, p);
		v = pair_value(ps, p);
		if (!strcmp(k, "cert_file"))
			set_string(ps, &ps->cert_file, v, k);
		else if (!strcmp(k, "key_file"))
			set_string(ps, &ps->key_file, v, k);
		else if (!strcmp(k, "cert"))
			set_string(ps, &ps->cert, v, k);
		else if (!strcmp(k, "key"))
			set_string(ps, &ps->key, v, k);
		else if (!strcmp(k, "client_ca_file"))
			set_string(ps, &ps->client_ca_file, v, k);
		else if (!strcmp(k, "client_ca"))
			set_string(ps, &ps->client_ca, v, k);
		else if (!strcmp(k, "client_auth_type"))
			set_string(ps, &ps->client_auth_type, v, k);
		else if (!strcmp(k, "min_version"))
			tls_version(ps, v, k, &ps->min_version);
		else if (!strcmp(k, "max_version"))
			tls_version(ps, v, k, &ps->max_version);
		else if (!strcmp(k, "prefer_server_cipher_suites"))
			bool_value(ps, v, k, &ps->prefer_server_order);
		else if (!strcmp(k, "cipher_suites") || !strcmp(k, "curve_preferences"))
			web_fail(ps, v,
				 "tls_server_config.%s is not supported by sip6xx (GnuTLS's "
				 "defaults apply; min_version and max_version are); remove it",
				 k);
		else if (!strcmp(k, "client_allowed_sans"))
			web_fail(ps, v,
				 "tls_server_config.client_allowed_sans is not supported by "
				 "sip6xx: it checks client certificates against client_ca_file "
				 "only");
		else
			web_fail(ps, yaml_document_get_node(ps->doc, p->key),
				 "unknown key '%s' in tls_server_config", k);
	}
}

static void add_header(struct parse *ps, const char *name, const yaml_node_t *v)
{
	struct web_config *wc = ps->wc;
	const char *val = string_value(ps, v, name);
	int i, j;

	if (!val)
		return;
	if (strpbrk(val, "\r\n")) {
		web_fail(ps, v, "the value of header %s holds a line break", name);
		return;
	}
	for (i = 0; i < WEB_MAX_HEADERS; i++) {
		if (strcmp(name, allowed_headers[i].name))
			continue;
		for (j = 0; j < 2 && allowed_headers[i].values[j]; j++)
			if (!strcmp(val, allowed_headers[i].values[j]))
				break;
		if (allowed_headers[i].values[0] && (j == 2 || !allowed_headers[i].values[j])) {
			web_fail(ps, v, "header %s: '%s' is not %s%s%s", name, val,
				 allowed_headers[i].values[0],
				 allowed_headers[i].values[1] ? " or " : "",
				 allowed_headers[i].values[1] ? allowed_headers[i].values[1] : "");
			return;
		}
		wc->headers[wc->nr_headers].name = allowed_headers[i].name;
		wc->headers[wc->nr_headers].value = strdup(val);
		if (!wc->headers[wc->nr_headers].value)
			web_fail(ps, v, "out of memory");
		wc->nr_headers++;
		return;
	}
	web_fail(ps, v,
		 "header '%s' cannot be set (exporter-toolkit allows "
		 "Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, "
		 "X-XSS-Protection, Content-Security-Policy)",
		 name);
}

static void parse_http(struct parse *ps, const yaml_node_t *n)
{
	const yaml_node_t *v;
	yaml_node_pair_t *p, *hp;
	const char *k;
	bool http2;

	if (!mapping(ps, n, "http_server_config"))
		return;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !ps->failed; p++) {
		k = pair_key(ps, p);
		v = pair_value(ps, p);
		if (!strcmp(k, "http2")) {
			/* libmicrohttpd speaks HTTP/1.1; an HTTP/2 client falls back to it. */
			bool_value(ps, v, k, &http2);
		} else if (!strcmp(k, "headers")) {
			if (!mapping(ps, v, "http_server_config.headers"))
				continue;
			for (hp = v->data.mapping.pairs.start;
			     hp < v->data.mapping.pairs.top && !ps->failed; hp++)
				add_header(ps, pair_key(ps, hp), pair_value(ps, hp));
		} else {
			web_fail(ps, yaml_document_get_node(ps->doc, p->key),
				 "unknown key '%s' in http_server_config", k);
		}
	}
}

static void parse_users(struct parse *ps, const yaml_node_t *n)
{
	struct web_config *wc = ps->wc;
	const yaml_node_t *v;
	yaml_node_pair_t *p;
	const char *k, *hash;
	struct web_user *u;
	int cost;

	if (!mapping(ps, n, "basic_auth_users"))
		return;
	wc->users =
		calloc(n->data.mapping.pairs.top - n->data.mapping.pairs.start, sizeof(*wc->users));
	if (!wc->users && n->data.mapping.pairs.top > n->data.mapping.pairs.start) {
		web_fail(ps, n, "out of memory");
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !ps->failed; p++) {
		k = pair_key(ps, p);
		v = pair_value(ps, p);
		hash = string_value(ps, v, "a basic_auth_users hash");
		if (!hash)
			return;
		if (strchr(k, ':')) {
			web_fail(ps, v,
				 "basic_auth_users: user name '%s' holds ':', which basic auth "
				 "cannot carry",
				 k);
			return;
		}
		if (!web_bcrypt_hash_ok(hash, &cost)) {
			web_fail(ps, v,
				 "basic_auth_users: the password of '%s' is not a bcrypt hash "
				 "($2a$, $2b$ or $2y$, cost 04..31, 60 characters; htpasswd "
				 "-nBC 10 %s makes one)",
				 k, k);
			return;
		}
		if (cost > ps->max_cost)
			ps->max_cost = cost;
		u = &wc->users[wc->nr_users++];
		u->name = strdup(k);
		u->hash = strdup(hash);
		if (!u->name || !u->hash)
			web_fail(ps, v, "out of memory");
	}
}

static void parse_root(struct parse *ps, const yaml_node_t *root)
{
	const yaml_node_t *v;
	yaml_node_pair_t *p;
	const char *k;

	if (!mapping(ps, root, "the file"))
		return;
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top && !ps->failed;
	     p++) {
		k = pair_key(ps, p);
		v = pair_value(ps, p);
		if (!strcmp(k, "tls_server_config"))
			parse_tls(ps, v);
		else if (!strcmp(k, "http_server_config"))
			parse_http(ps, v);
		else if (!strcmp(k, "basic_auth_users"))
			parse_users(ps, v);
		else if (!strcmp(k, "rate_limit") || !strcmp(k, "auth_excluded_paths") ||
			 !strcmp(k, "ip_socket_config"))
			web_fail(ps, yaml_document_get_node(ps->doc, p->key),
				 "%s is not supported by sip6xx; remove it", k);
		else
			web_fail(ps, yaml_document_get_node(ps->doc, p->key),
				 "unknown key '%s' (the keys are tls_server_config, "
				 "http_server_config and basic_auth_users)",
				 k);
	}
}

/* Parses the one YAML document in @buf. */
static void parse_yaml(struct parse *ps, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	yaml_node_t *root;

	if (!yaml_parser_initialize(&parser)) {
		web_fail(ps, NULL, "libyaml: out of memory");
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		web_fail(ps, NULL, "line %zu column %zu: not valid YAML: %s%s%s",
			 (size_t)parser.problem_mark.line + 1,
			 (size_t)parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "parse error", parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return;
	}
	ps->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root)
		parse_root(ps, root);
	if (!ps->failed && root) {
		if (!yaml_parser_load(&parser, &extra)) {
			web_fail(ps, NULL, "line %zu: not valid YAML: %s",
				 (size_t)parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "parse error");
		} else {
			if (yaml_document_get_root_node(&extra))
				web_fail(ps, yaml_document_get_root_node(&extra),
					 "a second YAML document; the file must hold one");
			yaml_document_delete(&extra);
		}
	}
	if (!ps->failed)
		web_tls_setup(ps);
	yaml_document_delete(&doc);
	ps->doc = NULL;
	yaml_parser_delete(&parser);
}

struct web_config *web_config_load(const char *path, char *err, size_t errlen)
{
	struct parse ps = { .path = path,
			    .err = err,
			    .errlen = errlen,
			    .min_version = 2, /* TLS12, exporter-toolkit's default */
			    .max_version = 3,
			    .prefer_server_order = true,
			    .max_cost = BCRYPT_MIN_COST };
	size_t len;
	char *buf;
	int ret;

	ps.wc = calloc(1, sizeof(*ps.wc));
	if (!ps.wc || !(ps.wc->path = strdup(path))) {
		web_fail(&ps, NULL, "out of memory");
		goto out;
	}
	ret = web_read_file(path, &buf, &len);
	if (ret) {
		web_fail(&ps, NULL, "%s", web_file_error(ret));
		goto out;
	}
	parse_yaml(&ps, buf, len);
	free(buf);
	if (!ps.failed)
		web_auth_setup(&ps);
out:
	if (ps.failed) {
		web_config_free(ps.wc);
		return NULL;
	}
	pr_info("web config %s: %s, basic auth %s (%zu user%s)\n", path,
		ps.wc->cert_pem ? "TLS on" : "TLS off", ps.wc->nr_users ? "on" : "off",
		ps.wc->nr_users, ps.wc->nr_users == 1 ? "" : "s");
	return ps.wc;
}

static void free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void web_config_free(struct web_config *wc)
{
	size_t i;

	if (!wc)
		return;
	for (i = 0; i < wc->nr_users; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
	}
	free(wc->users);
	for (i = 0; i < (size_t)wc->nr_headers; i++)
		free(wc->headers[i].value);
	if (wc->crypt) {
		explicit_bzero(wc->crypt, sizeof(*wc->crypt));
		free(wc->crypt);
	}
	free_secret(wc->key_pem);
	free(wc->cert_pem);
	free(wc->client_ca_pem);
	free(wc->path);
	explicit_bzero(wc, sizeof(*wc));
	free(wc);
}
