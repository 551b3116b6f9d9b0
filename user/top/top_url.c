// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>

#include "top_url.h"

void top_url_redact(const char *url, char *out, size_t len)
{
	CURLU *u = curl_url();
	char *clean = NULL;

	/* Clearing the parts is libcurl's own way; no hand-made split of the authority. */
	if (u && !curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) &&
	    !curl_url_set(u, CURLUPART_USER, NULL, 0) &&
	    !curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) &&
	    !curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) &&
	    !curl_url_get(u, CURLUPART_URL, &clean, 0))
		snprintf(out, len, "%s", clean);
	else
		snprintf(out, len, "%s", strchr(url, '@') ? "(the --url given)" : url);
	curl_free(clean);
	curl_url_cleanup(u);
}
