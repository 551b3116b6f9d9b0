// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "log.h"
#include "top_cli.h"
#include "top_url.h"

static const struct cli_program program;

#define usage_error(...) cli_usage_error(&program, __VA_ARGS__)

static char *metrics_url(const char *url, char *shown, size_t shown_len)
{
	const char *host = strstr(url, "://");
	char *out;

	top_url_redact(url, shown, shown_len);
	if (!host || host == url || !host[3])
		usage_error("--url '%s': not a URL (http://HOST:PORT/metrics)", shown);
	if (strchr(host + 3, '/'))
		out = strdup(url);
	else if (asprintf(&out, "%s/metrics", url) < 0)
		out = NULL;
	if (!out) {
		fprintf(stderr, "sip6xx-top: out of memory\n");
		exit(1);
	}
	top_url_redact(out, shown, shown_len);
	return out;
}

static double parse_seconds(const char *val)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(val, &end);
	if (errno || end == val || *end || !isfinite(d) || d < 0.1 || d > 60)
		usage_error("--delay '%s': expected seconds, 0.1..60", val);
	return d;
}

/* Each option's handler: @ctx is the struct top_opts, @v its value. */
static void set_pin_path(void *ctx, const char *v)
{
	if (!*v)
		usage_error("--pin-path: empty directory");
	((struct top_opts *)ctx)->pin_path = v;
}

static void set_interface(void *ctx, const char *v)
{
	struct top_opts *o = ctx;

	if (!*v || strchr(v, '/') || strlen(v) >= TOP_IFNAME_LEN)
		usage_error("-i '%s': not an interface name", v);
	if (o->nr_ifnames == TOP_MAX_IFACES)
		usage_error("-i: at most %d interfaces", TOP_MAX_IFACES);
	o->ifnames[o->nr_ifnames++] = v;
}

static void set_url(void *ctx, const char *v)
{
	struct top_opts *o = ctx;

	free(o->url);
	o->url = metrics_url(v, o->shown_url, sizeof(o->shown_url));
}

static void set_cacert(void *ctx, const char *v)
{
	if (!*v)
		usage_error("--cacert: empty file name");
	((struct top_opts *)ctx)->cacert = v;
}

static void set_delay(void *ctx, const char *v)
{
	((struct top_opts *)ctx)->interval = parse_seconds(v);
}

static void set_ascii(void *ctx, const char *v)
{
	((struct top_opts *)ctx)->ascii = true;
}

static const struct cli_option options[] = {
	CLI_OPT("pin-path", 0, "DIR", set_pin_path,
		"read the maps the exporter pinned with --pin-path DIR, under DIR/IFACE; needs "
		"root",
		TOP_DEFAULT_PIN_PATH),
	CLI_OPT("interface", 'i', "IFACE", set_interface, "only IFACE; repeat for more",
		"every interface pinned under DIR, or in the scrape"),
	CLI_OPT("url", 'u', "URL", set_url,
		"scrape the exporter's metrics at URL instead, e.g. "
		"http://127.0.0.1:10060/metrics; https://USER:PASSWORD@HOST:10060 for basic "
		"auth, which sip6xx-top never prints",
		"none: pinned maps"),
	CLI_OPT("cacert", 0, "FILE", set_cacert,
		"trust the CA certificates (PEM) in FILE for an https --url, e.g. the CA that "
		"signed the exporter's certificate",
		"the system's CA store"),
	CLI_OPT("delay", 'd', "SECONDS", set_delay, "refresh period", "1; 0.1..60"),
	CLI_OPT("ascii", 'a', NULL, set_ascii, "ASCII sparklines",
		"Unicode blocks in a UTF-8 locale"),
	CLI_OPTION_HELP,
	CLI_OPTION_VERSION,
	{},
};

static const struct cli_program program = {
	.prog = "sip6xx-top",
	.usage = "Usage: sip6xx-top [--pin-path DIR] [-i IFACE ...] [-d SECONDS] [--ascii]\n"
		 "       sip6xx-top --url URL [--cacert FILE] [-i IFACE ...] [-d SECONDS] "
		 "[--ascii]\n"
		 "\n"
		 "A live terminal view of sip6xx: the rate of each named 6xx code, all responses\n"
		 "and the 6xx ratio, a sparkline of 607/608, and the top sources by 6xx rate.\n"
		 "It reads the maps a running sip6xx_exporter pinned (--pin-path), or scrapes\n"
		 "the exporter's /metrics (--url). A scrape also gives, beside the packets, the\n"
		 "call context: rejections (once per transaction) and retransmissions by code,\n"
		 "and the top callers and intermediaries when the exporter runs with --callers\n"
		 "and --intermediaries; without it (pinned maps, --context-rate 0) those show\n"
		 "'-' and a line says why. RETX% reads ~ (approximate, biased low) when the\n"
		 "exporter dropped samples undecoded (rate, buffer_full).\n"
		 "\n"
		 "Options:\n",
	.epilog = "\n"
		  "Keys: 1-6 sort the sources by 600 603 604 606 607 608, t (or 0) by all 6xx,\n"
		  "left/right step through the columns, a toggles ASCII, q quits.\n"
		  "\n"
		  "Alert state: from the exporter's sip6xx_alert_firing with --url; from pinned\n"
		  "maps, a local detector over 607/608 with the exporter's default settings\n"
		  "(1s window against a 5m baseline, at least 5/s and 4x the baseline).\n"
		  "\n"
		  "Exit status: 0 after q, 1 runtime failure (no pinned maps and no --url, the\n"
		  "URL does not answer, no terminal), 2 bad usage.\n",
	.options = options,
	.prefix = "sip6xx-top: ",
	.suffix = " (see sip6xx-top --help)",
};

void top_cli_parse(int argc, char **argv, struct top_opts *o)
{
	memset(o, 0, sizeof(*o));
	log_set_prog("sip6xx-top");
	o->pin_path = TOP_DEFAULT_PIN_PATH;
	o->interval = 1;
	cli_parse_options(&program, argc, argv, o);
	if (o->cacert && !o->url)
		usage_error("--cacert %s: only with --url https://...", o->cacert);
}
