// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "log.h"
#include "top_cli.h"
#include "top_url.h"

static const char usage_text[] =
	"Usage: sip6xx-top [--pin-path DIR] [-i IFACE ...] [-d SECONDS] [--ascii]\n"
	"       sip6xx-top --url URL [--cacert FILE] [-i IFACE ...] [-d SECONDS] [--ascii]\n"
	"\n"
	"A live terminal view of sip6xx: the rate of each named 6xx code, all responses\n"
	"and the 6xx ratio, a sparkline of 607/608, and the top sources by 6xx rate.\n"
	"It reads the maps a running sip6xx_exporter pinned (--pin-path), or scrapes\n"
	"the exporter's /metrics (--url).\n"
	"\n"
	"Options:\n"
	"      --pin-path DIR     read the maps the exporter pinned with --pin-path DIR, under\n"
	"                         DIR/IFACE (needs root; default: " TOP_DEFAULT_PIN_PATH ")\n"
	"  -i, --interface IFACE  only IFACE; repeat for more (default: every interface\n"
	"                         pinned under DIR, or in the scrape)\n"
	"  -u, --url URL          scrape the exporter's metrics at URL instead, e.g.\n"
	"                         http://127.0.0.1:10060/metrics (default: none: pinned maps);\n"
	"                         https://USER:PASSWORD@HOST:10060 for basic auth, which\n"
	"                         sip6xx-top never prints\n"
	"      --cacert FILE      trust the CA certificates (PEM) in FILE for an https --url,\n"
	"                         e.g. the CA that signed the exporter's certificate\n"
	"                         (default: the system's CA store)\n"
	"  -d, --delay SECONDS    refresh period (default: 1; 0.1..60)\n"
	"  -a, --ascii            ASCII sparklines (default: Unicode blocks in a UTF-8 locale)\n"
	"  -h, --help             show this help and exit\n"
	"  -V, --version          show the version and exit\n"
	"\n"
	"Keys: 1-6 sort the sources by 600 603 604 606 607 608, t (or 0) by all 6xx,\n"
	"left/right step through the columns, a toggles ASCII, q quits.\n"
	"\n"
	"Alert state: from the exporter's sip6xx_alert_firing with --url; from pinned\n"
	"maps, a local detector over 607/608 with the exporter's default settings\n"
	"(1s window against a 5m baseline, at least 5/s and 4x the baseline).\n"
	"\n"
	"Exit status: 0 after q, 1 runtime failure (no pinned maps and no --url, the\n"
	"URL does not answer, no terminal), 2 bad usage.\n";

enum { OPT_PIN_PATH = 256, OPT_CACERT };

static const struct option long_opts[] = {
	{ "pin-path", required_argument, NULL, OPT_PIN_PATH },
	{ "interface", required_argument, NULL, 'i' },
	{ "url", required_argument, NULL, 'u' },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "delay", required_argument, NULL, 'd' },
	{ "ascii", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_usage usage = {
	.prog = "sip6xx-top",
	.text = usage_text,
	.prefix = "sip6xx-top: ",
	.suffix = " (see sip6xx-top --help)",
};

#define usage_error(...) log_exit(EXIT_USAGE, usage.prefix, usage.suffix, __VA_ARGS__)

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

void top_cli_parse(int argc, char **argv, struct top_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	log_set_prog("sip6xx-top");
	o->pin_path = TOP_DEFAULT_PIN_PATH;
	o->interval = 1;
	opterr = 0; /* our own one-line messages instead of getopt's */
	while ((c = getopt_long(argc, argv, ":i:u:d:ahV", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_PIN_PATH:
			if (!*optarg)
				usage_error("--pin-path: empty directory");
			o->pin_path = optarg;
			break;
		case 'i':
			if (!*optarg || strchr(optarg, '/') || strlen(optarg) >= TOP_IFNAME_LEN)
				usage_error("-i '%s': not an interface name", optarg);
			if (o->nr_ifnames == TOP_MAX_IFACES)
				usage_error("-i: at most %d interfaces", TOP_MAX_IFACES);
			o->ifnames[o->nr_ifnames++] = optarg;
			break;
		case 'u':
			free(o->url);
			o->url = metrics_url(optarg, o->shown_url, sizeof(o->shown_url));
			break;
		case OPT_CACERT:
			if (!*optarg)
				usage_error("--cacert: empty file name");
			o->cacert = optarg;
			break;
		case 'd':
			o->interval = parse_seconds(optarg);
			break;
		case 'a':
			o->ascii = true;
			break;
		default: /* -h, -V, a missing value, an unknown option */
			cli_common_option(&usage, c, argv);
		}
	}
	cli_no_arguments(&usage, argc, argv);
	if (o->cacert && !o->url)
		usage_error("--cacert %s: only with --url https://...", o->cacert);
}
