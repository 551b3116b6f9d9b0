// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sip6xx-top: a live terminal view of the exporter's counters. One poll() loop
 * over the terminal: a refresh every --delay, and (with pinned maps) a 607/608
 * detector tick every 100 ms, as the exporter's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ncurses.h>

#include "spike_detector.h"
#include "log.h"
#include "top_cli.h"
#include "top_pinned.h"
#include "top_scrape.h"
#include "top_view.h"

#define ERR_LEN 512

/* The exporter's alert defaults (sip6xx_exporter --help), for the local detector. */
static const struct alert_params alert_defaults = ALERT_PARAMS_DEFAULT;
static const unsigned int alert_codes[] = { 607, 608 };
#define NR_ALERT_CODES (sizeof(alert_codes) / sizeof(alert_codes[0]))

struct top {
	struct top_opts opts;
	struct top_pinned pinned;
	struct top_scrape scrape;
	bool scraping;
	struct top_counts prev, cur; /* the last two reads; prev is empty after the first */
	struct top_rates rates;
	struct spark spark607, spark608;
	struct alert_state alerts[NR_ALERT_CODES];
	enum top_alert alert[TOP_NR_CODES];
	char from[1024];
	char error[ERR_LEN];
	int sort_col;
	bool unicode, utf8_locale;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

#define die(...) log_exit(1, "sip6xx-top: error: ", "", __VA_ARGS__)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads into t->cur; 0, or -1 with t->error set. */
static int read_counts(struct top *t)
{
	int err;

	memset(&t->cur, 0, sizeof(t->cur));
	t->cur.t = now_s();
	if (t->scraping)
		return top_scrape_read(&t->scrape, &t->cur, t->error, sizeof(t->error));
	err = top_pinned_read(&t->pinned, &t->cur);
	if (err)
		snprintf(t->error, sizeof(t->error), "reading the maps pinned under %s failed: %s",
			 t->opts.pin_path, strerror(-err));
	return err ? -1 : 0;
}

static void alert_states(struct top *t)
{
	size_t i;

	if (t->scraping) {
		memcpy(t->alert, t->cur.alert, sizeof(t->alert));
		return;
	}
	for (i = 0; i < NR_ALERT_CODES; i++)
		t->alert[top_code_col(alert_codes[i])] =
			t->alerts[i].firing ? TOP_ALERT_FIRING : TOP_ALERT_QUIET;
}

static void refresh_counts(struct top *t)
{
	struct top_counts keep = t->prev;
	struct top_rates rates;

	t->prev = t->cur;
	if (read_counts(t)) {
		top_counts_free(&t->cur);
		t->cur = t->prev;
		t->prev = keep;
		return;
	}
	top_counts_free(&keep);
	t->error[0] = '\0';
	if (top_rates_compute(&t->prev, &t->cur, &rates)) {
		snprintf(t->error, sizeof(t->error), "out of memory");
		return;
	}
	top_rates_free(&t->rates);
	t->rates = rates;
	if (rates.seconds > 0) {
		spark_push(&t->spark607, rates.code[top_code_col(607)]);
		spark_push(&t->spark608, rates.code[top_code_col(608)]);
	}
}

static void alert_tick_all(struct top *t, double now)
{
	__u64 count;
	size_t i;

	for (i = 0; i < NR_ALERT_CODES; i++)
		if (!top_pinned_code(&t->pinned, alert_codes[i], &count))
			alert_tick(&t->alerts[i], &alert_defaults, (__u64)(now * 1000), count);
}

static void draw(struct top *t)
{
	char why[256] = "";
	struct top_view v = {
		.from = t->from,
		.alerts_from = t->scraping ? "the exporter's sip6xx_alert_firing"
					   : "local 607/608 detector",
		.interval = t->opts.interval,
		.counts = &t->cur,
		.rates = &t->rates,
		.spark607 = &t->spark607,
		.spark608 = &t->spark608,
		.sort_col = t->sort_col,
		.unicode = t->unicode,
		.error = t->error[0] ? t->error : NULL,
		.scraping = t->scraping,
		.no_calls_why = why,
	};

	if (t->scraping)
		top_scrape_no_calls_why(&t->scrape, why, sizeof(why));

	alert_states(t);
	memcpy(v.alert, t->alert, sizeof(v.alert));
	top_rates_sort(&t->rates, t->sort_col);
	top_view_draw(&v);
}

/* Handles every pending key; false once the user quits. */
static bool keys(struct top *t)
{
	bool redraw = false;
	int ch;

	while ((ch = getch()) != ERR) {
		switch (ch) {
		case 'q':
		case 'Q':
			return false;
		case '1' ... '0' + TOP_NR_CODES:
			t->sort_col = ch - '1';
			break;
		case '0':
		case 't':
		case 'T':
			t->sort_col = TOP_COL_ALL;
			break;
		case KEY_LEFT:
			t->sort_col = (t->sort_col + TOP_NR_COLS - 1) % TOP_NR_COLS;
			break;
		case KEY_RIGHT:
			t->sort_col = (t->sort_col + 1) % TOP_NR_COLS;
			break;
		case 'a':
		case 'A':
			t->unicode = !t->unicode && t->utf8_locale;
			break;
		default:
			break; /* KEY_RESIZE and anything else: just redraw */
		}
		redraw = true;
	}
	if (redraw)
		draw(t);
	return true;
}

static void describe_source(struct top *t)
{
	size_t len = 0;
	int i, n;

	if (t->scraping) {
		snprintf(t->from, sizeof(t->from), "%s", t->opts.shown_url);
		return;
	}
	n = snprintf(t->from, sizeof(t->from), "pinned maps %s (", t->opts.pin_path);
	len = n > 0 ? (size_t)n : 0;
	for (i = 0; i < t->pinned.nr && len < sizeof(t->from); i++) {
		n = snprintf(t->from + len, sizeof(t->from) - len, "%s%s", i ? " " : "",
			     t->pinned.ifnames[i]);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len < sizeof(t->from))
		snprintf(t->from + len, sizeof(t->from) - len, ")");
}

static void open_source(struct top *t)
{
	char err[ERR_LEN] = "";
	int n;
	size_t i;

	t->scraping = t->opts.url != NULL;
	if (t->scraping) {
		if (top_scrape_init())
			die("cannot start libcurl");
		t->scrape.url = t->opts.url;
		t->scrape.shown_url = t->opts.shown_url;
		t->scrape.cacert = t->opts.cacert;
		t->scrape.ifnames = t->opts.ifnames;
		t->scrape.nr_ifnames = t->opts.nr_ifnames;
	} else {
		n = top_pinned_open(&t->pinned, t->opts.pin_path, t->opts.ifnames,
				    t->opts.nr_ifnames, err, sizeof(err));
		if (n < 0)
			die("%s", err);
		if (!n)
			die("%s: start sip6xx_exporter with --pin-path %s, or scrape it with "
			    "--url http://HOST:10060/metrics",
			    err, t->opts.pin_path);
		for (i = 0; i < NR_ALERT_CODES; i++)
			alert_state_init(&t->alerts[i], alert_codes[i]);
	}
	if (read_counts(t))
		die("%s", t->error);
	describe_source(t);
	if (top_rates_compute(NULL, &t->cur, &t->rates))
		die("out of memory");
}

static void run(struct top *t)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	double now = now_s(), next_refresh = now + t->opts.interval;
	double tick = alert_defaults.interval_ms / 1000.0, next_tick = now + tick;
	double deadline;

	if (!t->scraping)
		alert_tick_all(t, now);
	draw(t);
	while (!stop) {
		deadline = t->scraping		      ? next_refresh
			   : next_tick < next_refresh ? next_tick
						      : next_refresh;
		now = now_s();
		if (poll(&pfd, 1, deadline > now ? (int)((deadline - now) * 1000) + 1 : 0) < 0 &&
		    errno != EINTR)
			break;
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			break; /* the terminal went away */
		if (!keys(t))
			break;
		now = now_s();
		if (!t->scraping && now >= next_tick) {
			alert_tick_all(t, now);
			next_tick += tick;
			if (next_tick <= now)
				next_tick = now + tick;
		}
		if (now >= next_refresh) {
			refresh_counts(t);
			draw(t);
			next_refresh += t->opts.interval;
			if (next_refresh <= now)
				next_refresh = now + t->opts.interval;
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct top *t = calloc(1, sizeof(*t));
	int saved_stderr, devnull;

	if (!t)
		die("out of memory");
	top_cli_parse(argc, argv, &t->opts);
	setlocale(LC_ALL, "");
	t->utf8_locale = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t->unicode = t->utf8_locale && !t->opts.ascii;
	t->sort_col = TOP_COL_ALL;
	open_source(t);

	if (!isatty(STDOUT_FILENO) || !top_view_start())
		die("cannot drive the terminal (TERM=%s): sip6xx-top needs one",
		    getenv("TERM") ? getenv("TERM") : "unset");
	/* Library messages on stderr would tear the screen; errors show in the footer. */
	saved_stderr = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	run(t);
	top_view_stop();
	if (saved_stderr >= 0)
		dup2(saved_stderr, STDERR_FILENO);

	if (t->scraping)
		top_scrape_cleanup();
	else
		top_pinned_close(&t->pinned);
	top_rates_free(&t->rates);
	top_counts_free(&t->prev);
	top_counts_free(&t->cur);
	free(t->opts.url);
	free(t);
	return 0;
}
