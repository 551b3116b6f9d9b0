// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The TLS half of --web-config. Certificates and keys are loaded here once,
 * with GnuTLS (the TLS library libmicrohttpd uses), so a bad file is reported
 * at startup by name rather than as a failed handshake later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "log.h"
#include "web_config_parse.h"

const struct web_tls_version web_tls_versions[WEB_TLS_VERSIONS] = {
	{ "TLS10", "VERS-TLS1.0" },
	{ "TLS11", "VERS-TLS1.1" },
	{ "TLS12", "VERS-TLS1.2" },
	{ "TLS13", "VERS-TLS1.3" },
};

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

/* A PEM value: inline (@text), or from @file relative to the config. */
static char *load_pem(struct parse *ps, const struct setting *file, const struct setting *text,
		      const char *what, size_t *len)
{
	char *path, *buf = NULL;
	int err;

	if (file->val && *file->val && text->val && *text->val) {
		web_fail(ps, file->node, "give %s_file or %s, not both", what, what);
		return NULL;
	}
	if (text->val && *text->val) {
		*len = strlen(text->val);
		buf = strdup(text->val);
		if (!buf)
			web_fail(ps, text->node, "out of memory");
		return buf;
	}
	path = join_dir(ps->path, file->val);
	if (!path) {
		web_fail(ps, file->node, "out of memory");
		return NULL;
	}
	err = web_read_file(path, &buf, len);
	if (err)
		web_fail(ps, file->node, "%s_file %s: %s", what, path, web_file_error(err));
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
		web_fail(ps, NULL, "GnuTLS: out of memory");
		return;
	}
	ret = gnutls_certificate_set_x509_key_mem2(cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (ret < 0)
		web_fail(ps, ps->cert_file.node ? ps->cert_file.node : ps->cert.node,
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
		web_fail(ps, at->node, "client CA %s holds no PEM certificate%s%s",
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
		web_fail(ps, at,
			 "client_auth_type %s is not supported by sip6xx: it verifies every client "
			 "certificate against client_ca_file (use RequireAndVerifyClientCert or "
			 "VerifyClientCertIfGiven)",
			 t);
		return;
	} else {
		web_fail(ps, at,
			 "client_auth_type '%s' is not one of NoClientCert, "
			 "VerifyClientCertIfGiven, RequireAndVerifyClientCert",
			 t);
		return;
	}
	if (have_ca && ps->wc->client_auth == WEB_CLIENT_CERT_NONE)
		web_fail(ps, ps->client_ca_file.node ? ps->client_ca_file.node : ps->client_ca.node,
			 "a client CA is set, but client_auth_type is NoClientCert");
	else if (!have_ca && ps->wc->client_auth != WEB_CLIENT_CERT_NONE)
		web_fail(ps, at, "client_auth_type %s needs client_ca_file (or client_ca)", t);
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
		web_fail(ps, ps->tls_node, "min_version %s is above max_version %s",
			 web_tls_versions[ps->min_version].name,
			 web_tls_versions[ps->max_version].name);
		return;
	}
	snprintf(wc->tls_priorities, sizeof(wc->tls_priorities), "NORMAL:-VERS-ALL");
	for (i = ps->max_version; i >= ps->min_version; i--) {
		n = strlen(wc->tls_priorities);
		snprintf(wc->tls_priorities + n, sizeof(wc->tls_priorities) - n, ":+%s",
			 web_tls_versions[i].gnutls);
	}
	if (ps->prefer_server_order) {
		n = strlen(wc->tls_priorities);
		snprintf(wc->tls_priorities + n, sizeof(wc->tls_priorities) - n,
			 ":%%SERVER_PRECEDENCE");
	}
	ret = gnutls_priority_init(&prio, wc->tls_priorities, &errpos);
	if (ret < 0) {
		web_fail(ps, ps->tls_node, "GnuTLS refuses the TLS versions %s..%s: %s",
			 web_tls_versions[ps->min_version].name,
			 web_tls_versions[ps->max_version].name, gnutls_strerror(ret));
		return;
	}
	gnutls_priority_deinit(prio);
}

void web_tls_setup(struct parse *ps)
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
		web_fail(ps, ps->tls_node, "tls_server_config has no cert_file (or cert)");
		return;
	}
	if (!given(&ps->key_file) && !given(&ps->key)) {
		web_fail(ps, ps->tls_node, "tls_server_config has no key_file (or key)");
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
