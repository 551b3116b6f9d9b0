// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_common.h"
#include "log.h"
#include "peers_memory.h"

#define MAX_PEERS_LIMIT (1U << 24)
#define DEFAULT_LISTEN	":10060"

#define CONTEXT_RATE_MAX 10000000 /* --context-rate: samples per second */

static const char usage_text[] =
	"Usage: sip6xx_exporter -i IFACE [-i IFACE ...] [OPTIONS]\n"
	"       sip6xx_exporter --detach -i IFACE [-i IFACE ...] --pin-path DIR\n"
	"       sip6xx_exporter --replay FILE|- [--format prometheus|json] [--port N ...]\n"
	"\n"
	"Counts SIP responses, and 6xx global failures per source, with XDP, and serves\n"
	"them as Prometheus metrics on /metrics.\n"
	"\n"
	"Options:\n"
	"  -i, --interface IFACE  attach to IFACE; repeat for more (at most 64)\n"
	"  -m, --mode MODE        auto, native or generic (default: auto: native through a\n"
	"                         bpf_link, generic with a warning where native fails)\n"
	"  -l, --listen ADDR:PORT serve HTTP here (default: :10060, every address;\n"
	"                         127.0.0.1:10060 keeps it local)\n"
	"      --web-config FILE  TLS, client certificates and basic auth (bcrypt) for\n"
	"                         HTTP, in Prometheus exporter-toolkit's web config format\n"
	"                         (default: none: plain HTTP, no auth)\n"
	"  -p, --port N           count only UDP with source or destination port N;\n"
	"                         repeat for up to 8 ports (default: every port)\n"
	"  -d, --direction DIR    ingress (XDP), egress (TC clsact) or both (default: ingress);\n"
	"                         egress sees the replies a local SBC sends\n"
	"      --pin-path DIR     pin maps and XDP links under DIR/IFACE (bpffs; usually\n"
	"                         /sys/fs/bpf/sip6xx): counting goes on while the exporter is\n"
	"                         down, and a restart continues the counters (default: none)\n"
	"      --detach           with -i and --pin-path: remove the pinned programs and maps\n"
	"      --max-peers N      capacity of the per-source 6xx map, per interface\n"
	"                         (default: 65536; 1..16777216); least recently used is evicted.\n"
	"                         It is allocated whole at load: 96 + 8 bytes per CPU per entry\n"
	"      --force-max-peers  allow a --max-peers above 1 GiB over all interfaces\n"
	"      --context-rate N   call context: at most N samples per second per interface\n"
	"                         (6xx responses, BYE, CANCEL) sent by the kernel to be\n"
	"                         decoded; what is over is counted as dropped (default:\n"
	"                         20000; 0: off, no sampling at all)\n"
	"      --top N            per interface, direction and code, export the N sources\n"
	"                         with the most 6xx since they entered the map, and sum the\n"
	"                         rest into source=\"other\" (default: 0: every source)\n"
	"      --peers FILE       name sources by prefix, one \"CIDR NAME\" a line (IPv4 or\n"
	"                         IPv6, # comments; the longest prefix wins), exported as\n"
	"                         the peer label; SIGHUP re-reads FILE (default: none)\n"
	"      --peers-unmatched WHAT  sources no prefix names: keep (peer=\"\") or other\n"
	"                         (summed into source=\"other\",peer=\"other\") (default: keep)\n"
	"      --replay FILE      run a pcap or pcapng file (- for stdin) through the XDP\n"
	"                         program with BPF_PROG_TEST_RUN, print the metrics and exit;\n"
	"                         --listen, --mode, --direction, --pin-path and the alert\n"
	"                         options have no meaning there and are refused\n"
	"      --format FMT       --replay output: prometheus or json (default: prometheus)\n"
	"      --log-level LEVEL  error, warn, info or debug (default: info); logs go to stderr\n"
	"      --log-format FMT   text or json (default: text)\n"
	"      --user NAME        once attached, run as NAME with only the capabilities\n"
	"                         still needed (default: nobody when started as root;\n"
	"                         root keeps uid 0 but still drops capabilities)\n"
	"  -h, --help             show this help and exit\n"
	"  -V, --version          show the version and exit\n"
	"\n"
	"Alerting (one JSON line on stdout per state change):\n"
	"      --alert-codes LIST    codes to watch for spikes, comma-separated, or none\n"
	"                            (default: 607,608)\n"
	"      --alert-interval DUR  sampling period (default: 100ms)\n"
	"      --alert-window DUR    short-rate window (default: 1s)\n"
	"      --alert-baseline DUR  EWMA time constant of the baseline (default: 5m)\n"
	"      --alert-min-rate N    fire only at N per second or more (default: 5)\n"
	"      --alert-factor N      ... and at N times the baseline or more (default: 4)\n"
	"      --alert-resolve DUR   resolve after the rate stays below half the firing\n"
	"                            threshold this long (default: 10s)\n"
	"      --alertmanager-url URL  also POST alerts to Alertmanager's v2 API at URL;\n"
	"                            repeat for each replica of a cluster (at most 4):\n"
	"                            each gets every alert, with its own retries\n"
	"      --alert-instance NAME   instance label of those alerts (default: HOSTNAME:PORT)\n"
	"  DUR is a number with ms, s, m or h (bare numbers are seconds).\n"
	"\n"
	"Exit status: 0 clean stop (SIGINT/SIGTERM detach), 1 runtime failure, 2 bad usage,\n"
	"3 --replay of a capture cut short: the complete records are counted and printed.\n";

enum long_only_opts {
	OPT_MAX_PEERS = 0x100,
	OPT_FORCE_MAX_PEERS,
	OPT_TOP,
	OPT_PEERS,
	OPT_PEERS_UNMATCHED,
	OPT_REPLAY,
	OPT_FORMAT,
	OPT_LOG_LEVEL,
	OPT_LOG_FORMAT,
	OPT_WEB_CONFIG,
	OPT_PIN_PATH,
	OPT_DETACH,
	OPT_ALERT_CODES,
	OPT_ALERT_INTERVAL,
	OPT_ALERT_WINDOW,
	OPT_ALERT_BASELINE,
	OPT_ALERT_MIN_RATE,
	OPT_ALERT_FACTOR,
	OPT_ALERT_RESOLVE,
	OPT_AM_URL,
	OPT_ALERT_INSTANCE,
	OPT_USER,
	OPT_CONTEXT_RATE, /* context */
};

static const struct option long_opts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "mode", required_argument, NULL, 'm' },
	{ "listen", required_argument, NULL, 'l' },
	{ "web-config", required_argument, NULL, OPT_WEB_CONFIG },
	{ "port", required_argument, NULL, 'p' },
	{ "max-peers", required_argument, NULL, OPT_MAX_PEERS },
	{ "force-max-peers", no_argument, NULL, OPT_FORCE_MAX_PEERS },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "peers", required_argument, NULL, OPT_PEERS },
	{ "peers-unmatched", required_argument, NULL, OPT_PEERS_UNMATCHED },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "direction", required_argument, NULL, 'd' },
	{ "pin-path", required_argument, NULL, OPT_PIN_PATH },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "alert-codes", required_argument, NULL, OPT_ALERT_CODES },
	{ "alert-interval", required_argument, NULL, OPT_ALERT_INTERVAL },
	{ "alert-window", required_argument, NULL, OPT_ALERT_WINDOW },
	{ "alert-baseline", required_argument, NULL, OPT_ALERT_BASELINE },
	{ "alert-min-rate", required_argument, NULL, OPT_ALERT_MIN_RATE },
	{ "alert-factor", required_argument, NULL, OPT_ALERT_FACTOR },
	{ "alert-resolve", required_argument, NULL, OPT_ALERT_RESOLVE },
	{ "alertmanager-url", required_argument, NULL, OPT_AM_URL },
	{ "alert-instance", required_argument, NULL, OPT_ALERT_INSTANCE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "context-rate", required_argument, NULL, OPT_CONTEXT_RATE }, /* context */
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli_usage usage = {
	.prog = "sip6xx_exporter",
	.text = usage_text,
	.prefix = "sip6xx_exporter: error: ",
	.suffix = " (see --help)",
};

#define usage_error(...) log_exit(EXIT_USAGE, usage.prefix, usage.suffix, __VA_ARGS__)

/* Strict unsigned parse: digits only, within [min, max]. */
static bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out >= min && *out <= max;
}

/* "100ms", "1.5s", "5m", "1h"; a bare number is seconds. */
static __u64 parse_duration_ms(const char *opt, const char *val)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "", 1000 } };
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(val, &end);
	if (!errno && end != val && v >= 0) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].unit) && v * units[i].ms <= 86400000.0)
				return (__u64)(v * units[i].ms + 0.5);
	}
	usage_error("%s '%s' is not a duration such as 100ms, 1s, 5m (at most 24h)", opt, val);
}

static double parse_positive(const char *opt, const char *val)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (errno || end == val || *end || !(v > 0) || v > 1e9)
		usage_error("%s '%s' is not a positive number", opt, val);
	return v;
}

static void parse_alert_codes(struct alerting_opts *a, const char *val)
{
	char buf[256], *tok, *save = NULL;
	unsigned long code;
	int i;

	a->nr_codes = 0;
	if (!strcmp(val, "none"))
		return;
	snprintf(buf, sizeof(buf), "%s", val);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!parse_uint(tok, SIP_CODE_MIN, SIP_CODE_MAX, &code))
			usage_error("--alert-codes '%s': '%s' is not a status code 100..699", val,
				    tok);
		for (i = 0; i < a->nr_codes; i++)
			if (a->codes[i] == code)
				usage_error("--alert-codes '%s': %lu is listed twice", val, code);
		if (a->nr_codes == ALERT_MAX_CODES)
			usage_error("--alert-codes '%s': at most %d codes", val, ALERT_MAX_CODES);
		a->codes[a->nr_codes++] = code;
	}
	if (!a->nr_codes)
		usage_error("--alert-codes '%s': give codes such as 607,608, or none", val);
}

static int pick(const char *opt, const char *val, const char *const *names, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(val, names[i]))
			return i;
	usage_error("%s '%s' is not one of the accepted values", opt, val);
}

static void add_interface(struct options *o, const char *name)
{
	int i;

	/* "-i --top 5": getopt took the next option as the name. */
	if (name[0] == '-')
		usage_error("-i needs an interface name, not the option '%s' (-i IFACE %s ...)",
			    name, name);
	if (!*name || strlen(name) >= IF_NAMESIZE)
		usage_error("-i '%s' is not a valid interface name", name);
	for (i = 0; i < o->nr_ifaces; i++)
		if (!strcmp(o->ifnames[i], name))
			usage_error("-i %s is given twice", name);
	if (o->nr_ifaces == MAX_IFACES)
		usage_error("-i %s: at most %d interfaces", name, MAX_IFACES);
	o->ifnames[o->nr_ifaces++] = name;
}

static void add_port(struct options *o, const char *val)
{
	unsigned long port;
	int i;

	if (!parse_uint(val, 1, 65535, &port))
		usage_error("--port '%s' is not a port number (1..65535)", val);
	for (i = 0; i < o->lopts.nr_ports; i++)
		if (o->lopts.ports[i] == port)
			usage_error("--port %lu is given twice", port);
	if (o->lopts.nr_ports == SIP6XX_MAX_PORTS)
		usage_error("--port %s: at most %d ports", val, SIP6XX_MAX_PORTS);
	o->lopts.ports[o->lopts.nr_ports++] = port;
}

static void add_am_url(struct alerting_opts *a, const char *url)
{
	int i;

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		usage_error("--alertmanager-url '%s' is not an http:// or https:// URL", url);
	for (i = 0; i < a->nr_am_urls; i++)
		if (!strcmp(a->am_urls[i], url))
			usage_error("--alertmanager-url %s is given twice", url);
	if (a->nr_am_urls == ALERTING_MAX_AM_URLS)
		usage_error("--alertmanager-url %s: at most %d URLs", url, ALERTING_MAX_AM_URLS);
	a->am_urls[a->nr_am_urls++] = url;
}

/*
 * The peers map is allocated whole at load, per interface: say what
 * --max-peers costs, and refuse more than PEERS_MEMORY_LIMIT unless forced.
 */
static void check_peers_memory(const struct options *o, bool force)
{
	int cpus = libbpf_num_possible_cpus(), maps = o->replay || !o->nr_ifaces ? 1 : o->nr_ifaces;
	__u64 one, all;

	if (cpus < 1) /* unknown: the estimate is for one CPU */
		cpus = 1;
	one = peers_map_bytes(o->lopts.max_peers, cpus);
	all = one * maps;
	if (all > PEERS_MEMORY_LIMIT && !force)
		usage_error("--max-peers %u takes about %.1f MiB of kernel memory per interface "
			    "(%.1f MiB for %d), more than the %llu MiB limit: give a smaller "
			    "--max-peers, or add --force-max-peers if the memory is there",
			    o->lopts.max_peers, one / 1048576.0, all / 1048576.0, maps,
			    PEERS_MEMORY_LIMIT >> 20);
	pr_info("--max-peers %u: the peers map takes about %.1f MiB (%llu bytes) of kernel "
		"memory per interface on %d CPUs, allocated at load\n",
		o->lopts.max_peers, one / 1048576.0, (unsigned long long)one, cpus);
}

void cli_parse(int argc, char **argv, struct options *o)
{
	static const char *const modes[] = { "auto", "native", "generic" };
	static const char *const formats[] = { "prometheus", "json" };
	static const char *const levels[] = { "error", "warn", "info", "debug" };
	static const char *const log_formats[] = { "text", "json" };
	static const char *const unmatched[] = { "keep", "other" };
	bool unmatched_given = false, max_peers_given = false, force_max_peers = false;
	const char *live_only = NULL; /* an option --replay has no use for */
	/* Index + 1 is the DIR_BIT() mask: ingress 1, egress 2, both 3. */
	static const char *const directions[] = { "ingress", "egress", "both" };
	unsigned long n;
	int c;

	memset(o, 0, sizeof(*o));
	o->listen = DEFAULT_LISTEN;
	o->lopts.max_peers = PEERS_DEFAULT_MAX;
	o->lopts.dirs = DIR_BIT(SIP6XX_DIR_RX);
	o->lopts.context_rate = SIP6XX_CTX_RATE_DEFAULT;
	o->alert.params = (struct alert_params)ALERT_PARAMS_DEFAULT;
	parse_alert_codes(&o->alert, "607,608");
	opterr = 0; /* our own one-line messages instead of getopt's */
	while ((c = getopt_long(argc, argv, ":i:m:l:p:d:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			add_interface(o, optarg);
			break;
		case 'm':
			live_only = "--mode";
			o->mode = pick("--mode", optarg, modes, 3);
			break;
		case 'l':
			live_only = "--listen";
			o->listen = optarg;
			break;
		case OPT_WEB_CONFIG:
			if (!*optarg)
				usage_error("--web-config needs a file name");
			o->web_config = optarg;
			break;
		case 'p':
			add_port(o, optarg);
			break;
		case OPT_MAX_PEERS:
			if (!parse_uint(optarg, 1, MAX_PEERS_LIMIT, &n))
				usage_error("--max-peers '%s' is not a number in 1..%u", optarg,
					    MAX_PEERS_LIMIT);
			o->lopts.max_peers = n;
			max_peers_given = true;
			break;
		case OPT_FORCE_MAX_PEERS:
			force_max_peers = true;
			break;
		case OPT_TOP:
			if (!parse_uint(optarg, 0, MAX_PEERS_LIMIT, &n))
				usage_error("--top '%s' is not a number in 0..%u", optarg,
					    MAX_PEERS_LIMIT);
			o->fold.top = n;
			break;
		case OPT_PEERS:
			if (!*optarg)
				usage_error("--peers needs a file name");
			o->fold.peers_file = optarg;
			break;
		case OPT_PEERS_UNMATCHED:
			o->fold.unmatched_other = pick("--peers-unmatched", optarg, unmatched, 2);
			unmatched_given = true;
			break;
		case OPT_REPLAY:
			o->replay = optarg;
			break;
		case OPT_FORMAT:
			o->format = pick("--format", optarg, formats, 2);
			o->format_given = true;
			break;
		case OPT_LOG_LEVEL:
			log_set_level(pick("--log-level", optarg, levels, 4));
			break;
		case OPT_LOG_FORMAT:
			log_set_json(pick("--log-format", optarg, log_formats, 2));
			break;
		case 'd':
			live_only = "--direction";
			o->lopts.dirs = pick("--direction", optarg, directions, 3) + 1;
			break;
		case OPT_PIN_PATH:
			live_only = "--pin-path";
			if (optarg[0] != '/')
				usage_error("--pin-path '%s' must be an absolute path", optarg);
			o->lopts.pin_path = optarg;
			break;
		case OPT_DETACH:
			o->detach = true;
			break;
		case OPT_ALERT_CODES:
			live_only = "--alert-codes";
			parse_alert_codes(&o->alert, optarg);
			break;
		case OPT_ALERT_INTERVAL:
			live_only = "--alert-interval";
			o->alert.params.interval_ms = parse_duration_ms("--alert-interval", optarg);
			break;
		case OPT_ALERT_WINDOW:
			live_only = "--alert-window";
			o->alert.params.window_ms = parse_duration_ms("--alert-window", optarg);
			break;
		case OPT_ALERT_BASELINE:
			live_only = "--alert-baseline";
			o->alert.params.baseline_ms = parse_duration_ms("--alert-baseline", optarg);
			break;
		case OPT_ALERT_RESOLVE:
			live_only = "--alert-resolve";
			o->alert.params.resolve_ms = parse_duration_ms("--alert-resolve", optarg);
			break;
		case OPT_ALERT_MIN_RATE:
			live_only = "--alert-min-rate";
			o->alert.params.min_rate = parse_positive("--alert-min-rate", optarg);
			break;
		case OPT_ALERT_FACTOR:
			live_only = "--alert-factor";
			o->alert.params.factor = parse_positive("--alert-factor", optarg);
			break;
		case OPT_AM_URL:
			live_only = "--alertmanager-url";
			add_am_url(&o->alert, optarg);
			break;
		case OPT_ALERT_INSTANCE:
			live_only = "--alert-instance";
			o->alert.instance = optarg;
			break;
		case OPT_CONTEXT_RATE: /* context */
			live_only = "--context-rate";
			if (!parse_uint(optarg, 0, CONTEXT_RATE_MAX, &n))
				usage_error("--context-rate '%s' is not a number in 0..%u", optarg,
					    CONTEXT_RATE_MAX);
			o->lopts.context_rate = n;
			break;
		case OPT_USER:
			if (!*optarg)
				usage_error("--user needs a user name");
			o->user = optarg;
			break;
		default: /* -h, -V, a missing value, an unknown option */
			cli_common_option(&usage, c, argv);
		}
	}
	cli_no_arguments(&usage, argc, argv);
	if (o->replay)
		o->lopts.context_rate = 0; /* replay decodes every frame itself: nothing sampled */
	if (o->detach && (!o->nr_ifaces || !o->lopts.pin_path || o->replay))
		usage_error("--detach needs -i IFACE and the --pin-path the exporter ran with");
	if (o->replay && o->nr_ifaces)
		usage_error("--replay reads a file; it takes no -i");
	if (o->replay && live_only)
		usage_error("%s has no meaning with --replay, which serves no HTTP, attaches and "
			    "pins nothing and raises no alerts: leave it out",
			    live_only);
	if (unmatched_given && !o->fold.peers_file)
		usage_error("--peers-unmatched applies to --peers FILE");
	if (o->web_config && (o->replay || o->detach))
		usage_error("--web-config is for the HTTP server; --replay and --detach run none");
	if (o->user && (o->replay || o->detach))
		usage_error("--user applies to the running exporter, not to --replay or --detach");
	if (o->format_given && !o->replay)
		usage_error(
			"--format applies to --replay only; /metrics is always Prometheus text");
	if (!o->replay && !o->nr_ifaces)
		usage_error("no interface given: use -i IFACE (or --replay FILE)");
	if (!o->replay && http_parse_listen(o->listen, &o->listen_addr))
		usage_error("--listen '%s' is not ADDR:PORT, [IPV6]:PORT or :PORT", o->listen);
	if (alert_params_check(&o->alert.params))
		usage_error("%s", alert_params_check(&o->alert.params));
	if (force_max_peers && !max_peers_given)
		usage_error("--force-max-peers goes with --max-peers N");
	if (max_peers_given && !o->detach)
		check_peers_memory(o, force_max_peers);
}
