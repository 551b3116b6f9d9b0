// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <ncurses.h>

#include "top_view.h"
#include "version.h"

#define SOURCE_WIDTH 40 /* an IPv6 address in RFC 5952 text is at most 39 */
#define RATE_WIDTH   9
#define SPARK_X	     5 /* after "607  " */
#define LIST_ROWS    5 /* top callers and intermediaries shown, then "other" */
#define LIST_COUNT   10

enum colour {
	COLOUR_ALERT = 1,
	COLOUR_607,
	COLOUR_608,
	COLOUR_HEAD,
};

bool top_view_start(void)
{
	if (!newterm(NULL, stdout, stdin))
		return false;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(COLOUR_ALERT, COLOR_WHITE, COLOR_RED);
		init_pair(COLOUR_607, COLOR_YELLOW, -1);
		init_pair(COLOUR_608, COLOR_MAGENTA, -1);
		init_pair(COLOUR_HEAD, COLOR_CYAN, -1);
	}
	return true;
}

void top_view_stop(void)
{
	endwin();
}

/* printf at (y, x), clipped at the right edge instead of wrapping. */
static void put(int y, int x, int attr, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(int y, int x, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (y >= LINES || x >= COLS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attron(attr);
	mvaddnstr(y, x, buf, COLS - x);
	attroff(attr);
}

/* "607", or "6xx" for the all-6xx column. */
static const char *col_title(int col, char *buf, size_t len)
{
	if (col == TOP_COL_ALL)
		return "6xx";
	snprintf(buf, len, "%u", sip_named_6xx[col].code);
	return buf;
}

static int draw_header(const struct top_view *v, int y)
{
	const struct top_rates *r = v->rates;
	char clock[16], ratio[16];
	time_t now = time(NULL);
	struct tm tm;
	int i;

	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	put(y, 0, A_BOLD, "sip6xx-top %s", sip6xx_version);
	put(y, COLS > 10 ? COLS - 9 : 0, 0, "%s", clock);
	put(++y, 0, 0, "from %s, every %gs; alerts: %s", v->from, v->interval, v->alerts_from);
	y++;
	if (r->final_responses > 0)
		snprintf(ratio, sizeof(ratio), "%.1f%%",
			 100 * r->code[TOP_COL_ALL] / r->final_responses);
	else
		snprintf(ratio, sizeof(ratio), "-"); /* no final response: no ratio */
	if (!r->seconds)
		put(y, 0, 0, "responses   -/s   (rates after the second read)");
	else
		put(y, 0, 0,
		    "responses %.1f/s   final (2xx-6xx) %.1f/s   6xx %.1f/s   6xx ratio %s of "
		    "final responses",
		    r->responses, r->final_responses, r->code[TOP_COL_ALL], ratio);
	put(++y, 0, 0, "peers map %.0f/%.0f tracked, %.0f evicted", v->counts->peers_tracked,
	    v->counts->peers_capacity, v->counts->peers_evicted);
	y++;
	for (i = 0; i < TOP_NR_CODES; i++) {
		if (v->alert[i] != TOP_ALERT_FIRING)
			continue;
		put(y, 0, COLOR_PAIR(COLOUR_ALERT) | A_BOLD, " ALERT: %u %s spike firing ",
		    sip_named_6xx[i].code, sip_named_6xx[i].reason);
		y++;
	}
	return y + 1;
}

/* Why the call columns hold "-": there is no call context to read, not none rejected. */
static const char *no_calls_why(const struct top_view *v)
{
	if (v->counts->calls)
		return NULL;
	if (!v->scraping)
		return "REJ, RETX: '-' = not in pinned maps (packets only); --url reads them";
	return v->no_calls_why;
}

/* Rejections and retransmissions of column @i, or "-" in each when there are none to read. */
static void draw_calls_cells(const struct top_view *v, int y, int x, int attr, int i)
{
	const struct top_counts *c = v->counts;
	const struct top_rates *r = v->rates;
	char ratio[16];

	if (!c->calls) {
		put(y, x, attr, " %8s %9s %8s %9s %7s", "-", "-", "-", "-", "-");
		return;
	}
	top_retx_ratio(c->rejections[i], c->retransmissions[i], c->context_lost > 0, ratio,
		       sizeof(ratio));
	put(y, x, attr, " %8.1f %9.0f %8.1f %9.0f %7s", r->rejections[i], c->rejections[i],
	    r->retransmissions[i], c->retransmissions[i], ratio);
}

/* Packets and the alert first, as before the call context: what an 80-column terminal keeps. */
#define ALERT_X 50	       /* after "%-5s %-24s %8s %10s", the packet columns */
#define CALLS_X (ALERT_X + 13) /* after "  %-11s": "not watched" */

static int draw_codes(const struct top_view *v, int y)
{
	const struct top_rates *r = v->rates;
	int i, attr, head = COLOR_PAIR(COLOUR_HEAD) | A_BOLD;
	const char *why = no_calls_why(v);

	put(y, 0, head, "%-5s %-24s %8s %10s  %-11s", "CODE", "NAME", "PKT/s", "PACKETS", "ALERT");
	put(y++, CALLS_X, head, " %8s %9s %8s %9s %7s", "REJ/s", "REJECTED", "RETX/s", "RETRANS",
	    "RETX%");
	for (i = 0; i < TOP_NR_COLS; i++) {
		const char *name =
			i < TOP_NR_CODES ? sip_named_6xx[i].reason : "all global failures";
		enum top_alert a = i < TOP_NR_CODES ? v->alert[i] : TOP_ALERT_UNKNOWN;
		char code[8];

		attr = a == TOP_ALERT_FIRING ? COLOR_PAIR(COLOUR_ALERT) | A_BOLD : 0;
		if (i == TOP_COL_ALL)
			attr |= A_BOLD;
		put(y, 0, attr, "%-5s %-24s %8.1f %10.0f  %-11s", col_title(i, code, sizeof(code)),
		    name, r->code[i], v->counts->code[i], top_alert_text(a));
		draw_calls_cells(v, y++, CALLS_X, attr, i);
	}
	if (why)
		put(y++, 0, A_DIM, "%s", why);
	else if (v->counts->context_lost > 0)
		put(y++, 0, A_DIM,
		    "~RETX%%: approximate, %.0f samples dropped (rate, buffer_full): a repeat "
		    "whose "
		    "first copy was dropped counted as a rejection",
		    v->counts->context_lost);
	return y + 1;
}

static void draw_spark_row(const struct top_view *v, int y, const char *label,
			   const struct spark *s, int colour, double max, int width)
{
	char buf[3 * SPARK_HISTORY + 1];
	size_t cols = spark_render(s, width, max, v->unicode, buf);

	put(y, 0, COLOR_PAIR(colour) | A_BOLD, "%s", label);
	/* Right-aligned, so the newest rate is always at the right edge. */
	attron(COLOR_PAIR(colour));
	mvaddstr(y, SPARK_X + width - (int)cols, buf); /* width fits the screen already */
	attroff(COLOR_PAIR(colour));
}

static int draw_sparks(const struct top_view *v, int y)
{
	int width = COLS - SPARK_X - 1;
	double max607, max608, max;

	if (width < 1)
		return y;
	if (width > SPARK_HISTORY)
		width = SPARK_HISTORY;
	max607 = spark_max(v->spark607, width);
	max608 = spark_max(v->spark608, width);
	max = max607 > max608 ? max607 : max608;
	if (!v->spark607->len)
		put(y++, 0, COLOR_PAIR(COLOUR_HEAD) | A_BOLD,
		    "607/608 per second (one column per refresh, from the second read on)");
	else
		put(y++, 0, COLOR_PAIR(COLOUR_HEAD) | A_BOLD,
		    "607/608 per second, last %.0fs (one column per refresh), full height %.1f/s",
		    spark_span(v->spark607, width, v->interval), max);
	draw_spark_row(v, y++, "607", v->spark607, COLOUR_607, max, width);
	draw_spark_row(v, y++, "608", v->spark608, COLOUR_608, max, width);
	return y + 1;
}

/* One top list at (y, x), @width wide; returns the rows it took. */
static int draw_list(const struct top_list *l, const char *title, int y, int x, int width)
{
	int label_width = width - LIST_COUNT - 1, n = 0;
	size_t i, shown;
	bool has_rest;
	double rest;

	if (label_width < 1)
		return 0;
	put(y + n++, x, COLOR_PAIR(COLOUR_HEAD) | A_BOLD, "%-.*s", width, title);
	shown = top_list_head(l, LIST_ROWS, &rest, &has_rest);
	for (i = 0; i < shown; i++)
		put(y + n++, x, 0, "%-*.*s %*.0f", label_width, label_width, l->rows[i].label,
		    LIST_COUNT, l->rows[i].count);
	/* The rest: every row not drawn, the scrape's "other" and the callers ranked after. */
	if (has_rest)
		put(y + n++, x, 0, "%-*.*s %*.0f", label_width, label_width, "(every other)",
		    LIST_COUNT, rest);
	return n;
}

/* With --callers and --intermediaries in the scrape: side by side, or one under the other. */
static int draw_lists(const struct top_view *v, int y)
{
	const struct top_list *c = &v->counts->callers, *m = &v->counts->intermediaries;
	static const char callers[] = "TOP CALLERS: 6xx rejections in the exporter's window";
	static const char inter[] = "TOP INTERMEDIARIES: 608 by jwscard host, in the window";
	int a = 0, b = 0, half = COLS / 2;

	if (!c->present && !m->present)
		return y;
	if (c->present && m->present && half >= 40) {
		a = draw_list(c, callers, y, 0, half - 2);
		b = draw_list(m, inter, y, half, COLS - half);
		return y + (a > b ? a : b) + 1;
	}
	if (c->present)
		y += draw_list(c, callers, y, 0, COLS) + 1;
	if (m->present)
		y += draw_list(m, inter, y, 0, COLS) + 1;
	return y;
}

static void draw_sources_head(const struct top_view *v, int y)
{
	char code[8], title[16];
	int i, x = SOURCE_WIDTH, attr;

	put(y, 0, COLOR_PAIR(COLOUR_HEAD) | A_BOLD, "%-*s", SOURCE_WIDTH, "SOURCE");
	for (i = 0; i < TOP_NR_COLS; i++, x += RATE_WIDTH) {
		attr = COLOR_PAIR(COLOUR_HEAD) | A_BOLD;
		/* The sort column is bracketed as well as highlighted: visible without colour. */
		if (i == v->sort_col) {
			snprintf(title, sizeof(title), "[%s]", col_title(i, code, sizeof(code)));
			attr |= A_REVERSE;
		} else {
			snprintf(title, sizeof(title), "%s", col_title(i, code, sizeof(code)));
		}
		put(y, x, attr, "%*s", RATE_WIDTH, title);
	}
	put(y, x, COLOR_PAIR(COLOUR_HEAD) | A_BOLD, " %12s", "6xx SEEN");
}

static int draw_sources(const struct top_view *v, int y)
{
	const struct top_rates *r = v->rates;
	int i, x, last = LINES - 2;
	char code[8];
	size_t n;

	put(y++, 0, A_BOLD, "TOP SOURCES by %s/s, %zu tracked",
	    col_title(v->sort_col, code, sizeof(code)), r->nr_sources);
	draw_sources_head(v, y++);
	for (n = 0; n < r->nr_sources && y <= last; n++, y++) {
		const struct top_source_rate *s = &r->sources[n];

		put(y, 0, 0, "%-*s", SOURCE_WIDTH, s->addr);
		for (i = 0, x = SOURCE_WIDTH; i < TOP_NR_COLS; i++, x += RATE_WIDTH)
			put(y, x, i == v->sort_col ? A_BOLD : 0, "%*.1f", RATE_WIDTH, s->rate[i]);
		put(y, x, 0, " %12.0f", s->count);
	}
	if (!r->nr_sources && y <= last)
		put(y++, 0, 0, "(no 6xx seen yet)");
	return y;
}

static void draw_footer(const struct top_view *v)
{
	if (v->error)
		put(LINES - 1, 0, COLOR_PAIR(COLOUR_ALERT), " %s ", v->error);
	else
		put(LINES - 1, 0, A_DIM,
		    "keys: 1-6 sort by 600 603 604 606 607 608, t all 6xx, left/right step, "
		    "a ASCII/Unicode, q quit");
}

void top_view_draw(const struct top_view *v)
{
	int y = 0;

	erase();
	y = draw_header(v, y);
	y = draw_codes(v, y);
	y = draw_sparks(v, y);
	y = draw_lists(v, y);
	draw_sources(v, y);
	draw_footer(v);
	refresh();
}
