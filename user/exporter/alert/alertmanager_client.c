// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <curl/curl.h>

#include "spike_detector.h"
#include "alertmanager_client.h"
#include "log.h"

#define AM_PATH		      "/api/v2/alerts"
#define AM_TIMEOUT_MS	      5000L
#define AM_CONNECT_TIMEOUT_MS 2000L
#define AM_BACKOFF_MIN_MS     1000
#define AM_BACKOFF_MAX_MS     60000
/* Descriptors that found no room in the caller's poll set: look again this soon. */
#define AM_CROWDED_POLL_MS    10

struct am_slot {
	char *body; /* latest JSON to send; NULL: nothing */
	bool due;   /* send at next_ms */
	__u64 next_ms;
	__u64 repeat_ms;  /* resend period while firing; 0: once */
	__u64 backoff_ms; /* after a failure; 0 when the last one worked */
	CURL *easy;	  /* transfer in flight, or NULL */
	char *in_flight;  /* the body that transfer sends */
	struct curl_slist *headers;
};

struct am_sink {
	char *url;
	CURLM *multi;
	struct am_slot slots[ALERT_MAX_CODES];
};

/* Alertmanager's reply is not needed: discard it. */
static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	return size * nmemb;
}

struct am_sink *am_sink_new(const char *url)
{
	struct am_sink *am = calloc(1, sizeof(*am));
	size_t len = strlen(url);

	if (!am)
		return NULL;
	while (len && url[len - 1] == '/')
		len--;
	am->url = malloc(len + sizeof(AM_PATH));
	if (am->url) {
		memcpy(am->url, url, len);
		am->url[len] = '\0';
		if (len < strlen(AM_PATH) || strcmp(am->url + len - strlen(AM_PATH), AM_PATH))
			strcat(am->url, AM_PATH);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !am->url || !(am->multi = curl_multi_init())) {
		free(am->url);
		free(am);
		return NULL;
	}
	return am;
}

static void slot_release(struct am_slot *s)
{
	if (s->easy)
		curl_easy_cleanup(s->easy);
	curl_slist_free_all(s->headers);
	free(s->in_flight);
	s->easy = NULL;
	s->headers = NULL;
	s->in_flight = NULL;
}

static void slot_finish(struct am_sink *am, struct am_slot *s)
{
	curl_multi_remove_handle(am->multi, s->easy);
	slot_release(s);
}

void am_sink_free(struct am_sink *am)
{
	int i;

	if (!am)
		return;
	for (i = 0; i < ALERT_MAX_CODES; i++) {
		if (am->slots[i].easy)
			slot_finish(am, &am->slots[i]);
		free(am->slots[i].body);
	}
	curl_multi_cleanup(am->multi);
	curl_global_cleanup();
	free(am->url);
	free(am);
}

void am_sink_post(struct am_sink *am, int slot, const char *body, __u64 now_ms, __u64 repeat_ms)
{
	struct am_slot *s = &am->slots[slot];

	free(s->body);
	s->body = strdup(body);
	s->due = s->body != NULL;
	/* A new state goes out at once, backoff or not: it is what matters most. */
	s->next_ms = now_ms;
	s->repeat_ms = repeat_ms;
}

static void slot_start(struct am_sink *am, struct am_slot *s)
{
	s->in_flight = strdup(s->body);
	s->easy = curl_easy_init();
	s->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (!s->in_flight || !s->easy || !s->headers) {
		pr_warn("alertmanager: out of memory; retrying\n");
		slot_release(s);
		return;
	}
	curl_easy_setopt(s->easy, CURLOPT_URL, am->url);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->in_flight);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, AM_TIMEOUT_MS);
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, AM_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	curl_multi_add_handle(am->multi, s->easy);
	s->due = false;
}

int am_sink_pollfds(struct am_sink *am, __u64 now_ms, struct pollfd *pfd, int max, int *timeout_ms)
{
	fd_set rd, wr, ex;
	int i, fd, maxfd = -1, n = 0, running;
	bool crowded = false;
	long curl_ms = -1;

	for (i = 0; i < ALERT_MAX_CODES; i++) {
		struct am_slot *s = &am->slots[i];

		if (!s->due || s->easy)
			continue;
		if (s->next_ms <= now_ms)
			slot_start(am, s);
		else if (*timeout_ms < 0 || s->next_ms - now_ms < (__u64)*timeout_ms)
			*timeout_ms = s->next_ms - now_ms;
	}
	curl_multi_perform(am->multi, &running);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	curl_multi_fdset(am->multi, &rd, &wr, &ex, &maxfd);
	for (fd = 0; fd <= maxfd; fd++) {
		short ev = (FD_ISSET(fd, &rd) ? POLLIN : 0) | (FD_ISSET(fd, &wr) ? POLLOUT : 0);

		if (!ev && !FD_ISSET(fd, &ex))
			continue;
		if (n == max) {
			crowded = true;
			break;
		}
		pfd[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	curl_multi_timeout(am->multi, &curl_ms);
	if (running && curl_ms < 0)
		curl_ms = 100; /* curl has work but no timer: look again soon */
	/* Several replicas with many codes in flight may outgrow the poll set. */
	if (crowded && (curl_ms < 0 || curl_ms > AM_CROWDED_POLL_MS))
		curl_ms = AM_CROWDED_POLL_MS;
	if (curl_ms >= 0 && (*timeout_ms < 0 || curl_ms < *timeout_ms))
		*timeout_ms = curl_ms;
	return n;
}

static void slot_done(struct am_sink *am, struct am_slot *s, CURLcode rc, __u64 now_ms)
{
	long status = 0;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status >= 200 && status < 300) {
		if (s->backoff_ms)
			pr_info("alertmanager: %s reachable again\n", am->url);
		s->backoff_ms = 0;
		/* A newer body arrived meanwhile: it is already due. Else repeat while firing. */
		if (!s->due && s->repeat_ms) {
			s->due = true;
			s->next_ms = now_ms + s->repeat_ms;
		}
	} else {
		s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : AM_BACKOFF_MIN_MS;
		if (s->backoff_ms > AM_BACKOFF_MAX_MS)
			s->backoff_ms = AM_BACKOFF_MAX_MS;
		if (rc != CURLE_OK)
			pr_warn("alertmanager: POST %s failed: %s; retrying in %llu ms\n", am->url,
				curl_easy_strerror(rc), (unsigned long long)s->backoff_ms);
		else
			pr_warn("alertmanager: POST %s answered HTTP %ld; retrying in %llu ms\n",
				am->url, status, (unsigned long long)s->backoff_ms);
		if (!s->due) {
			s->due = true;
			s->next_ms = now_ms + s->backoff_ms;
		}
	}
	slot_finish(am, s);
}

bool am_sink_busy(const struct am_sink *am, __u64 now_ms)
{
	int i;

	for (i = 0; i < ALERT_MAX_CODES; i++)
		if (am->slots[i].easy || (am->slots[i].due && am->slots[i].next_ms <= now_ms))
			return true;
	return false;
}

void am_sink_perform(struct am_sink *am, __u64 now_ms)
{
	struct am_slot *s;
	CURLMsg *msg;
	int running, left;

	curl_multi_perform(am->multi, &running);
	while ((msg = curl_multi_info_read(am->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
		slot_done(am, s, msg->data.result, now_ms);
	}
}
