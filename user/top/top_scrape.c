// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "prom_text.h"
#include "top_scrape.h"
#include "version.h"

#define SCRAPE_TIMEOUT_MS 900 /* below the refresh, so a dead exporter never stalls the view */
#define SCRAPE_MAX_BODY	  (64 << 20)

struct body {
	char *buf;
	size_t len;
	int too_big;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
	struct body *b = arg;
	size_t n = size * nmemb;
	char *nbuf;

	if (b->len + n + 1 > SCRAPE_MAX_BODY) {
		b->too_big = 1;
		return 0;
	}
	nbuf = realloc(b->buf, b->len + n + 1);
	if (!nbuf)
		return 0;
	b->buf = nbuf;
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

int top_scrape_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) ? -1 : 0;
}

void top_scrape_cleanup(void)
{
	curl_global_cleanup();
}

static int wanted(struct top_scrape *sc, const char *ifname)
{
	int i;

	if (!ifname)
		return !sc->nr_ifnames;
	for (i = 0; i < sc->nr_seen; i++)
		if (!strcmp(sc->seen[i], ifname))
			break;
	if (i == sc->nr_seen && sc->nr_seen < TOP_SCRAPE_IFACES)
		snprintf(sc->seen[sc->nr_seen++], TOP_SCRAPE_IFNAME_LEN, "%s", ifname);
	if (!sc->nr_ifnames)
		return 1;
	for (i = 0; i < sc->nr_ifnames; i++)
		if (!strcmp(sc->ifnames[i], ifname))
			return 1;
	return 0;
}

static unsigned int code_label(const struct prom_sample *s)
{
	const char *code = prom_label(s, "code");

	return code ? (unsigned int)strtoul(code, NULL, 10) : 0;
}

static int add_sample(struct top_scrape *sc, const struct prom_sample *s, struct top_counts *c)
{
	unsigned int code = code_label(s);
	const char *source, *label, *reason;
	int col;

	if (!strcmp(s->name, "sip6xx_alert_firing")) {
		col = top_code_col(code);
		if (col >= 0)
			c->alert[col] = s->value > 0 ? TOP_ALERT_FIRING : TOP_ALERT_QUIET;
		return 0;
	}
	if (!wanted(sc, prom_label(s, "interface")))
		return 0;
	if (!strcmp(s->name, "sip6xx_responses_total") && code >= 100 && code <= 699) {
		top_counts_add_code(c, code, s->value);
	} else if (!strcmp(s->name, "sip6xx_global_failures_total")) {
		source = prom_label(s, "source");
		if (source && code >= 600 && code <= 699)
			return top_counts_add_source(c, source, code, s->value);
	} else if (!strcmp(s->name, "sip6xx_rejections_total")) {
		top_counts_add_calls(c, code, s->value, 0);
	} else if (!strcmp(s->name, "sip6xx_retransmissions_total")) {
		top_counts_add_calls(c, code, 0, s->value);
	} else if (!strcmp(s->name, "sip6xx_context_dropped_total")) {
		reason = prom_label(s, "reason");
		/* truncated was still decoded; an unparsed 6xx's repeats are unparsed too */
		if (reason && (!strcmp(reason, "rate") || !strcmp(reason, "buffer_full")))
			c->context_lost += s->value;
	} else if (!strcmp(s->name, "sip6xx_context_samples_total")) {
		c->calls = true; /* the exporter decodes, even if nothing was rejected yet */
	} else if (!strcmp(s->name, "sip6xx_caller_rejections")) {
		label = prom_label(s, "caller");
		if (label)
			return top_list_add(&c->callers, label, s->value);
	} else if (!strcmp(s->name, "sip6xx_intermediary_rejections")) {
		label = prom_label(s, "intermediary");
		if (label)
			return top_list_add(&c->intermediaries, label, s->value);
	} else if (!strcmp(s->name, "sip6xx_peers_tracked")) {
		c->peers_tracked += s->value;
	} else if (!strcmp(s->name, "sip6xx_peers_capacity")) {
		c->peers_capacity += s->value;
	} else if (!strcmp(s->name, "sip6xx_peers_evicted_total")) {
		c->peers_evicted += s->value;
	}
	return 0;
}

int top_scrape_parse(struct top_scrape *sc, char *body, struct top_counts *c)
{
	struct prom_sample s;
	char *line, *save = NULL;
	int err;

	sc->nr_seen = 0;
	for (line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (prom_parse_line(line, &s) != 1 || strncmp(s.name, "sip6xx_", 7))
			continue;
		err = add_sample(sc, &s, c);
		if (err)
			return err;
	}
	return 0;
}

void top_scrape_no_calls_why(const struct top_scrape *sc, char *out, size_t len)
{
	char names[128] = "";
	size_t used = 0;
	bool any_seen = false;
	int i, j, n;

	if (!sc->nr_ifnames) {
		snprintf(out, len,
			 "REJ, RETX: '-' = no call context in this scrape "
			 "(exporter with --context-rate 0)");
		return;
	}
	for (i = 0; i < sc->nr_ifnames; i++) {
		for (j = 0; j < sc->nr_seen; j++)
			any_seen |= !strcmp(sc->seen[j], sc->ifnames[i]);
		if (used >= sizeof(names))
			continue; /* cut: the line is clipped at the screen's edge anyway */
		n = snprintf(names + used, sizeof(names) - used, "%s%s", i ? "," : "",
			     sc->ifnames[i]);
		used += n > 0 ? (size_t)n : 0;
	}
	if (any_seen)
		snprintf(out, len,
			 "REJ, RETX: '-' = no call context in this scrape for interface %s "
			 "(exporter with --context-rate 0)",
			 names);
	else if (sc->nr_seen == TOP_SCRAPE_IFACES) /* more interfaces than it keeps names of */
		snprintf(out, len,
			 "REJ, RETX: '-' = no call context in this scrape for interface %s: "
			 "exporter with --context-rate 0, or no such interface",
			 names);
	else
		snprintf(out, len,
			 "REJ, RETX: '-' = no interface %s in this scrape (-i): no call context, "
			 "no packets",
			 names);
}

int top_scrape_read(struct top_scrape *sc, struct top_counts *c, char *err, size_t err_len)
{
	char curl_err[CURL_ERROR_SIZE] = "";
	char agent[64];
	struct body b = {};
	long status = 0;
	CURLcode rc;
	CURL *easy;
	int ret = -1;

	easy = curl_easy_init();
	if (!easy) {
		snprintf(err, err_len, "%s: cannot start libcurl", sc->shown_url);
		return -1;
	}
	curl_easy_setopt(easy, CURLOPT_URL, sc->url);
	if (sc->cacert)
		curl_easy_setopt(easy, CURLOPT_CAINFO, sc->cacert);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)SCRAPE_TIMEOUT_MS);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, curl_err);
	snprintf(agent, sizeof(agent), "sip6xx-top/%s", sip6xx_version);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, agent); /* libcurl keeps a copy */
	rc = curl_easy_perform(easy);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		snprintf(err, err_len, "%s: %s", sc->shown_url,
			 b.too_big     ? "body over 64 MiB"
			 : curl_err[0] ? curl_err
				       : curl_easy_strerror(rc));
	else if (status != 200)
		snprintf(err, err_len, "%s: HTTP status %ld", sc->shown_url, status);
	else if (!b.buf || !strstr(b.buf, "sip6xx_"))
		snprintf(err, err_len, "%s: no sip6xx metrics in the answer", sc->shown_url);
	else if (top_scrape_parse(sc, b.buf, c))
		snprintf(err, err_len, "%s: out of memory", sc->shown_url);
	else
		ret = 0;
	top_counts_finish(c);
	curl_easy_cleanup(easy);
	free(b.buf);
	return ret;
}
