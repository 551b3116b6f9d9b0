// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>

#include "alert_body.h"
#include "alert_calls.h"
#include "alert_sampler.h"
#include "alertmanager_client.h"
#include "log.h"
#include "sip_codes.h"
#include "strbuf.h"
#include "top_sources.h"

/* While firing, Alertmanager hears again this often, and ends the alert by
 * itself this long after the last word if the exporter goes silent. */
#define AM_REPEAT_MS	 30000
#define AM_ENDS_AFTER_MS 120000

struct peers_sample {
	struct peer_count *peers;
	size_t nr;
	__u64 t_ms;
};

struct alerting {
	struct alerting_opts opts;
	struct alert_state states[ALERT_MAX_CODES];
	__u64 started_wall_ms[ALERT_MAX_CODES]; /* wall clock at firing, reported unchanged */
	const struct sip6xx_maps *maps;
	int nr_maps;
	int timer_fd;
	/* One sink per --alertmanager-url: each replica has its own transfers and backoff. */
	struct am_sink *am[ALERTING_MAX_AM_URLS];
	int nr_am;
	/* Peers of the alert codes, taken once a period: "older" is 1..2 periods old. */
	struct peers_sample older, newer;
	__u64 sample_cost_ms;	   /* how long the last sample took to read */
	__u64 last_scrape_ms;	   /* when the last scrape read the maps, 0: none yet */
	struct alert_calls *calls; /* the call contexts' totals and tops; NULL: none given */
};

static __u64 clock_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

__u64 alerting_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static bool is_alert_code(const struct alerting *al, __u16 code)
{
	int i;

	for (i = 0; i < al->opts.nr_codes; i++)
		if (al->opts.codes[i] == code)
			return true;
	return false;
}

/* Appends @p's entries for the alert codes to @all (room for @nr more). */
static size_t keep_alert_codes(const struct alerting *al, struct peer_count *all, size_t nr_all,
			       const struct peer_count *p, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (is_alert_code(al, p[i].key.code))
			all[nr_all++] = p[i];
	return nr_all;
}

static void peers_sample_set(struct alerting *al, struct peers_sample *out, struct peer_count *all,
			     size_t nr_all, __u64 now_ms)
{
	/* Each interface's keys carry its own ifindex, so sorting the union keeps them apart. */
	if (al->nr_maps > 1)
		qsort(all, nr_all, sizeof(*all), peer_count_cmp);
	out->peers = all;
	out->nr = nr_all;
	out->t_ms = now_ms;
}

/* Every interface's peers entries for the alert codes, sorted by key. */
static int read_alert_peers(struct alerting *al, struct peers_sample *out, __u64 now_ms)
{
	struct peer_count *all = NULL, *p, *grown;
	size_t nr_all = 0, nr;
	int m, err;

	for (m = 0; m < al->nr_maps; m++) {
		err = peers_read(al->maps[m].peers, &p, &nr);
		if (err) {
			free(all);
			return err;
		}
		grown = realloc(all, (nr_all + nr + 1) * sizeof(*all));
		if (!grown) {
			free(p);
			free(all);
			return -ENOMEM;
		}
		all = grown;
		nr_all = keep_alert_codes(al, all, nr_all, p, nr);
		free(p);
	}
	peers_sample_set(al, out, all, nr_all, now_ms);
	return 0;
}

static void peers_sample_free(struct peers_sample *ps)
{
	free(ps->peers);
	memset(ps, 0, sizeof(*ps));
}

/*
 * Once a period, the newer sample becomes the older and a fresh one is taken.
 * The period is the alert window, stretched to 50 times what a read costs:
 * walking a huge peers map every second would keep a CPU busy for nothing
 * (reads cost in proportion to --max-peers, full or not).
 */
#define SAMPLE_DUTY_FACTOR 50
/*
 * A scrape reads every peers map too, and hands its snapshot over when a
 * sample is due (alerting_scraped). The timer leaves the map alone this long
 * after a scrape: a read of its own there would hold up the response still
 * being sent, or the next scrape of a series, for as long as the read takes
 * (one event loop). Scrapes in a row then give the sample instead.
 */
#define SCRAPE_QUIET_MS	   1000 /* from the scrape's read */

static bool sample_due(const struct alerting *al, __u64 now_ms)
{
	__u64 period = al->opts.params.window_ms;

	if (period < SAMPLE_DUTY_FACTOR * al->sample_cost_ms)
		period = SAMPLE_DUTY_FACTOR * al->sample_cost_ms;
	return !al->newer.t_ms || now_ms - al->newer.t_ms >= period;
}

static void peers_sample_push(struct alerting *al, const struct peers_sample *fresh)
{
	peers_sample_free(&al->older);
	al->older = al->newer;
	al->newer = *fresh;
}

static void rotate_peers(struct alerting *al, __u64 now_ms)
{
	struct peers_sample fresh;

	if (!sample_due(al, now_ms))
		return;
	if (al->last_scrape_ms && now_ms - al->last_scrape_ms < SCRAPE_QUIET_MS)
		return;
	if (read_alert_peers(al, &fresh, now_ms))
		return; /* logged; the previous samples stay */
	al->sample_cost_ms = clock_ms(CLOCK_MONOTONIC) - now_ms;
	peers_sample_push(al, &fresh);
}

void alerting_scraped(struct alerting *al, const struct map_snapshot *snaps, int nr, __u64 read_ms)
{
	struct peer_count *all;
	struct peers_sample fresh;
	size_t nr_all = 0, total = 0;
	int m;

	al->last_scrape_ms = read_ms;
	if (nr != al->nr_maps || !sample_due(al, read_ms))
		return;
	for (m = 0; m < nr; m++)
		total += snaps[m].nr_peers;
	all = malloc((total + 1) * sizeof(*all));
	if (!all)
		return; /* the timer takes it */
	for (m = 0; m < nr; m++)
		nr_all = keep_alert_codes(al, all, nr_all, snaps[m].peers, snaps[m].nr_peers);
	peers_sample_set(al, &fresh, all, nr_all, read_ms);
	peers_sample_push(al, &fresh);
}

static int code_top_sources(struct alerting *al, __u16 code, __u64 now_ms, struct source_rate *top)
{
	const struct peers_sample *base = al->older.t_ms ? &al->older : &al->newer;
	struct peers_sample cur;
	int n;

	if (!base->t_ms || read_alert_peers(al, &cur, now_ms))
		return 0;
	n = top_sources(cur.peers, cur.nr, base->peers, base->nr, code,
			(now_ms - base->t_ms) / 1000.0, top, ALERT_TOP_SOURCES);
	peers_sample_free(&cur);
	return n;
}

static void rfc3339(__u64 wall_ms, char *buf, size_t len)
{
	time_t secs = wall_ms / 1000;
	struct tm tm;

	char date[32];

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03uZ", date, (unsigned int)(wall_ms % 1000));
}

/*
 * Alertmanager v2: a JSON array of one postableAlert (alert_body.c). Every
 * string, above all the operator's --alert-instance, goes through the JSON writer.
 */
static void post_alertmanager(struct alerting *al, int slot, const struct alert_report *r,
			      __u64 mono_ms, __u64 wall_ms)
{
	char ends_at[40];
	struct strbuf sb;
	int i;

	if (!al->nr_am)
		return;
	rfc3339(r->firing ? wall_ms + AM_ENDS_AFTER_MS : wall_ms, ends_at, sizeof(ends_at));
	sb_init(&sb);
	alert_body_alertmanager(&sb, r, al->opts.instance, ends_at);
	/* The same alert to every replica: a clustered Alertmanager dedupes them. */
	for (i = 0; i < al->nr_am && !sb.failed; i++)
		am_sink_post(al->am[i], slot, sb.buf, mono_ms, r->firing ? AM_REPEAT_MS : 0);
	sb_free(&sb);
}

/* The stdout line: one JSON object per state change, nothing else on stdout. */
static void write_json_line(const struct alert_report *r)
{
	struct strbuf sb;

	sb_init(&sb);
	alert_body_line(&sb, r);
	if (!sb.failed) {
		fwrite(sb.buf, 1, sb.len, stdout);
		fflush(stdout);
	}
	sb_free(&sb);
}

static void report(struct alerting *al, int slot, bool firing, __u64 now_ms)
{
	const struct alert_state *st = &al->states[slot];
	__u64 wall_ms = clock_ms(CLOCK_REALTIME);
	struct alert_report r = { .st = st,
				  .firing = firing,
				  .on_rejections = al->opts.on == ALERT_ON_REJECTIONS };

	/* started_ms is monotonic: place it on the wall clock once, when it fires. */
	if (firing)
		al->started_wall_ms[slot] = wall_ms - (now_ms - st->started_ms);
	rfc3339(al->started_wall_ms[slot], r.started_at, sizeof(r.started_at));
	rfc3339(wall_ms, r.now, sizeof(r.now));
	r.nr_top = code_top_sources(al, st->code, now_ms, r.top);
	alert_calls_report(al->calls, slot, &r);
	write_json_line(&r);
	post_alertmanager(al, slot, &r, now_ms, wall_ms);
	if (firing)
		pr_warn("alert: %u %s spike: %.1f%s/s against a baseline of %.1f/s\n", st->code,
			sip_code_reason(st->code), st->rate, r.on_rejections ? " rejections" : "",
			st->baseline);
	else
		pr_info("alert: %u %s spike resolved\n", st->code, sip_code_reason(st->code));
}

/* A code's counter, summed over both directions of every interface's resp_codes. */
static int code_count(const struct alerting *al, __u16 code, __u64 *sum)
{
	__u64 v;
	int m, err;

	*sum = 0;
	for (m = 0; m < al->nr_maps * SIP6XX_NR_DIRS; m++) {
		err = percpu_array_sum(al->maps[m / SIP6XX_NR_DIRS].resp_codes,
				       m % SIP6XX_NR_DIRS * RESP_CODES_PER_DIR + code, &v);
		if (err) {
			pr_err("map resp_codes: reading code %u failed: %s\n", code,
			       strerror(-err));
			return err;
		}
		*sum += v;
	}
	return 0;
}

void alerting_on_timer(struct alerting *al)
{
	__u64 expirations, now_ms = clock_ms(CLOCK_MONOTONIC), count;
	int i;

	if (read(al->timer_fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	rotate_peers(al, now_ms);
	if (al->calls)
		alert_calls_sample(al->calls, now_ms);
	for (i = 0; i < al->opts.nr_codes; i++) {
		if (al->opts.on == ALERT_ON_REJECTIONS)
			count = al->calls ? alert_calls_rejections(al->calls, i) : 0;
		else if (code_count(al, al->opts.codes[i], &count))
			continue;
		switch (alert_tick(&al->states[i], &al->opts.params, now_ms, count)) {
		case ALERT_FIRED:
			report(al, i, true, now_ms);
			break;
		case ALERT_RESOLVED:
			report(al, i, false, now_ms);
			break;
		default:
			break;
		}
	}
}

struct alerting *alerting_new(const struct alerting_opts *opts, const struct sip6xx_maps *maps,
			      int nr_maps)
{
	struct itimerspec its = {};
	struct alerting *al = calloc(1, sizeof(*al));
	int i;

	if (!al)
		return NULL;
	al->opts = *opts;
	al->maps = maps;
	al->nr_maps = nr_maps;
	for (i = 0; i < opts->nr_codes; i++)
		alert_state_init(&al->states[i], opts->codes[i]);
	al->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	its.it_interval.tv_sec = opts->params.interval_ms / 1000;
	its.it_interval.tv_nsec = (opts->params.interval_ms % 1000) * 1000000;
	its.it_value = its.it_interval;
	if (al->timer_fd < 0 || timerfd_settime(al->timer_fd, 0, &its, NULL)) {
		pr_err("alerting: timerfd: %s\n", strerror(errno));
		alerting_free(al);
		return NULL;
	}
	for (i = 0; i < opts->nr_am_urls; i++) {
		al->am[i] = am_sink_new(opts->am_urls[i]);
		if (!al->am[i]) {
			pr_err("--alertmanager-url %s: starting libcurl failed\n",
			       opts->am_urls[i]);
			alerting_free(al);
			return NULL;
		}
		al->nr_am++;
	}
	if (opts->nr_calls) {
		al->calls = alert_calls_new(opts->calls, opts->nr_calls, opts->codes,
					    opts->nr_codes, opts->params.window_ms,
					    opts->params.interval_ms, opts->name_callers);
		if (!al->calls) {
			pr_err("alerting: out of memory\n");
			alerting_free(al);
			return NULL;
		}
	}
	return al;
}

void alerting_free(struct alerting *al)
{
	int i;

	if (!al)
		return;
	if (al->timer_fd >= 0)
		close(al->timer_fd);
	for (i = 0; i < al->nr_am; i++)
		am_sink_free(al->am[i]);
	peers_sample_free(&al->older);
	peers_sample_free(&al->newer);
	alert_calls_free(al->calls);
	free(al);
}

int alerting_timer_fd(const struct alerting *al)
{
	return al->timer_fd;
}

int alerting_pollfds(struct alerting *al, struct pollfd *pfd, int max, int *timeout_ms)
{
	__u64 now_ms = clock_ms(CLOCK_MONOTONIC);
	int i, n = 0;

	/* Each sink fills what room is left; one left without room looks again soon. */
	for (i = 0; i < al->nr_am; i++)
		n += am_sink_pollfds(al->am[i], now_ms, pfd + n, max - n, timeout_ms);
	return n;
}

void alerting_perform(struct alerting *al)
{
	__u64 now_ms = clock_ms(CLOCK_MONOTONIC);
	int i;

	for (i = 0; i < al->nr_am; i++)
		am_sink_perform(al->am[i], now_ms);
}

void alerting_stop(struct alerting *al)
{
	__u64 now_ms = clock_ms(CLOCK_MONOTONIC);
	int i;

	for (i = 0; i < al->opts.nr_codes; i++) {
		if (!al->states[i].firing)
			continue;
		al->states[i].firing = false;
		report(al, i, false, now_ms);
	}
}

bool alerting_busy(struct alerting *al)
{
	__u64 now_ms = clock_ms(CLOCK_MONOTONIC);
	int i;

	for (i = 0; i < al->nr_am; i++)
		if (am_sink_busy(al->am[i], now_ms))
			return true;
	return false;
}

const struct alert_state *alerting_states(const struct alerting *al, int *nr)
{
	*nr = al->opts.nr_codes;
	return al->states;
}
