// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Every exported metric is one row of metric_defs[]: name, help, type and the
 * function that writes its samples. No metric text is assembled elsewhere.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "metrics.h"
#include "sip_codes.h"
#include "calls/calls_metrics.h"
#include "version.h"

#define ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

/* Always exported, at 0 when unseen, so rate() sees the first spike after quiet. */

/* A metric's samples come per interface, per alert code, or once. */
struct metric_def {
	const char *name;
	const char *type;
	const char *help;
	void (*iface_samples)(const struct metric_def *def, const struct metrics_iface *ifc,
			      struct strbuf *out);
	void (*alert_samples)(const struct metric_def *def, const struct alert_state *st,
			      struct strbuf *out);
	void (*once_samples)(const struct metric_def *def, struct strbuf *out);
	enum calls_metric calls; /* a call context metric (calls_samples) */
};

/*
 * Escape backslash, double quote and newline: valid both as a text-format 0.0.4
 * label value and as a JSON string. Other control bytes (legal in Linux
 * interface names) become '?', which neither format needs escaped.
 */
static void put_escaped(struct strbuf *out, const char *value)
{
	const char *p, *run = value;

	for (p = value; *p; p++) {
		if (*p != '\\' && *p != '"' && (unsigned char)*p >= 0x20)
			continue;
		sb_append(out, run, p - run);
		if (*p == '\\' || *p == '"')
			sb_printf(out, "\\%c", *p);
		else if (*p == '\n')
			sb_append(out, "\\n", 2);
		else
			sb_append(out, "?", 1);
		run = p + 1;
	}
	sb_append(out, run, p - run);
}

static void put_label(struct strbuf *out, const char *name, const char *value)
{
	sb_printf(out, "%s=\"", name);
	put_escaped(out, value);
	sb_printf(out, "\"");
}

static const char *const dir_names[SIP6XX_NR_DIRS] = { "rx", "tx" };

/* name{interface="...",direction="..." — the caller adds its labels and "} value". */
static void series_start(struct strbuf *out, const struct metric_def *def,
			 const struct metrics_iface *ifc, unsigned int dir)
{
	sb_printf(out, "%s{", def->name);
	put_label(out, "interface", ifc->interface);
	sb_printf(out, ",direction=\"%s\"", dir_names[dir]);
}

static bool dir_exported(const struct metrics_iface *ifc, unsigned int dir)
{
	return ifc->dirs & (1U << dir);
}

static void responses_samples(const struct metric_def *def, const struct metrics_iface *ifc,
			      struct strbuf *out)
{
	unsigned int code, dir;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++) {
		if (!dir_exported(ifc, dir))
			continue;
		for (code = SIP_CODE_MIN; code <= SIP_CODE_MAX; code++) {
			__u64 v = ifc->snap->resp_codes[dir][code];

			if (!v && !sip_code_is_named(code))
				continue;
			series_start(out, def, ifc, dir);
			sb_printf(out, ",code=\"%u\"} %llu\n", code, (unsigned long long)v);
		}
	}
}

/* The per-source rows, folded by --top and named by --peers; NULL when out of memory. */
static struct fold_row *source_rows(const struct metrics_iface *ifc, size_t *nr, struct strbuf *out)
{
	struct fold_row *rows;

	if (fold_peers(ifc->snap->peers, ifc->snap->nr_peers, ifc->fold, &rows, nr)) {
		out->failed = 1; /* the scrape fails as a whole: no partial family */
		return NULL;
	}
	return rows;
}

static void source_text(const struct fold_row *row, char *buf, size_t len)
{
	if (row->other)
		snprintf(buf, len, "%s", FOLD_OTHER);
	else
		peer_addr_str(&row->key, buf, len);
}

static void global_failures_samples(const struct metric_def *def, const struct metrics_iface *ifc,
				    struct strbuf *out)
{
	char addr[ADDR_STRLEN];
	size_t i, n = 0;
	struct fold_row *rows = source_rows(ifc, &n, out);

	for (i = 0; i < n; i++) {
		/* A direction no longer attached keeps its pinned rows: not exported. */
		if (!dir_exported(ifc, rows[i].key.direction))
			continue;
		source_text(&rows[i], addr, sizeof(addr));
		series_start(out, def, ifc, rows[i].key.direction);
		sb_printf(out, ",source=\"%s\"", addr);
		if (rows[i].peer) {
			sb_printf(out, ",");
			put_label(out, "peer", rows[i].peer);
		}
		sb_printf(out, ",code=\"%u\"} %llu\n", rows[i].key.code,
			  (unsigned long long)rows[i].count);
	}
	free(rows);
}

static void packets_samples(const struct metric_def *def, const struct metrics_iface *ifc,
			    struct strbuf *out)
{
	unsigned int r, dir;

	for (dir = 0; dir < SIP6XX_NR_DIRS; dir++) {
		if (!dir_exported(ifc, dir))
			continue;
		for (r = 0; r < PKT_RESULT_MAX; r++) {
			series_start(out, def, ifc, dir);
			sb_printf(out, ",result=\"%s\"} %llu\n", pkt_result_name(r),
				  (unsigned long long)ifc->snap->pkt_stats[dir][r]);
		}
	}
}

static void gauge_sample(const struct metric_def *def, const struct metrics_iface *ifc,
			 struct strbuf *out, unsigned long long v)
{
	sb_printf(out, "%s{", def->name);
	put_label(out, "interface", ifc->interface);
	sb_printf(out, "} %llu\n", v);
}

static void peers_tracked_samples(const struct metric_def *def, const struct metrics_iface *ifc,
				  struct strbuf *out)
{
	gauge_sample(def, ifc, out, ifc->snap->nr_peers);
}

static void peers_capacity_samples(const struct metric_def *def, const struct metrics_iface *ifc,
				   struct strbuf *out)
{
	gauge_sample(def, ifc, out, ifc->snap->peers_capacity);
}

/* Keys inserted and no longer there: the LRU evicted them (nothing else deletes). */
static void peers_evicted_samples(const struct metric_def *def, const struct metrics_iface *ifc,
				  struct strbuf *out)
{
	__u64 inserts = ifc->snap->peer_stats[PEER_INSERTS];

	gauge_sample(def, ifc, out,
		     inserts > ifc->snap->nr_peers ? inserts - ifc->snap->nr_peers : 0);
}

static void peers_insert_failed_samples(const struct metric_def *def,
					const struct metrics_iface *ifc, struct strbuf *out)
{
	gauge_sample(def, ifc, out, ifc->snap->peer_stats[PEER_INSERT_FAILED]);
}

static void attached_samples(const struct metric_def *def, const struct metrics_iface *ifc,
			     struct strbuf *out)
{
	if (ifc->attached >= 0)
		gauge_sample(def, ifc, out, ifc->attached);
}

struct calls_writer {
	const struct metric_def *def;
	const struct metrics_iface *ifc;
	struct strbuf *out;
	const char *sep; /* JSON: between samples */
};

static void calls_text_sample(void *arg, const struct calls_sample *s)
{
	struct calls_writer *w = arg;
	int i;

	if (s->dir >= 0 && !dir_exported(w->ifc, s->dir))
		return;
	if (s->dir >= 0) {
		series_start(w->out, w->def, w->ifc, s->dir);
	} else {
		sb_printf(w->out, "%s{", w->def->name);
		put_label(w->out, "interface", w->ifc->interface);
	}
	for (i = 0; i < s->nr_labels; i++) {
		sb_printf(w->out, ",");
		put_label(w->out, s->label[i], s->value[i]);
	}
	sb_printf(w->out, "} %llu\n", (unsigned long long)s->v);
}

static void calls_samples(const struct metric_def *def, const struct metrics_iface *ifc,
			  struct strbuf *out)
{
	struct calls_writer w = { .def = def, .ifc = ifc, .out = out };

	if (ifc->calls)
		calls_metric_each(ifc->calls, def->calls, calls_text_sample, &w);
}

static void alert_firing_samples(const struct metric_def *def, const struct alert_state *st,
				 struct strbuf *out)
{
	sb_printf(out, "%s{code=\"%u\"} %d\n", def->name, st->code, st->firing ? 1 : 0);
}

static void alerts_total_samples(const struct metric_def *def, const struct alert_state *st,
				 struct strbuf *out)
{
	sb_printf(out, "%s{code=\"%u\"} %llu\n", def->name, st->code,
		  (unsigned long long)st->alerts_total);
}

static void build_info_samples(const struct metric_def *def, struct strbuf *out)
{
	sb_printf(out, "%s{version=\"%s\"} 1\n", def->name, sip6xx_version);
}

static const struct metric_def metric_defs[] = {
	{ .name = "sip6xx_responses_total",
	  .type = "counter",
	  .help = "SIP responses seen, by status code (100..699).",
	  .iface_samples = responses_samples },
	{ .name = "sip6xx_global_failures_total",
	  .type = "counter",
	  .help = "SIP 6xx global-failure responses, by the address that sent them; "
		  "source=\"other\" sums the sources --top or --peers-unmatched folded.",
	  .iface_samples = global_failures_samples },
	{ .name = "sip6xx_packets_total",
	  .type = "counter",
	  .help = "Frames seen by the parser, by outcome.",
	  .iface_samples = packets_samples },
	{ .name = "sip6xx_peers_tracked",
	  .type = "gauge",
	  .help = "Entries in the kernel's per-source 6xx map.",
	  .iface_samples = peers_tracked_samples },
	{ .name = "sip6xx_peers_capacity",
	  .type = "gauge",
	  .help = "Capacity of the kernel's per-source 6xx map (--max-peers); the least recently "
		  "used entry is evicted when full.",
	  .iface_samples = peers_capacity_samples },
	{ .name = "sip6xx_peers_evicted_total",
	  .type = "counter",
	  .help = "Per-source entries the kernel evicted to make room (least recently used first).",
	  .iface_samples = peers_evicted_samples },
	{ .name = "sip6xx_peers_insert_failures_total",
	  .type = "counter",
	  .help = "6xx responses whose source could not be added to the per-source map; they still "
		  "count in sip6xx_responses_total.",
	  .iface_samples = peers_insert_failed_samples },
	{ .name = "sip6xx_interface_attached",
	  .type = "gauge",
	  .help = "1 while the XDP program is attached to the interface; 0 once something else "
		  "detached it (its counters are then frozen).",
	  .iface_samples = attached_samples },
	{ .name = "sip6xx_context_samples_total",
	  .type = "counter",
	  .help = "SIP 6xx responses, BYE and CANCEL requests handed to the call context decoder.",
	  .calls = CALLS_M_SAMPLES,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_context_dropped_total",
	  .type = "counter",
	  .help = "Messages the call context lost, by reason (unparsed: libosip2 could not decode "
		  "it, or it lacked Call-ID or CSeq).",
	  .calls = CALLS_M_DROPPED,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_rejections_total",
	  .type = "counter",
	  .help = "6xx final responses, once per transaction (the first copy seen); method from "
		  "CSeq.",
	  .calls = CALLS_M_REJECTIONS,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_retransmissions_total",
	  .type = "counter",
	  .help = "6xx responses repeating a transaction already counted, within 64*T1 (32 s).",
	  .calls = CALLS_M_RETRANSMISSIONS,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_reason_total",
	  .type = "counter",
	  .help = "Reason header values of BYE and CANCEL requests, once per transaction, by "
		  "protocol and cause.",
	  .calls = CALLS_M_REASONS,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_calls_rejected_total",
	  .type = "counter",
	  .help = "Distinct calls (Call-ID) rejected with a 6xx, once per code and phase: setup "
		  "(6xx to an INVITE), midcall (BYE with Reason SIP cause 6xx), cancel (CANCEL "
		  "with one).",
	  .calls = CALLS_M_CALLS_REJECTED,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_608_missing_call_info_total",
	  .type = "counter",
	  .help = "608 transactions without a Call-Info purpose=jwscard (RFC 8688).",
	  .calls = CALLS_M_608_MISSING_CALL_INFO,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_transactions_tracked",
	  .type = "gauge",
	  .help = "Entries in the transaction table.",
	  .calls = CALLS_M_TRACKED,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_transactions_evicted_total",
	  .type = "counter",
	  .help = "Transactions evicted from the full table before their 32 s were up (least "
		  "recently seen first).",
	  .calls = CALLS_M_EVICTED,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_caller_rejections",
	  .type = "gauge",
	  .help = "With --callers N: 6xx rejections (responses once per transaction, BYE and "
		  "CANCEL "
		  "Reason causes) of the N callers with the most in the window, by canonical "
		  "identity (a keyed hash with --callers-hash); caller=\"other\" for the rest.",
	  .calls = CALLS_M_CALLERS,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_intermediary_rejections",
	  .type = "gauge",
	  .help = "With --intermediaries N: 608 rejections of the N hosts of a Call-Info "
		  "purpose=jwscard URI with the most in the window; intermediary=\"other\" for the "
		  "rest.",
	  .calls = CALLS_M_INTERMEDIARIES,
	  .iface_samples = calls_samples },
	{ .name = "sip6xx_alert_firing",
	  .type = "gauge",
	  .help = "1 while the exporter's spike alert for this code is firing.",
	  .alert_samples = alert_firing_samples },
	{ .name = "sip6xx_alerts_total",
	  .type = "counter",
	  .help = "Spike alerts the exporter fired, by code.",
	  .alert_samples = alerts_total_samples },
	{ .name = "sip6xx_exporter_build_info",
	  .type = "gauge",
	  .help = "Constant 1, labelled with the version.",
	  .once_samples = build_info_samples },
};

static void format_prometheus(const struct metrics_input *in, struct strbuf *out)
{
	size_t m, header, samples;
	int i;

	for (m = 0; m < sizeof(metric_defs) / sizeof(metric_defs[0]); m++) {
		const struct metric_def *def = &metric_defs[m];

		header = out->len;
		sb_printf(out, "# HELP %s %s\n# TYPE %s %s\n", def->name, def->help, def->name,
			  def->type);
		samples = out->len;
		for (i = 0; def->iface_samples && i < in->nr_ifs; i++)
			def->iface_samples(def, &in->ifs[i], out);
		for (i = 0; def->alert_samples && i < in->nr_alerts; i++)
			def->alert_samples(def, &in->alerts[i], out);
		if (def->once_samples)
			def->once_samples(def, out);
		/* A family with no sample (no 6xx source yet, no alerting) is left out whole. */
		if (out->len == samples && !out->failed) {
			out->len = header;
			out->buf[header] = '\0';
		}
	}
}

static void calls_json_sample(void *arg, const struct calls_sample *s)
{
	struct calls_writer *w = arg;
	int i;

	if (s->dir >= 0 && !dir_exported(w->ifc, s->dir))
		return;
	sb_printf(w->out, "%s{\"metric\":\"%s\",\"labels\":{", w->sep, w->def->name);
	w->sep = ",";
	if (s->dir >= 0)
		sb_printf(w->out, "\"direction\":\"%s\"%s", dir_names[s->dir],
			  s->nr_labels ? "," : "");
	for (i = 0; i < s->nr_labels; i++) {
		sb_printf(w->out, "%s", i ? "," : "");
		json_str(w->out, s->label[i]);
		sb_printf(w->out, ":");
		json_str(w->out, s->value[i]);
	}
	sb_printf(w->out, "},\"value\":%llu}", (unsigned long long)s->v);
}

/* ,"calls":[{"metric":..,"labels":{..},"value":N},..] after the interface's other fields. */
static void json_calls(const struct metrics_iface *ifc, struct strbuf *out)
{
	struct calls_writer w = { .ifc = ifc, .out = out, .sep = "" };
	size_t m;

	sb_printf(out, ",\"calls\":[");
	for (m = 0; m < sizeof(metric_defs) / sizeof(metric_defs[0]); m++) {
		if (!metric_defs[m].calls)
			continue;
		w.def = &metric_defs[m];
		calls_metric_each(ifc->calls, metric_defs[m].calls, calls_json_sample, &w);
	}
	sb_printf(out, "]");
}

static void json_iface(const struct metrics_iface *ifc, struct strbuf *out)
{
	const struct map_snapshot *s = ifc->snap;
	char addr[ADDR_STRLEN];
	const char *sep = "";
	struct fold_row *rows;
	unsigned int code, r;
	size_t i, nr_rows = 0;

	sb_printf(out, "{\"interface\":");
	json_str(out, ifc->interface);
	sb_printf(out, ",\"responses\":{");
	for (code = SIP_CODE_MIN; code <= SIP_CODE_MAX; code++) {
		if (!s->resp_codes[SIP6XX_DIR_RX][code] && !sip_code_is_named(code))
			continue;
		sb_printf(out, "%s\"%u\":%llu", sep, code,
			  (unsigned long long)s->resp_codes[SIP6XX_DIR_RX][code]);
		sep = ",";
	}
	sb_printf(out, "},\"global_failures\":[");
	rows = source_rows(ifc, &nr_rows, out);
	for (i = 0; i < nr_rows; i++) {
		source_text(&rows[i], addr, sizeof(addr));
		sb_printf(out, "%s{\"source\":\"%s\",", i ? "," : "", addr);
		if (rows[i].peer) {
			sb_printf(out, "\"peer\":");
			json_str(out, rows[i].peer);
			sb_printf(out, ",");
		}
		sb_printf(out, "\"code\":%u,\"count\":%llu}", rows[i].key.code,
			  (unsigned long long)rows[i].count);
	}
	free(rows);
	sb_printf(out, "],\"packets\":{");
	for (r = 0; r < PKT_RESULT_MAX; r++)
		sb_printf(out, "%s\"%s\":%llu", r ? "," : "", pkt_result_name(r),
			  (unsigned long long)s->pkt_stats[SIP6XX_DIR_RX][r]);
	sb_printf(out, "},\"peers_tracked\":%zu,\"peers_capacity\":%u", s->nr_peers,
		  s->peers_capacity);
	if (ifc->calls)
		json_calls(ifc, out);
	sb_printf(out, "}");
}

static void format_json(const struct metrics_input *in, struct strbuf *out)
{
	int i;

	sb_printf(out, "{\"version\":\"%s\",\"interfaces\":[", sip6xx_version);
	for (i = 0; i < in->nr_ifs; i++) {
		if (i)
			sb_printf(out, ",");
		json_iface(&in->ifs[i], out);
	}
	sb_printf(out, "]}\n");
}

int metrics_format(enum metrics_format fmt, const struct metrics_input *in, struct strbuf *out)
{
	if (fmt == METRICS_JSON)
		format_json(in, out);
	else
		format_prometheus(in, out);
	return out->failed ? -ENOMEM : 0;
}
