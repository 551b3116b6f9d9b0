// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The basic auth half of --web-config: bcrypt through libcrypt (libxcrypt),
 * and a keyed cache of the last password that matched, because bcrypt is
 * meant to be slow and the exporter has one event loop.
 */
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "log.h"
#include "web_config_parse.h"

#define BCRYPT_LEN	 60
#define BCRYPT_MAX_COST	 31
#define BCRYPT_SLOW_COST 12 /* above: each uncached check holds up the logins behind it */

bool web_bcrypt_hash_ok(const char *h, int *cost)
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

void web_auth_setup(struct parse *ps)
{
	struct web_config *wc = ps->wc;
	int ret;

	if (!wc->nr_users)
		return;
	wc->crypt = calloc(1, sizeof(*wc->crypt));
	if (!wc->crypt) {
		web_fail(ps, NULL, "out of memory");
		return;
	}
	/* Unknown users are checked against a setting as slow as the slowest hash. */
	if (!crypt_gensalt_rn("$2b$", ps->max_cost, NULL, 0, wc->dummy_setting,
			      sizeof(wc->dummy_setting))) {
		web_fail(ps, NULL, "libcrypt cannot make a bcrypt salt: %s", strerror(errno));
		return;
	}
	ret = gnutls_rnd(GNUTLS_RND_KEY, wc->mac_key, sizeof(wc->mac_key));
	if (ret < 0) {
		web_fail(ps, NULL, "GnuTLS random numbers: %s", gnutls_strerror(ret));
		return;
	}
	if (ps->max_cost > BCRYPT_SLOW_COST)
		pr_warn("web config %s: bcrypt cost %d: each password check not yet cached "
			"keeps the password-check thread busy for long, and logins wait for "
			"it; cost 10 is usual\n",
			ps->path, ps->max_cost);
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

static struct web_user *find_user(struct web_config *wc, const char *user)
{
	size_t i;

	for (i = 0; i < wc->nr_users; i++)
		if (!strcmp(wc->users[i].name, user))
			return &wc->users[i];
	return NULL;
}

bool web_config_password_cached(struct web_config *wc, const char *user, const char *pass)
{
	struct web_user *u = find_user(wc, user);
	unsigned char mac[MAC_LEN];

	return u && u->cached && password_mac(wc, user, pass, mac) &&
	       equal_secret(mac, u->good_mac, MAC_LEN);
}

bool web_config_verify_password(struct web_config *wc, const char *user, const char *pass)
{
	struct web_user *u;
	const char *out;

	if (!wc->nr_users)
		return false;
	u = find_user(wc, user);
	out = crypt_rn(pass, u ? u->hash : wc->dummy_setting, wc->crypt, sizeof(*wc->crypt));
	return u && out && strlen(out) == BCRYPT_LEN && equal_secret(out, u->hash, BCRYPT_LEN);
}

void web_config_cache_password(struct web_config *wc, const char *user, const char *pass)
{
	struct web_user *u = find_user(wc, user);
	unsigned char mac[MAC_LEN];

	if (u && password_mac(wc, user, pass, mac)) {
		memcpy(u->good_mac, mac, MAC_LEN);
		u->cached = true;
	}
}

bool web_config_check_password(struct web_config *wc, const char *user, const char *pass)
{
	if (web_config_password_cached(wc, user, pass))
		return true;
	if (!web_config_verify_password(wc, user, pass))
		return false;
	web_config_cache_password(wc, user, pass);
	return true;
}
