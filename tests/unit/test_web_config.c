// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The --web-config parser and password check, on files written to a temp
 * directory. TLS files that must load are the e2e suite's job
 * (tests/e2e/webconfig.sh makes real certificates); here every case stops
 * before them, or has none.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "exporter/http/web_config.h"

/* Made with apache2-utils (apr-util's bcrypt, not libcrypt): htpasswd -nbBC 4 USER PASS. */
#define ALICE_PASS "pa:ss w0rd"
#define ALICE_HASH "$2y$04$FHlYdGmzsmJK5YwFuza01eAvzXNyXYjaZe/mB7ftxDumCIjg4mpxa"
#define BOB_PASS   "hunter2"
#define BOB_HASH   "$2y$04$BOc5ytHQcNJ/cj9WlkfBou4Ue3/9D2Uk3soremD7h2qSkJ0KmOOS6"

static char dir[] = "/tmp/sip6xx-webconfig.XXXXXX";
static char path[sizeof(dir) + 32];
static char err[1024];

static int setup_dir(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	return 0;
}

static int remove_dir(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

/* Writes @text as the config and loads it; err holds the reason when NULL. */
static struct web_config *load(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return web_config_load(path, err, sizeof(err));
}

/* The load fails, with one line that names the file and says @what. */
static void refused(const char *text, const char *what)
{
	struct web_config *wc = load(text);

	if (wc || !strstr(err, path) || !strstr(err, what) || strchr(err, '\n'))
		fail_msg("config:\n%s\nwanted an error with '%s', got %s: '%s'", text, what,
			 wc ? "success" : "error", err);
	web_config_free(wc);
}

static void test_empty_file_is_plain_http(void **state)
{
	struct web_config *wc = load("# nothing configured\n");

	(void)state;
	assert_non_null(wc);
	assert_false(web_config_tls(wc));
	assert_false(web_config_auth(wc));
	web_config_free(wc);
	wc = load("tls_server_config:\nbasic_auth_users: ~\n");
	assert_non_null(wc);
	assert_false(web_config_tls(wc));
	assert_false(web_config_auth(wc));
	web_config_free(wc);
}

/* exporter-toolkit: TLS is on only when a certificate, key or client CA is named. */
static void test_versions_alone_leave_tls_off(void **state)
{
	struct web_config *wc = load("tls_server_config:\n  min_version: TLS13\n");

	(void)state;
	assert_non_null(wc);
	assert_false(web_config_tls(wc));
	web_config_free(wc);
}

static void test_passwords(void **state)
{
	struct web_config *wc = load("basic_auth_users:\n  alice: '" ALICE_HASH "'\n"
				     "  bob: " BOB_HASH "\n");
	int i;

	(void)state;
	assert_non_null(wc);
	assert_true(web_config_auth(wc));
	assert_false(web_config_tls(wc));
	for (i = 0; i < 2; i++) { /* the second round answers from the cache */
		assert_true(web_config_check_password(wc, "alice", ALICE_PASS));
		assert_true(web_config_check_password(wc, "bob", BOB_PASS));
		assert_false(web_config_check_password(wc, "alice", BOB_PASS));
		assert_false(web_config_check_password(wc, "bob", ALICE_PASS));
		assert_false(web_config_check_password(wc, "alice", "pa:ss w0rd "));
		assert_false(web_config_check_password(wc, "alice", ""));
		assert_false(web_config_check_password(wc, "mallory", ALICE_PASS));
		assert_false(web_config_check_password(wc, "", ""));
	}
	web_config_free(wc);
}

/* $2a$ and $2b$ name the same computation for such passwords; libcrypt takes all three. */
static void test_bcrypt_prefixes(void **state)
{
	static const char *const prefixes[] = { "$2a$", "$2b$", "$2y$" };
	char text[256];
	struct web_config *wc;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "basic_auth_users:\n  bob: '%s%s'\n", prefixes[i],
			 BOB_HASH + 4);
		wc = load(text);
		assert_non_null(wc);
		assert_true(web_config_check_password(wc, "bob", BOB_PASS));
		assert_false(web_config_check_password(wc, "bob", ALICE_PASS));
		web_config_free(wc);
	}
}

static void test_bad_hashes(void **state)
{
	(void)state;
	refused("basic_auth_users:\n  bob: hunter2\n", "not a bcrypt hash");
	refused("basic_auth_users:\n  bob: "
		"'$2x$04$BOc5ytHQcNJ/cj9WlkfBou4Ue3/9D2Uk3soremD7h2qSkJ0KmOOS6'\n",
		"not a bcrypt hash");
	refused("basic_auth_users:\n  bob: "
		"'$2y$03$BOc5ytHQcNJ/cj9WlkfBou4Ue3/9D2Uk3soremD7h2qSkJ0KmOOS6'\n",
		"not a bcrypt hash");
	refused("basic_auth_users:\n  bob: "
		"'$2y$04$BOc5ytHQcNJ/cj9WlkfBou4Ue3/9D2Uk3soremD7h2qSkJ0KmOOS'\n",
		"not a bcrypt hash");
	refused("basic_auth_users:\n  bob: '$6$salt$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2'\n",
		"not a bcrypt hash");
	refused("basic_auth_users:\n  bob: [a, b]\n", "must be a string");
	refused("basic_auth_users:\n  'a:b': '" BOB_HASH "'\n", "holds ':'");
	refused("basic_auth_users:\n  bob: '" BOB_HASH "'\n  bob: '" BOB_HASH "'\n", "twice");
	refused("basic_auth_users: bob\n", "must be a mapping");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	refused("basic_auth_user:\n  bob: '" BOB_HASH "'\n", "unknown key 'basic_auth_user'");
	refused("tls_server_config:\n  certfile: a.pem\n",
		"unknown key 'certfile' in tls_server_config");
	refused("http_server_config:\n  http3: true\n",
		"unknown key 'http3' in http_server_config");
	refused("rate_limit:\n  burst: 1\n", "rate_limit is not supported by sip6xx");
	refused("tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n"
		"  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
		"cipher_suites is not supported by sip6xx");
	refused("tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n"
		"  client_allowed_sans: [x]\n",
		"client_allowed_sans is not supported by sip6xx");
}

static void test_yaml_shape(void **state)
{
	(void)state;
	refused("tls_server_config:\n  cert_file: [a.pem\n", "not valid YAML");
	refused("tls_server_config:\n\tcert_file: a.pem\n", "not valid YAML");
	refused("- tls_server_config\n", "must be a mapping");
	refused("basic_auth_users: {}\n---\nbasic_auth_users: {}\n", "second YAML document");
	refused("\n\nfoo: 1\n", "line 3: unknown key 'foo'");
}

/* exporter-toolkit resolves relative names against the config file's directory. */
static void test_relative_paths(void **state)
{
	char want[sizeof(dir) + 64];

	(void)state;
	snprintf(want, sizeof(want), "cert_file %s/certs/server.pem: No such file", dir);
	refused("tls_server_config:\n  cert_file: certs/server.pem\n  key_file: server.key\n",
		want);
	refused("tls_server_config:\n  cert_file: /nonexistent/server.pem\n  key_file: k\n",
		"cert_file /nonexistent/server.pem: No such file");
}

static void test_tls_settings(void **state)
{
	(void)state;
	refused("tls_server_config:\n  key_file: a.key\n", "no cert_file (or cert)");
	refused("tls_server_config:\n  cert_file: a.pem\n", "no key_file (or key)");
	refused("tls_server_config:\n  cert_file: a.pem\n  cert: x\n  key_file: a.key\n",
		"give cert_file or cert, not both");
	refused("tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n"
		"  client_auth_type: RequireAndVerifyClientCert\n",
		"needs client_ca_file");
	refused("tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n"
		"  client_auth_type: RequireAnyClientCert\n  client_ca_file: ca.pem\n",
		"RequireAnyClientCert is not supported by sip6xx");
	refused("tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n"
		"  client_auth_type: Always\n",
		"'Always' is not one of");
	refused("tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n"
		"  client_ca_file: ca.pem\n",
		"client_auth_type is NoClientCert");
	refused("tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n  min_version: TLS14\n",
		"min_version 'TLS14' is not one of");
	refused("tls_server_config:\n  cert_file: a.pem\n  key_file: a.key\n"
		"  min_version: TLS13\n  max_version: TLS12\n",
		"min_version TLS13 is above max_version TLS12");
	refused("tls_server_config:\n  prefer_server_cipher_suites: maybe\n",
		"must be true or false");
}

static void test_headers(void **state)
{
	struct web_config *wc = load("http_server_config:\n  http2: false\n  headers:\n"
				     "    X-Frame-Options: sameorigin\n"
				     "    Strict-Transport-Security: max-age=31536000\n");

	(void)state;
	assert_non_null(wc);
	assert_int_equal(wc->nr_headers, 2);
	assert_string_equal(wc->headers[0].name, "X-Frame-Options");
	assert_string_equal(wc->headers[0].value, "sameorigin");
	assert_string_equal(wc->headers[1].name, "Strict-Transport-Security");
	web_config_free(wc);
	refused("http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
		"'allow' is not deny or sameorigin");
	refused("http_server_config:\n  headers:\n    Server: sip6xx\n",
		"header 'Server' cannot be set");
	refused("http_server_config:\n  headers:\n    X-XSS-Protection: \"1\\r\\nSet-Cookie: x\"\n",
		"line break");
}

static void test_missing_file(void **state)
{
	char missing[sizeof(dir) + 32];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/absent.yml", dir);
	assert_null(web_config_load(missing, err, sizeof(err)));
	assert_non_null(strstr(err, missing));
	assert_non_null(strstr(err, "No such file"));
	assert_null(web_config_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file_is_plain_http),
		cmocka_unit_test(test_versions_alone_leave_tls_off),
		cmocka_unit_test(test_passwords),
		cmocka_unit_test(test_bcrypt_prefixes),
		cmocka_unit_test(test_bad_hashes),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_yaml_shape),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_tls_settings),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
