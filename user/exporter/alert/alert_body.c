// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>

#include "alert_body.h"
#include "json.h"
#include "sip_codes.h"

bool alert_retransmission_ratio(const struct calls_code_totals *w, double *ratio)
{
	__u64 all = w->rejections + w->retransmissions;

	if (!all)
		return false;
	*ratio = (double)w->retransmissions / (double)all;
	return true;
}

bool alert_report_ratio(const struct alert_report *r, double *ratio)
{
	return r->context && !r->window_dropped && alert_retransmission_ratio(&r->window, ratio);
}

/* A window in seconds: whole ones bare, else to the millisecond. */
static void window_s(struct strbuf *sb, __u64 ms)
{
	if (ms % 1000)
		sb_printf(sb, "%.3f", ms / 1000.0);
	else
		sb_printf(sb, "%llu", (unsigned long long)(ms / 1000));
}

/*
 * [{"NAME":"label","TABLE_window_rejections":N},...]: labels from packets,
 * escaped; N covers the table's own window (--callers-window) and every 6xx.
 */
static void labels_json(struct strbuf *sb, const char *name, const char *table,
			const struct label_count *l, int nr)
{
	int i;

	sb_printf(sb, "[");
	for (i = 0; i < nr; i++) {
		sb_printf(sb, "%s{\"%s\":", i ? "," : "", name);
		json_str(sb, l[i].label);
		sb_printf(sb, ",\"%s_window_rejections\":%llu}", table,
			  (unsigned long long)l[i].count);
	}
	sb_printf(sb, "]");
}

/* ,"TABLE_window_s":S,"top_TABLE":[...] */
static void labels_field(struct strbuf *sb, const char *name, const char *table,
			 const struct label_count *l, int nr, __u64 window_ms)
{
	if (nr < 0)
		return;
	sb_printf(sb, ",\"%s_window_s\":", table);
	window_s(sb, window_ms);
	sb_printf(sb, ",\"top_%s\":", table);
	labels_json(sb, name, table, l, nr);
}

/* What the call context adds, after the fields it had before, so those read as before. */
static void context_fields(struct strbuf *sb, const struct alert_report *r)
{
	double ratio;

	/* Absent: packets, so that with --context-rate 0 a line reads as before, byte for byte. */
	if (r->on_rejections)
		sb_printf(sb, ",\"alert_on\":\"rejections\"");
	if (r->context) {
		sb_printf(sb,
			  ",\"window_rejections\":%llu,\"window_retransmissions\":%llu,"
			  "\"window_context_dropped\":%llu",
			  (unsigned long long)r->window.rejections,
			  (unsigned long long)r->window.retransmissions,
			  (unsigned long long)r->window_dropped);
		if (alert_report_ratio(r, &ratio))
			sb_printf(sb, ",\"retransmission_ratio\":%.3f", ratio);
		else
			sb_printf(sb, ",\"retransmission_ratio\":null");
	}
	labels_field(sb, "caller", "callers", r->callers, r->nr_callers, r->callers_window_ms);
	labels_field(sb, "intermediary", "intermediaries", r->intermediaries, r->nr_intermediaries,
		     r->intermediaries_window_ms);
}

void alert_body_line(struct strbuf *sb, const struct alert_report *r)
{
	int i;

	sb_printf(sb,
		  "{\"event\":\"alert\",\"state\":\"%s\",\"code\":%u,\"rate\":%.3f,"
		  "\"baseline\":%.3f,\"threshold\":%.3f,\"started_at\":\"%s\"",
		  r->firing ? "firing" : "resolved", r->st->code, r->st->rate, r->st->baseline,
		  r->st->threshold, r->started_at);
	if (!r->firing)
		sb_printf(sb, ",\"ended_at\":\"%s\"", r->now);
	sb_printf(sb, ",\"top_sources\":[");
	for (i = 0; i < r->nr_top; i++) {
		sb_printf(sb, "%s{\"source\":", i ? "," : "");
		json_str(sb, r->top[i].source);
		sb_printf(sb, ",\"rate\":%.3f}", r->top[i].rate);
	}
	sb_printf(sb, "]");
	context_fields(sb, r);
	sb_printf(sb, "}\n");
}

/* The description's text, before it is escaped into the body. */
static void am_description(struct strbuf *sb, const struct alert_report *r)
{
	double ratio;
	int i;

	sb_printf(sb,
		  "%s %u %s%s at %.1f/s against a baseline of %.1f/s (threshold %.1f/s). Top "
		  "sources:",
		  r->firing ? "Firing:" : "Resolved:", r->st->code, sip_code_reason(r->st->code),
		  r->on_rejections ? " rejections" : "", r->st->rate, r->st->baseline,
		  r->st->threshold);
	for (i = 0; i < r->nr_top; i++)
		sb_printf(sb, "%s %s (%.1f/s)", i ? "," : "", r->top[i].source, r->top[i].rate);
	if (!r->nr_top)
		sb_printf(sb, " none in the last window");
	sb_printf(sb, ".");
	if (alert_report_ratio(r, &ratio))
		sb_printf(sb, " Retransmission ratio %.3f (%llu retransmissions, %llu rejections).",
			  ratio, (unsigned long long)r->window.retransmissions,
			  (unsigned long long)r->window.rejections);
	else if (r->context && r->window_dropped)
		sb_printf(sb,
			  " Retransmission ratio unknown: %llu context samples dropped or "
			  "transactions evicted in the window.",
			  (unsigned long long)r->window_dropped);
}

/* "NAME":"TEXT", TEXT escaped once more as a JSON string. */
static void annotation(struct strbuf *sb, const char *name, const struct strbuf *text)
{
	sb_printf(sb, ",\"%s\":", name);
	json_str(sb, text->failed || !text->buf ? "" : text->buf);
}

/* The callers and intermediaries as JSON text in an annotation: a label cannot pose as two. */
static void labels_annotation(struct strbuf *sb, const char *key, const char *table,
			      const struct label_count *l, int nr, __u64 window_ms)
{
	struct strbuf text;
	char name[32];

	if (nr < 0)
		return;
	sb_printf(sb, ",\"%s_window_s\":\"", table);
	window_s(sb, window_ms);
	sb_printf(sb, "\"");
	snprintf(name, sizeof(name), "top_%s", table);
	sb_init(&text);
	labels_json(&text, key, table, l, nr);
	annotation(sb, name, &text);
	if (text.failed)
		sb->failed = 1;
	sb_free(&text);
}

void alert_body_alertmanager(struct strbuf *sb, const struct alert_report *r, const char *instance,
			     const char *ends_at)
{
	struct strbuf text;
	double ratio;

	sb_printf(sb,
		  "[{\"labels\":{\"alertname\":\"SIP%uSpike\",\"severity\":\"critical\","
		  "\"code\":\"%u\",\"instance\":",
		  r->st->code, r->st->code);
	json_str(sb, instance);
	sb_printf(sb, "},\"annotations\":{\"summary\":");
	sb_init(&text);
	sb_printf(&text, "SIP %u %s %s spiking on %s", r->st->code, sip_code_reason(r->st->code),
		  r->on_rejections ? "rejections" : "responses", instance);
	json_str(sb, text.failed ? "" : text.buf);
	sb_free(&text);
	am_description(&text, r);
	annotation(sb, "description", &text);
	if (text.failed)
		sb->failed = 1;
	sb_free(&text);
	if (r->on_rejections)
		sb_printf(sb, ",\"alert_on\":\"rejections\"");
	if (r->context)
		sb_printf(sb, ",\"window_context_dropped\":\"%llu\"",
			  (unsigned long long)r->window_dropped);
	if (alert_report_ratio(r, &ratio))
		sb_printf(sb, ",\"retransmission_ratio\":\"%.3f\"", ratio);
	labels_annotation(sb, "caller", "callers", r->callers, r->nr_callers, r->callers_window_ms);
	labels_annotation(sb, "intermediary", "intermediaries", r->intermediaries,
			  r->nr_intermediaries, r->intermediaries_window_ms);
	sb_printf(sb, "},\"startsAt\":\"%s\",\"endsAt\":\"%s\"}]", r->started_at, ends_at);
}
