// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_options.h"
#include "log.h"
#include "peers_memory.h"
#include "calls/top_table.h"
#include "calls/txn_table.h"

#define MAX_PEERS_LIMIT	 (1U << 24)
#define DEFAULT_LISTEN	 ":10060"
#define CONTEXT_RATE_MAX 10000000 /* --context-rate: samples per second */

/* What cli_parse() learns on the way, for the checks across options at the end. */
struct cli_state {
	struct options *o;
	const char *live_only; /* an option --replay has no use for */
	bool unmatched_given, max_peers_given, force_max_peers;
};

static const struct cli_program program;

#define usage_error(...) cli_usage_error(&program, __VA_ARGS__)

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
/* The value of numeric option @opt, within [min, max], or a usage error naming both. */
static unsigned long number_opt(const char *opt, const char *v, unsigned long min,
				unsigned long max)
{
	unsigned long n;

	if (!parse_uint(v, min, max, &n))
		usage_error("%s '%s' is not a number in %lu..%lu", opt, v, min, max);
	return n;
}

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

/* --alert-on rejections counts what the call context decodes, and it decodes only 6xx. */
static void check_alert_on_rejections(const struct options *o)
{
	int i;

	if (!o->lopts.context_rate)
		usage_error("--alert-on rejections counts what the call context decodes: it needs "
			    "--context-rate above 0");
	if (!o->alert.nr_codes)
		usage_error("--alert-on rejections with --alert-codes none raises no alert");
	for (i = 0; i < o->alert.nr_codes; i++)
		if (o->alert.codes[i] < CALLS_CODE_MIN ||
		    o->alert.codes[i] >= CALLS_CODE_MIN + CALLS_NR_CODES)
			usage_error(
				"--alert-on rejections counts 6xx rejections only: --alert-codes "
				"%u is no 6xx code",
				o->alert.codes[i]);
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

static const char *const modes[] = { "auto", "native", "generic" };
static const char *const formats[] = { "prometheus", "json" };
static const char *const levels[] = { "error", "warn", "info", "debug" };
static const char *const log_formats[] = { "text", "json" };
static const char *const unmatched[] = { "keep", "other" };
/* In enum alert_on's order. */
static const char *const alert_ons[] = { "packets", "rejections" };
/* Index + 1 is the DIR_BIT() mask: ingress 1, egress 2, both 3. */
static const char *const directions[] = { "ingress", "egress", "both" };

#define NAMES(a) (a), (int)(sizeof(a) / sizeof((a)[0]))

/* Each option's handler: @ctx is the struct cli_state, @v its value. */
static struct options *opts(void *ctx)
{
	return ((struct cli_state *)ctx)->o;
}

static void set_interface(void *ctx, const char *v)
{
	add_interface(opts(ctx), v);
}

static void set_mode(void *ctx, const char *v)
{
	opts(ctx)->mode = pick("--mode", v, NAMES(modes));
}

static void set_listen(void *ctx, const char *v)
{
	opts(ctx)->listen = v;
}

static void set_web_config(void *ctx, const char *v)
{
	if (!*v)
		usage_error("--web-config needs a file name");
	opts(ctx)->web_config = v;
}

static void set_port(void *ctx, const char *v)
{
	add_port(opts(ctx), v);
}

static void set_direction(void *ctx, const char *v)
{
	opts(ctx)->lopts.dirs = pick("--direction", v, NAMES(directions)) + 1;
}

static void set_pin_path(void *ctx, const char *v)
{
	if (v[0] != '/')
		usage_error("--pin-path '%s' must be an absolute path", v);
	opts(ctx)->lopts.pin_path = v;
}

static void set_detach(void *ctx, const char *v)
{
	opts(ctx)->detach = true;
}

static void set_max_peers(void *ctx, const char *v)
{
	opts(ctx)->lopts.max_peers = number_opt("--max-peers", v, 1, MAX_PEERS_LIMIT);
	((struct cli_state *)ctx)->max_peers_given = true;
}

static void set_force_max_peers(void *ctx, const char *v)
{
	((struct cli_state *)ctx)->force_max_peers = true;
}

static void set_context_rate(void *ctx, const char *v)
{
	opts(ctx)->lopts.context_rate = number_opt("--context-rate", v, 0, CONTEXT_RATE_MAX);
}

static void set_transactions(void *ctx, const char *v)
{
	opts(ctx)->calls.transactions = number_opt("--transactions", v, 1, TXN_MAX_CAPACITY);
}

static void set_callers(void *ctx, const char *v)
{
	opts(ctx)->calls.callers = number_opt("--callers", v, 0, TOP_MAX_N);
}

static void set_intermediaries(void *ctx, const char *v)
{
	opts(ctx)->calls.intermediaries = number_opt("--intermediaries", v, 0, TOP_MAX_N);
}

static void set_callers_window(void *ctx, const char *v)
{
	__u64 ms = parse_duration_ms("--callers-window", v);

	if (ms < 1000)
		usage_error("--callers-window '%s' is shorter than 1s", v);
	opts(ctx)->calls.window_ms = ms;
}

static void set_callers_hash(void *ctx, const char *v)
{
	if (!*v)
		usage_error("--callers-hash needs a key file");
	opts(ctx)->callers_hash_file = v;
}

/* --callers-hash's key: a regular file of 16..1024 bytes that only its owner (and group) read. */
static void read_callers_key(struct options *o)
{
	const char *f = o->callers_hash_file;
	struct stat sb;
	ssize_t n;
	int fd;

	fd = open(f, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		usage_error("--callers-hash '%s': %s", f, strerror(errno));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		usage_error("--callers-hash '%s' is not a regular file", f);
	}
	if (sb.st_mode & S_IROTH) {
		close(fd);
		usage_error("--callers-hash '%s' is readable by everyone: whoever reads the key "
			    "can test guessed numbers against the hashes (chmod o-r it)",
			    f);
	}
	n = read(fd, o->callers_key, sizeof(o->callers_key));
	close(fd);
	if (n < 0)
		usage_error("--callers-hash '%s': %s", f, strerror(errno));
	if (n < CALLERS_KEY_MIN || sb.st_size > CALLERS_KEY_MAX)
		usage_error("--callers-hash '%s' holds %lld bytes: the key must be %d..%d bytes "
			    "(e.g. head -c 32 /dev/urandom)",
			    f, (long long)sb.st_size, CALLERS_KEY_MIN, CALLERS_KEY_MAX);
	o->calls.hash_key = o->callers_key;
	o->calls.hash_key_len = n;
}

static void set_top(void *ctx, const char *v)
{
	opts(ctx)->fold.top = number_opt("--top", v, 0, MAX_PEERS_LIMIT);
}

static void set_peers(void *ctx, const char *v)
{
	if (!*v)
		usage_error("--peers needs a file name");
	opts(ctx)->fold.peers_file = v;
}

static void set_peers_unmatched(void *ctx, const char *v)
{
	opts(ctx)->fold.unmatched_other = pick("--peers-unmatched", v, NAMES(unmatched));
	((struct cli_state *)ctx)->unmatched_given = true;
}

static void set_replay(void *ctx, const char *v)
{
	opts(ctx)->replay = v;
}

static void set_format(void *ctx, const char *v)
{
	opts(ctx)->format = pick("--format", v, NAMES(formats));
	opts(ctx)->format_given = true;
}

static void set_log_level(void *ctx, const char *v)
{
	log_set_level(pick("--log-level", v, NAMES(levels)));
}

static void set_log_format(void *ctx, const char *v)
{
	log_set_json(pick("--log-format", v, NAMES(log_formats)));
}

static void set_user(void *ctx, const char *v)
{
	if (!*v)
		usage_error("--user needs a user name");
	opts(ctx)->user = v;
}

static void set_alert_codes(void *ctx, const char *v)
{
	parse_alert_codes(&opts(ctx)->alert, v);
}

/* --alert-NAME DUR into alert.params.NAME_ms. */
#define SET_ALERT_DURATION(name)                                                                   \
	static void set_alert_##name(void *ctx, const char *v)                                     \
	{                                                                                          \
		opts(ctx)->alert.params.name##_ms = parse_duration_ms("--alert-" #name, v);        \
	}
SET_ALERT_DURATION(interval)
SET_ALERT_DURATION(window)
SET_ALERT_DURATION(baseline)
SET_ALERT_DURATION(resolve)

static void set_alert_min_rate(void *ctx, const char *v)
{
	opts(ctx)->alert.params.min_rate = parse_positive("--alert-min-rate", v);
}

static void set_alert_factor(void *ctx, const char *v)
{
	opts(ctx)->alert.params.factor = parse_positive("--alert-factor", v);
}

static void set_alert_on(void *ctx, const char *v)
{
	opts(ctx)->alert.on = pick("--alert-on", v, NAMES(alert_ons));
}

static void set_alert_callers(void *ctx, const char *v)
{
	opts(ctx)->alert.name_callers = true;
}

static void set_am_url(void *ctx, const char *v)
{
	add_am_url(&opts(ctx)->alert, v);
}

static void set_alert_instance(void *ctx, const char *v)
{
	opts(ctx)->alert.instance = v;
}

/* Options that only a running exporter uses: --replay refuses them. */
#define LIVE_ONLY 1
#define LIVE_OPT(name, letter, value, set, help, def)                                              \
	{                                                                                          \
		name, letter, value, set, help, def, CLI_CALL, LIVE_ONLY                           \
	}

static const struct cli_option options[] = {
	CLI_OPT("interface", 'i', "IFACE", set_interface,
		"attach to IFACE; repeat for more (at most 64)", NULL),
	LIVE_OPT("mode", 'm', "MODE", set_mode, "auto, native or generic",
		 "auto: native through a bpf_link, generic with a warning where native fails"),
	LIVE_OPT("listen", 'l', "ADDR:PORT", set_listen, "serve HTTP here",
		 DEFAULT_LISTEN ", every address; 127.0.0.1:10060 keeps it local"),
	CLI_OPT("web-config", 0, "FILE", set_web_config,
		"TLS, client certificates and basic auth (bcrypt) for HTTP, in Prometheus "
		"exporter-toolkit's web config format",
		"none: plain HTTP, no auth"),
	CLI_OPT("port", 'p', "N", set_port,
		"count only UDP with source or destination port N; repeat for up to 8 ports",
		"every port"),
	LIVE_OPT("direction", 'd', "DIR", set_direction,
		 "ingress (XDP), egress (TC clsact) or both; egress sees the replies a local SBC "
		 "sends",
		 "ingress"),
	LIVE_OPT("pin-path", 0, "DIR", set_pin_path,
		 "pin maps and XDP links under DIR/IFACE (bpffs; usually /sys/fs/bpf/sip6xx): "
		 "counting goes on while the exporter is down, and a restart continues the "
		 "counters",
		 "none"),
	CLI_OPT("detach", 0, NULL, set_detach,
		"with -i and --pin-path: remove the pinned programs and maps", NULL),
	CLI_OPT("max-peers", 0, "N", set_max_peers,
		"capacity of the per-source 6xx map, per interface; least recently used is "
		"evicted. It is allocated whole at load: 96 + 8 bytes per CPU per entry",
		"65536; 1..16777216"),
	CLI_OPT("force-max-peers", 0, NULL, set_force_max_peers,
		"allow a --max-peers above 1 GiB over all interfaces", NULL),
	LIVE_OPT("context-rate", 0, "N", set_context_rate,
		 "call context: at most N samples per second per interface (6xx responses, "
		 "BYE, CANCEL) sent by the kernel to be decoded; what is over is counted as "
		 "dropped",
		 "20000; 0: off, no sampling at all"),
	CLI_OPT("transactions", 0, "N", set_transactions,
		"call context: capacity of the transaction table (and of the calls already "
		"counted), per interface; least recently seen is evicted and counted",
		"262144; 1..16777216"),
	CLI_OPT("callers", 0, "N", set_callers,
		"export the N callers (P-Asserted-Identity else From, phone numbers as E.164) "
		"with the most 6xx rejections in the window as sip6xx_caller_rejections, the "
		"rest as caller=\"other\". Personal data: see --callers-hash",
		"0: off; 0..1000"),
	LIVE_OPT("callers-window", 0, "DUR", set_callers_window,
		 "the sliding window of --callers and --intermediaries (--replay: the whole "
		 "capture)",
		 "5m; 1s..24h"),
	CLI_OPT("callers-hash", 0, "KEYFILE", set_callers_hash,
		"with --callers: export HMAC-SHA-256 of each caller under KEYFILE's bytes (16 to "
		"1024, not readable by others), its first 16 hex digits, instead of the identity",
		"none"),
	CLI_OPT("intermediaries", 0, "N", set_intermediaries,
		"export the N hosts of 608s' Call-Info purpose=jwscard URI with the most 608s in "
		"the window as sip6xx_intermediary_rejections, the rest as "
		"intermediary=\"other\"",
		"0: off; 0..1000"),
	CLI_OPT("top", 0, "N", set_top,
		"per interface, direction and code, export the N sources with the most 6xx "
		"since they entered the map, and sum the rest into source=\"other\"",
		"0: every source"),
	CLI_OPT("peers", 0, "FILE", set_peers,
		"name sources by prefix, one \"CIDR NAME\" a line (IPv4 or IPv6, # comments; the "
		"longest prefix wins), exported as the peer label; SIGHUP re-reads FILE",
		"none"),
	CLI_OPT("peers-unmatched", 0, "WHAT", set_peers_unmatched,
		"sources no prefix names: keep (peer=\"\") or other (summed into "
		"source=\"other\",peer=\"other\")",
		"keep"),
	CLI_OPT("replay", 0, "FILE", set_replay,
		"run a pcap or pcapng file (- for stdin) through the XDP program with "
		"BPF_PROG_TEST_RUN, print the metrics and exit; --listen, --mode, --direction, "
		"--pin-path and the alert options have no meaning there and are refused",
		NULL),
	CLI_OPT("format", 0, "FMT", set_format, "the output of --replay: prometheus or json",
		"prometheus"),
	CLI_OPT("log-level", 0, "LEVEL", set_log_level,
		"error, warn, info or debug; logs go to stderr", "info"),
	CLI_OPT("log-format", 0, "FMT", set_log_format, "text or json", "text"),
	CLI_OPT("user", 0, "NAME", set_user,
		"once attached, run as NAME with only the capabilities still needed",
		"nobody when started as root; root keeps uid 0 but still drops capabilities"),
	CLI_OPTION_HELP,
	CLI_OPTION_VERSION,
	CLI_TEXT("\nAlerting (one JSON line on stdout per state change; with the call context\n"
		 "also the window's rejections, retransmissions, losses and ratio; with\n"
		 "--alert-callers the top 5 callers, with --intermediaries the top 5\n"
		 "intermediaries of 608 alerts):\n"),
	LIVE_OPT("alert-codes", 0, "LIST", set_alert_codes,
		 "codes to watch for spikes, comma-separated, or none", "607,608"),
	LIVE_OPT("alert-interval", 0, "DUR", set_alert_interval, "sampling period", "100ms"),
	LIVE_OPT("alert-window", 0, "DUR", set_alert_window, "short-rate window", "1s"),
	LIVE_OPT("alert-baseline", 0, "DUR", set_alert_baseline,
		 "EWMA time constant of the baseline", "5m"),
	LIVE_OPT("alert-min-rate", 0, "N", set_alert_min_rate, "fire only at N per second or more",
		 "5"),
	LIVE_OPT("alert-factor", 0, "N", set_alert_factor,
		 "... and at N times the baseline or more", "4"),
	LIVE_OPT("alert-resolve", 0, "DUR", set_alert_resolve,
		 "resolve after the rate stays below half the firing threshold this long", "10s"),
	LIVE_OPT("alert-on", 0, "WHAT", set_alert_on,
		 "what the detectors count: packets (every response frame of the code, exact) "
		 "or rejections (6xx once per transaction, from the call context: up to the "
		 "ring's 100 ms poll later than packets, and sampled: at most --context-rate a "
		 "second per interface, what is over in sip6xx_context_dropped_total). "
		 "rejections needs --context-rate above 0 and 6xx --alert-codes, and is refused "
		 "with --alert-codes none (no alert to raise)",
		 "packets"),
	LIVE_OPT("alert-callers", 0, NULL, set_alert_callers,
		 "name the top 5 --callers in alert lines (stdout, journald) and Alertmanager "
		 "bodies, hashed as the gauge with --callers-hash. Personal data sent to every "
		 "receiver: needs --callers",
		 NULL),
	LIVE_OPT("alertmanager-url", 0, "URL", set_am_url,
		 "also POST alerts to Alertmanager's v2 API at URL; repeat for each replica of a "
		 "cluster (at most 4): each gets every alert, with its own retries",
		 NULL),
	LIVE_OPT("alert-instance", 0, "NAME", set_alert_instance, "instance label of those alerts",
		 "HOSTNAME:PORT"),
	CLI_TEXT("  DUR is a number with ms, s, m or h (bare numbers are seconds).\n"),
	{},
};

static void given(void *ctx, const struct cli_option *opt)
{
	if (opt->flags & LIVE_ONLY)
		((struct cli_state *)ctx)->live_only = opt->name;
}

static const struct cli_program program = {
	.prog = "sip6xx_exporter",
	.usage =
		"Usage: sip6xx_exporter -i IFACE [-i IFACE ...] [OPTIONS]\n"
		"       sip6xx_exporter --detach -i IFACE [-i IFACE ...] --pin-path DIR\n"
		"       sip6xx_exporter --replay FILE|- [--format prometheus|json] [--port N ...]\n"
		"\n"
		"Counts SIP responses, and 6xx global failures per source, with XDP, and serves\n"
		"them as Prometheus metrics on /metrics.\n"
		"\n"
		"Options:\n",
	.epilog = "\n"
		  "Exit status: 0 clean stop (SIGINT/SIGTERM detach), 1 runtime failure, 2 bad "
		  "usage,\n"
		  "3 --replay of a capture cut short: the complete records are counted and "
		  "printed.\n",
	.options = options,
	.prefix = "sip6xx_exporter: error: ",
	.suffix = " (see --help)",
	.given = given,
};

void cli_parse(int argc, char **argv, struct options *o)
{
	struct cli_state st = { .o = o };

	memset(o, 0, sizeof(*o));
	o->listen = DEFAULT_LISTEN;
	o->lopts.max_peers = PEERS_DEFAULT_MAX;
	o->lopts.dirs = DIR_BIT(SIP6XX_DIR_RX);
	o->lopts.context_rate = SIP6XX_CTX_RATE_DEFAULT;
	o->calls.window_ms = TOP_DEFAULT_WINDOW;
	o->alert.params = (struct alert_params)ALERT_PARAMS_DEFAULT;
	parse_alert_codes(&o->alert, "607,608");
	cli_parse_options(&program, argc, argv, &st);
	if (o->replay)
		o->lopts.context_rate = 0; /* replay decodes every frame itself: nothing sampled */
	if (o->detach && (!o->nr_ifaces || !o->lopts.pin_path || o->replay))
		usage_error("--detach needs -i IFACE and the --pin-path the exporter ran with");
	if (o->replay && o->nr_ifaces)
		usage_error("--replay reads a file; it takes no -i");
	if (o->replay && st.live_only)
		usage_error("--%s has no meaning with --replay, which serves no HTTP, attaches and "
			    "pins nothing and raises no alerts: leave it out",
			    st.live_only);
	if (st.unmatched_given && !o->fold.peers_file)
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
	if (!o->replay && !o->detach && !o->lopts.context_rate &&
	    (o->calls.callers || o->calls.intermediaries))
		usage_error("--callers and --intermediaries count what the call context decodes: "
			    "they need --context-rate above 0");
	if (o->alert.on == ALERT_ON_REJECTIONS)
		check_alert_on_rejections(o);
	if (o->alert.name_callers && !o->calls.callers)
		usage_error(
			"--alert-callers names the top --callers in alerts: it needs --callers N");
	if (o->callers_hash_file && !o->calls.callers)
		usage_error("--callers-hash applies to --callers N");
	if (o->callers_hash_file)
		read_callers_key(o);
	if (o->replay)
		o->calls.window_ms = 0; /* the whole capture */
	if (st.force_max_peers && !st.max_peers_given)
		usage_error("--force-max-peers goes with --max-peers N");
	if (st.max_peers_given && !o->detach)
		check_peers_memory(o, st.force_max_peers);
}
