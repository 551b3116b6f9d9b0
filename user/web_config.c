// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The exporter-toolkit web config, read with libyaml's document loader and
 * checked as strictly as exporter-toolkit's yaml.UnmarshalStrict: a key we do
 * not know is an error, not a warning, because a misspelt basic_auth_users
 * would otherwise serve the metrics to anyone. Keys exporter-toolkit knows
 * but sip6xx cannot honour (cipher_suites, client_allowed_sans, rate_limit,
 * ...) are errors too, for the same reason: silently ignoring a restriction
 * weakens it. Certificates and keys are loaded here once, with GnuTLS (the
 * TLS library libmicrohttpd uses), so a bad file is reported at startup by
 * name rather than as a failed handshake later.
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <yaml.h>

#include "log.h"
#include "web_config.h"

#define WEB_FILE_MAX	 (1 << 20) /* the config, a certificate chain or a key */
#define BCRYPT_LEN	 60
#define BCRYPT_MIN_COST	 4
#define BCRYPT_MAX_COST	 31
#define BCRYPT_SLOW_COST 12 /* above: each uncached check stalls the event loop noticeably */
#define MAC_LEN		 32

struct web_user {
	char *name;
	char *hash;
	bool cached;
	unsigned char good_mac[MAC_LEN]; /* HMAC-SHA256 of the last password that matched */
};

/* min_version/max_version as exporter-toolkit names them, with GnuTLS's names. */
static const struct {
	const char *name;
	const char *gnutls;
} tls_versions[] = {
	{ "TLS10", "VERS-TLS1.0" },
	{ "TLS11", "VERS-TLS1.1" },
	{ "TLS12", "VERS-TLS1.2" },
	{ "TLS13", "VERS-TLS1.3" },
};

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
	int min_version, max_version; /* indexes into tls_versions */
	bool prefer_server_order;
	int max_cost;
};

static void fail(struct parse *ps, const yaml_node_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct parse *ps, const yaml_node_t *at, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	snprintf(ps->err, ps->errlen, "web config %s: ", ps->path);
	n = strlen(ps->err);
	if (at) {
		snprintf(ps->err + n, ps->errlen - n,
			 "line %zu: ", (size_t)at->start_mark.line + 1);
		n = strlen(ps->err);
	}
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
}

static int read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t got;
	size_t done = 0;
	char *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out_close;
	}
	err = -EINVAL;
	if (!S_ISREG(st.st_mode))
		goto out_close;
	err = -EFBIG;
	if (st.st_size > WEB_FILE_MAX)
		goto out_close;
	err = -ENOMEM;
	buf = malloc(st.st_size + 1);
	if (!buf)
		goto out_close;
	while (done < (size_t)st.st_size) {
		got = read(fd, buf + done, st.st_size - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			err = got < 0 ? -errno : -EIO;
			free(buf);
			goto out_close;
		}
		done += got;
	}
	buf[done] = '\0';
	*out = buf;
	*len = done;
	err = 0;
out_close:
	close(fd);
	return err;
}

static const char *file_error(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a regular file";
	case -EFBIG:
		return "larger than 1 MiB";
	default:
		return strerror(-err);
	}
}

/* exporter-toolkit resolves relative file names against the config file's directory. */
static char *join_dir(const char *config_path, const char *file)
{
	const char *slash = strrchr(config_path, '/');
	char *out;

	if (file[0] == '/' || !slash)
		return strdup(file);
	if (asprintf(&out, "%.*s/%s", (int)(slash - config_path), config_path, file) < 0)
		return NULL;
	return out;
}

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
		fail(ps, n, "%s must be a string", key);
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
	fail(ps, n, "%s must be true or false", key);
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
		fail(ps, n, "%s must be a mapping of keys to values", what);
		return false;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(ps->doc, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			fail(ps, k, "the keys of %s must be strings", what);
			return false;
		}
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			k2 = yaml_document_get_node(ps->doc, q->key);
			if (!strcmp((char *)k->data.scalar.value, (char *)k2->data.scalar.value)) {
				fail(ps, k, "%s has the key '%s' twice", what,
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
	for (i = 0; i < sizeof(tls_versions) / sizeof(tls_versions[0]); i++) {
		if (!strcmp(s, tls_versions[i].name)) {
			*out = i;
			return;
		}
	}
	fail(ps, v, "%s '%s' is not one of TLS10, TLS11, TLS12, TLS13", key, s);
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
			fail(ps, v,
			     "tls_server_config.%s is not supported by sip6xx (GnuTLS's defaults "
			     "apply; min_version and max_version are); remove it",
			     k);
		else if (!strcmp(k, "client_allowed_sans"))
			fail(ps, v,
			     "tls_server_config.client_allowed_sans is not supported by sip6xx: "
			     "it checks client certificates against client_ca_file only");
		else
			fail(ps, yaml_document_get_node(ps->doc, p->key),
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
		fail(ps, v, "the value of header %s holds a line break", name);
		return;
	}
	for (i = 0; i < WEB_MAX_HEADERS; i++) {
		if (strcmp(name, allowed_headers[i].name))
			continue;
		for (j = 0; j < 2 && allowed_headers[i].values[j]; j++)
			if (!strcmp(val, allowed_headers[i].values[j]))
				break;
		if (allowed_headers[i].values[0] && (j == 2 || !allowed_headers[i].values[j])) {
			fail(ps, v, "header %s: '%s' is not %s%s%s", name, val,
			     allowed_headers[i].values[0],
			     allowed_headers[i].values[1] ? " or " : "",
			     allowed_headers[i].values[1] ? allowed_headers[i].values[1] : "");
			return;
		}
		wc->headers[wc->nr_headers].name = allowed_headers[i].name;
		wc->headers[wc->nr_headers].value = strdup(val);
		if (!wc->headers[wc->nr_headers].value)
			fail(ps, v, "out of memory");
		wc->nr_headers++;
		return;
	}
	fail(ps, v,
	     "header '%s' cannot be set (exporter-toolkit allows Strict-Transport-Security, "
	     "X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy)",
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
			fail(ps, yaml_document_get_node(ps->doc, p->key),
			     "unknown key '%s' in http_server_config", k);
		}
	}
}

/* $2a$, $2b$ or $2y$, a two-digit cost, 53 characters of bcrypt's base64. */
static bool bcrypt_hash_ok(const char *h, int *cost)
{
	static const char b64[] =
		"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	if (strlen(h) != BCRYPT_LEN || strncmp(h, "$2", 2) || !strchr("aby", h[2]) || h[3] != '$' ||
	    h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' || h[6] != '$')
		return false;
	*cost = (h[4] - '0') * 10 + (h[5] - '0');
	return *cost >= BCRYPT_MIN_COST && *cost <= BCRYPT_MAX_COST &&
	       strspn(h + 7, b64) == BCRYPT_LEN - 7 && crypt_checksalt(h) == CRYPT_SALT_OK;
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
		fail(ps, n, "out of memory");
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !ps->failed; p++) {
		k = pair_key(ps, p);
		v = pair_value(ps, p);
		hash = string_value(ps, v, "a basic_auth_users hash");
		if (!hash)
			return;
		if (strchr(k, ':')) {
			fail(ps, v,
			     "basic_auth_users: user name '%s' holds ':', which basic auth "
			     "cannot carry",
			     k);
			return;
		}
		if (!bcrypt_hash_ok(hash, &cost)) {
			fail(ps, v,
			     "basic_auth_users: the password of '%s' is not a bcrypt hash ($2a$, "
			     "$2b$ or $2y$, cost 04..31, 60 characters; htpasswd -nBC 10 %s makes "
			     "one)",
			     k, k);
			return;
		}
		if (cost > ps->max_cost)
			ps->max_cost = cost;
		u = &wc->users[wc->nr_users++];
		u->name = strdup(k);
		u->hash = strdup(hash);
		if (!u->name || !u->hash)
			fail(ps, v, "out of memory");
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
			fail(ps, yaml_document_get_node(ps->doc, p->key),
			     "%s is not supported by sip6xx; remove it", k);
		else
			fail(ps, yaml_document_get_node(ps->doc, p->key),
			     "unknown key '%s' (the keys are tls_server_config, "
			     "http_server_config and basic_auth_users)",
			     k);
	}
}

/* A PEM value: inline (@text), or from @file relative to the config. */
static char *load_pem(struct parse *ps, const struct setting *file, const struct setting *text,
		      const char *what, size_t *len)
{
	char *path, *buf = NULL;
	int err;

	if (file->val && *file->val && text->val && *text->val) {
		fail(ps, file->node, "give %s_file or %s, not both", what, what);
		return NULL;
	}
	if (text->val && *text->val) {
		*len = strlen(text->val);
		buf = strdup(text->val);
		if (!buf)
			fail(ps, text->node, "out of memory");
		return buf;
	}
	path = join_dir(ps->path, file->val);
	if (!path) {
		fail(ps, file->node, "out of memory");
		return NULL;
	}
	err = read_file(path, &buf, len);
	if (err)
		fail(ps, file->node, "%s_file %s: %s", what, path, file_error(err));
	free(path);
	return buf;
}

static const char *pem_name(const struct setting *file)
{
	return file->val && *file->val ? file->val : "(inline)";
}

static void warn_if_expired(struct parse *ps, const char *pem, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)pem, len };
	gnutls_x509_crt_t crt;
	time_t now = time(NULL), t;

	if (gnutls_x509_crt_init(&crt))
		return;
	if (!gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) {
		t = gnutls_x509_crt_get_expiration_time(crt);
		if (t != (time_t)-1 && t < now)
			pr_warn("web config %s: the certificate in %s has expired; clients will "
				"refuse it\n",
				ps->path, pem_name(&ps->cert_file));
		t = gnutls_x509_crt_get_activation_time(crt);
		if (t != (time_t)-1 && t > now)
			pr_warn("web config %s: the certificate in %s is not valid yet\n", ps->path,
				pem_name(&ps->cert_file));
	}
	gnutls_x509_crt_deinit(crt);
}

/* Loads the certificate and key the way libmicrohttpd will, to report a problem now. */
static void check_key_pair(struct parse *ps, size_t cert_len, size_t key_len)
{
	struct web_config *wc = ps->wc;
	gnutls_datum_t cert = { (unsigned char *)wc->cert_pem, cert_len };
	gnutls_datum_t key = { (unsigned char *)wc->key_pem, key_len };
	gnutls_certificate_credentials_t cred;
	int ret;

	if (gnutls_certificate_allocate_credentials(&cred)) {
		fail(ps, NULL, "GnuTLS: out of memory");
		return;
	}
	ret = gnutls_certificate_set_x509_key_mem2(cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (ret < 0)
		fail(ps, ps->cert_file.node ? ps->cert_file.node : ps->cert.node,
		     "certificate %s with key %s: %s", pem_name(&ps->cert_file),
		     pem_name(&ps->key_file), gnutls_strerror(ret));
	gnutls_certificate_free_credentials(cred);
	if (!ps->failed)
		warn_if_expired(ps, wc->cert_pem, cert_len);
}

static void check_client_ca(struct parse *ps, size_t len)
{
	gnutls_datum_t d = { (unsigned char *)ps->wc->client_ca_pem, len };
	const struct setting *at = ps->client_ca_file.val && *ps->client_ca_file.val
					   ? &ps->client_ca_file
					   : &ps->client_ca;
	gnutls_x509_crt_t *list = NULL;
	unsigned int n = 0, i;
	int ret;

	ret = gnutls_x509_crt_list_import2(&list, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	if (ret < 0 || !n)
		fail(ps, at->node, "client CA %s holds no PEM certificate%s%s",
		     pem_name(&ps->client_ca_file), ret < 0 ? ": " : "",
		     ret < 0 ? gnutls_strerror(ret) : "");
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
}

static void parse_client_auth(struct parse *ps, bool have_ca)
{
	const char *t = ps->client_auth_type.val ? ps->client_auth_type.val : "";
	const yaml_node_t *at = ps->client_auth_type.node;

	if (!*t || !strcmp(t, "NoClientCert")) {
		ps->wc->client_auth = WEB_CLIENT_CERT_NONE;
	} else if (!strcmp(t, "VerifyClientCertIfGiven")) {
		ps->wc->client_auth = WEB_CLIENT_CERT_IF_GIVEN;
	} else if (!strcmp(t, "RequireAndVerifyClientCert")) {
		ps->wc->client_auth = WEB_CLIENT_CERT_REQUIRED;
	} else if (!strcmp(t, "RequestClientCert") || !strcmp(t, "RequireAnyClientCert") ||
		   !strcmp(t, "RequireClientCert")) {
		fail(ps, at,
		     "client_auth_type %s is not supported by sip6xx: it verifies every client "
		     "certificate against client_ca_file (use RequireAndVerifyClientCert or "
		     "VerifyClientCertIfGiven)",
		     t);
		return;
	} else {
		fail(ps, at,
		     "client_auth_type '%s' is not one of NoClientCert, VerifyClientCertIfGiven, "
		     "RequireAndVerifyClientCert",
		     t);
		return;
	}
	if (have_ca && ps->wc->client_auth == WEB_CLIENT_CERT_NONE)
		fail(ps, ps->client_ca_file.node ? ps->client_ca_file.node : ps->client_ca.node,
		     "a client CA is set, but client_auth_type is NoClientCert");
	else if (!have_ca && ps->wc->client_auth != WEB_CLIENT_CERT_NONE)
		fail(ps, at, "client_auth_type %s needs client_ca_file (or client_ca)", t);
}

static bool given(const struct setting *s)
{
	return s->val && *s->val;
}

static void set_priorities(struct parse *ps)
{
	struct web_config *wc = ps->wc;
	gnutls_priority_t prio;
	const char *errpos;
	size_t n;
	int i, ret;

	if (ps->min_version > ps->max_version) {
		fail(ps, ps->tls_node, "min_version %s is above max_version %s",
		     tls_versions[ps->min_version].name, tls_versions[ps->max_version].name);
		return;
	}
	snprintf(wc->tls_priorities, sizeof(wc->tls_priorities), "NORMAL:-VERS-ALL");
	for (i = ps->max_version; i >= ps->min_version; i--) {
		n = strlen(wc->tls_priorities);
		snprintf(wc->tls_priorities + n, sizeof(wc->tls_priorities) - n, ":+%s",
			 tls_versions[i].gnutls);
	}
	if (ps->prefer_server_order) {
		n = strlen(wc->tls_priorities);
		snprintf(wc->tls_priorities + n, sizeof(wc->tls_priorities) - n,
			 ":%%SERVER_PRECEDENCE");
	}
	ret = gnutls_priority_init(&prio, wc->tls_priorities, &errpos);
	if (ret < 0) {
		fail(ps, ps->tls_node, "GnuTLS refuses the TLS versions %s..%s: %s",
		     tls_versions[ps->min_version].name, tls_versions[ps->max_version].name,
		     gnutls_strerror(ret));
		return;
	}
	gnutls_priority_deinit(prio);
}

static void setup_tls(struct parse *ps)
{
	struct web_config *wc = ps->wc;
	size_t cert_len = 0, key_len = 0, ca_len = 0;
	bool have_ca = given(&ps->client_ca_file) || given(&ps->client_ca);

	/* exporter-toolkit turns TLS on when any of these is set, and then needs both. */
	if (!given(&ps->cert_file) && !given(&ps->cert) && !given(&ps->key_file) &&
	    !given(&ps->key) && !have_ca && !given(&ps->client_auth_type)) {
		if (ps->tls_node && ps->tls_node->type == YAML_MAPPING_NODE &&
		    ps->tls_node->data.mapping.pairs.top > ps->tls_node->data.mapping.pairs.start)
			pr_warn("web config %s: tls_server_config names no certificate or key, so "
				"TLS stays off (as in exporter-toolkit)\n",
				ps->path);
		return;
	}
	if (!given(&ps->cert_file) && !given(&ps->cert)) {
		fail(ps, ps->tls_node, "tls_server_config has no cert_file (or cert)");
		return;
	}
	if (!given(&ps->key_file) && !given(&ps->key)) {
		fail(ps, ps->tls_node, "tls_server_config has no key_file (or key)");
		return;
	}
	parse_client_auth(ps, have_ca);
	if (ps->failed)
		return;
	set_priorities(ps);
	if (ps->failed)
		return;
	wc->cert_pem = load_pem(ps, &ps->cert_file, &ps->cert, "cert", &cert_len);
	if (ps->failed)
		return;
	wc->key_pem = load_pem(ps, &ps->key_file, &ps->key, "key", &key_len);
	if (ps->failed)
		return;
	check_key_pair(ps, cert_len, key_len);
	if (ps->failed || !have_ca)
		return;
	wc->client_ca_pem = load_pem(ps, &ps->client_ca_file, &ps->client_ca, "client_ca", &ca_len);
	if (!ps->failed)
		check_client_ca(ps, ca_len);
}

static void setup_auth(struct parse *ps)
{
	struct web_config *wc = ps->wc;
	int ret;

	if (!wc->nr_users)
		return;
	wc->crypt = calloc(1, sizeof(*wc->crypt));
	if (!wc->crypt) {
		fail(ps, NULL, "out of memory");
		return;
	}
	/* Unknown users are checked against a setting as slow as the slowest hash. */
	if (!crypt_gensalt_rn("$2b$", ps->max_cost, NULL, 0, wc->dummy_setting,
			      sizeof(wc->dummy_setting))) {
		fail(ps, NULL, "libcrypt cannot make a bcrypt salt: %s", strerror(errno));
		return;
	}
	ret = gnutls_rnd(GNUTLS_RND_KEY, wc->mac_key, sizeof(wc->mac_key));
	if (ret < 0) {
		fail(ps, NULL, "GnuTLS random numbers: %s", gnutls_strerror(ret));
		return;
	}
	if (ps->max_cost > BCRYPT_SLOW_COST)
		pr_warn("web config %s: bcrypt cost %d: each new password check holds the "
			"exporter's one event loop for a long time; cost 10 is usual\n",
			ps->path, ps->max_cost);
}

/* Parses the one YAML document in @buf. */
static void parse_yaml(struct parse *ps, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	yaml_node_t *root;

	if (!yaml_parser_initialize(&parser)) {
		fail(ps, NULL, "libyaml: out of memory");
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		fail(ps, NULL, "line %zu column %zu: not valid YAML: %s%s%s",
		     (size_t)parser.problem_mark.line + 1, (size_t)parser.problem_mark.column + 1,
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
			fail(ps, NULL, "line %zu: not valid YAML: %s",
			     (size_t)parser.problem_mark.line + 1,
			     parser.problem ? parser.problem : "parse error");
		} else {
			if (yaml_document_get_root_node(&extra))
				fail(ps, yaml_document_get_root_node(&extra),
				     "a second YAML document; the file must hold one");
			yaml_document_delete(&extra);
		}
	}
	if (!ps->failed)
		setup_tls(ps);
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
		fail(&ps, NULL, "out of memory");
		goto out;
	}
	ret = read_file(path, &buf, &len);
	if (ret) {
		fail(&ps, NULL, "%s", file_error(ret));
		goto out;
	}
	parse_yaml(&ps, buf, len);
	free(buf);
	if (!ps.failed)
		setup_auth(&ps);
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

/* Equal lengths and bytes, without stopping at the first difference. */
static bool equal_secret(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

static bool password_mac(const struct web_config *wc, const char *user, const char *pass,
			 unsigned char mac[MAC_LEN])
{
	gnutls_hmac_hd_t h;

	if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, wc->mac_key, sizeof(wc->mac_key)) < 0)
		return false;
	/* The NUL keeps ("ab", "c") and ("a", "bc") apart. */
	if (gnutls_hmac(h, user, strlen(user) + 1) < 0 || gnutls_hmac(h, pass, strlen(pass)) < 0) {
		gnutls_hmac_deinit(h, NULL);
		return false;
	}
	gnutls_hmac_deinit(h, mac);
	return true;
}

bool web_config_check_password(struct web_config *wc, const char *user, const char *pass)
{
	struct web_user *u = NULL;
	unsigned char mac[MAC_LEN];
	bool have_mac, ok;
	const char *out;
	size_t i;

	if (!wc->nr_users)
		return false;
	for (i = 0; i < wc->nr_users && !u; i++)
		if (!strcmp(wc->users[i].name, user))
			u = &wc->users[i];
	have_mac = password_mac(wc, user, pass, mac);
	if (u && u->cached && have_mac && equal_secret(mac, u->good_mac, MAC_LEN))
		return true;
	out = crypt_rn(pass, u ? u->hash : wc->dummy_setting, wc->crypt, sizeof(*wc->crypt));
	ok = u && out && strlen(out) == BCRYPT_LEN && equal_secret(out, u->hash, BCRYPT_LEN);
	if (ok && have_mac) {
		memcpy(u->good_mac, mac, MAC_LEN);
		u->cached = true;
	}
	return ok;
}
