// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sip6xx_exporter: attach the sip6xx XDP program to interfaces and serve its
 * counters as Prometheus metrics, or replay a capture through it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "alerting.h"
#include "http.h"
#include "loader.h"
#include "log.h"
#include "maps.h"
#include "metrics.h"
#include "replay.h"

#ifndef SIP6XX_VERSION
#define SIP6XX_VERSION "unknown"
#endif

#define MAX_IFACES	64
#define MAX_PEERS_LIMIT (1U << 24)
#define DEFAULT_LISTEN	":10060"

#define EXIT_USAGE   2
#define MAX_CURL_FDS 16

struct options {
	const char *ifnames[MAX_IFACES];
	int nr_ifaces;
	enum attach_mode mode;
	const char *listen;
	struct listen_addr listen_addr;
	struct loader_opts lopts;
	const char *replay;
	enum metrics_format format;
	bool format_given;
	struct alerting_opts alert;
};

struct exporter {
	struct iface ifaces[MAX_IFACES];
	struct sip6xx_maps maps[MAX_IFACES];
	int nr_ifaces;
	struct http_server *http;
	struct alerting *alerting;
	int signal_fd;
	char instance[300];
};

static const char usage_text[] =
	"Usage: sip6xx_exporter -i IFACE [-i IFACE ...] [OPTIONS]\n"
	"       sip6xx_exporter --replay FILE [--format prometheus|json] [--port N ...]\n"
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
	"  -p, --port N           count only UDP with source or destination port N;\n"
	"                         repeat for up to 8 ports (default: every port)\n"
	"      --max-peers N      capacity of the per-source 6xx map, per interface\n"
	"                         (default: 65536; 1..16777216); least recently used is evicted\n"
	"      --replay FILE      run a pcap or pcapng file through the XDP program with\n"
	"                         BPF_PROG_TEST_RUN, print the metrics and exit\n"
	"      --format FMT       --replay output: prometheus or json (default: prometheus)\n"
	"      --log-level LEVEL  error, warn, info or debug (default: info); logs go to stderr\n"
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
	"      --alertmanager-url URL  also POST alerts to Alertmanager's v2 API at URL\n"
	"      --alert-instance NAME   instance label of those alerts (default: HOSTNAME:PORT)\n"
	"  DUR is a number with ms, s, m or h (bare numbers are seconds).\n"
	"\n"
	"Exit status: 0 clean stop (SIGINT/SIGTERM detach), 1 runtime failure, 2 bad usage.\n";

enum long_only_opts {
	OPT_MAX_PEERS = 0x100,
	OPT_REPLAY,
	OPT_FORMAT,
	OPT_LOG_LEVEL,
	OPT_ALERT_CODES,
	OPT_ALERT_INTERVAL,
	OPT_ALERT_WINDOW,
	OPT_ALERT_BASELINE,
	OPT_ALERT_MIN_RATE,
	OPT_ALERT_FACTOR,
	OPT_ALERT_RESOLVE,
	OPT_AM_URL,
	OPT_ALERT_INSTANCE,
};

static const struct option long_opts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "mode", required_argument, NULL, 'm' },
	{ "listen", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, 'p' },
	{ "max-peers", required_argument, NULL, OPT_MAX_PEERS },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "alert-codes", required_argument, NULL, OPT_ALERT_CODES },
	{ "alert-interval", required_argument, NULL, OPT_ALERT_INTERVAL },
	{ "alert-window", required_argument, NULL, OPT_ALERT_WINDOW },
	{ "alert-baseline", required_argument, NULL, OPT_ALERT_BASELINE },
	{ "alert-min-rate", required_argument, NULL, OPT_ALERT_MIN_RATE },
	{ "alert-factor", required_argument, NULL, OPT_ALERT_FACTOR },
	{ "alert-resolve", required_argument, NULL, OPT_ALERT_RESOLVE },
	{ "alertmanager-url", required_argument, NULL, OPT_AM_URL },
	{ "alert-instance", required_argument, NULL, OPT_ALERT_INSTANCE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sip6xx_exporter: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(EXIT_USAGE);
}

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

	if (!parse_uint(val, 1, 65535, &port))
		usage_error("--port '%s' is not a port number (1..65535)", val);
	if (o->lopts.nr_ports == SIP6XX_MAX_PORTS)
		usage_error("--port %s: at most %d ports", val, SIP6XX_MAX_PORTS);
	o->lopts.ports[o->lopts.nr_ports++] = port;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const char *const modes[] = { "auto", "native", "generic" };
	static const char *const formats[] = { "prometheus", "json" };
	static const char *const levels[] = { "error", "warn", "info", "debug" };
	unsigned long n;
	int c;

	memset(o, 0, sizeof(*o));
	o->listen = DEFAULT_LISTEN;
	o->lopts.max_peers = PEERS_DEFAULT_MAX;
	o->alert.params = (struct alert_params){ .interval_ms = 100,
						 .window_ms = 1000,
						 .baseline_ms = 300000,
						 .resolve_ms = 10000,
						 .min_rate = 5,
						 .factor = 4 };
	parse_alert_codes(&o->alert, "607,608");
	opterr = 0; /* our own one-line messages instead of getopt's */
	while ((c = getopt_long(argc, argv, ":i:m:l:p:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			add_interface(o, optarg);
			break;
		case 'm':
			o->mode = pick("--mode", optarg, modes, 3);
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'p':
			add_port(o, optarg);
			break;
		case OPT_MAX_PEERS:
			if (!parse_uint(optarg, 1, MAX_PEERS_LIMIT, &n))
				usage_error("--max-peers '%s' is not a number in 1..%u", optarg,
					    MAX_PEERS_LIMIT);
			o->lopts.max_peers = n;
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
		case OPT_ALERT_CODES:
			parse_alert_codes(&o->alert, optarg);
			break;
		case OPT_ALERT_INTERVAL:
			o->alert.params.interval_ms = parse_duration_ms("--alert-interval", optarg);
			break;
		case OPT_ALERT_WINDOW:
			o->alert.params.window_ms = parse_duration_ms("--alert-window", optarg);
			break;
		case OPT_ALERT_BASELINE:
			o->alert.params.baseline_ms = parse_duration_ms("--alert-baseline", optarg);
			break;
		case OPT_ALERT_RESOLVE:
			o->alert.params.resolve_ms = parse_duration_ms("--alert-resolve", optarg);
			break;
		case OPT_ALERT_MIN_RATE:
			o->alert.params.min_rate = parse_positive("--alert-min-rate", optarg);
			break;
		case OPT_ALERT_FACTOR:
			o->alert.params.factor = parse_positive("--alert-factor", optarg);
			break;
		case OPT_AM_URL:
			if (strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8))
				usage_error(
					"--alertmanager-url '%s' is not an http:// or https:// URL",
					optarg);
			o->alert.am_url = optarg;
			break;
		case OPT_ALERT_INSTANCE:
			o->alert.instance = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			printf("sip6xx_exporter %s (BPF contract %d)\n", SIP6XX_VERSION,
			       SIP6XX_CONTRACT_VERSION);
			exit(0);
		case ':':
			usage_error("%s needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->replay && o->nr_ifaces)
		usage_error("--replay reads a file; it takes no -i");
	if (o->format_given && !o->replay)
		usage_error(
			"--format applies to --replay only; /metrics is always Prometheus text");
	if (!o->replay && !o->nr_ifaces)
		usage_error("no interface given: use -i IFACE (or --replay FILE)");
	if (!o->replay && http_parse_listen(o->listen, &o->listen_addr))
		usage_error("--listen '%s' is not ADDR:PORT, [IPV6]:PORT or :PORT", o->listen);
	if (alert_params_check(&o->alert.params))
		usage_error("%s", alert_params_check(&o->alert.params));
}

static int render_metrics(enum metrics_format fmt, const char **names, struct sip6xx **skels,
			  const int *attached, int n, const struct alerting *al, struct strbuf *out)
{
	struct metrics_input in = { .nr_ifs = n };
	struct map_snapshot *snaps = calloc(n, sizeof(*snaps));
	struct metrics_iface *ifs = calloc(n, sizeof(*ifs));
	struct sip6xx_maps maps;
	int i, err = 0, done;

	if (!snaps || !ifs) {
		err = -ENOMEM;
		n = 0;
	}
	for (done = 0; done < n; done++) {
		loader_maps(skels[done], &maps);
		err = snapshot_read(&maps, &snaps[done]);
		if (err)
			break;
		ifs[done].interface = names[done];
		ifs[done].attached = attached ? attached[done] : -1;
		ifs[done].snap = &snaps[done];
	}
	if (!err) {
		in.ifs = ifs;
		if (al)
			in.alerts = alerting_states(al, &in.nr_alerts);
		err = metrics_format(fmt, &in, out);
	}
	for (i = 0; i < done; i++)
		snapshot_free(&snaps[i]);
	free(snaps);
	free(ifs);
	return err;
}

static int http_render(void *arg, char **body, size_t *len)
{
	struct exporter *ex = arg;
	const char *names[MAX_IFACES];
	struct sip6xx *skels[MAX_IFACES];
	int attached[MAX_IFACES];
	struct strbuf sb;
	int i, err;

	for (i = 0; i < ex->nr_ifaces; i++) {
		names[i] = ex->ifaces[i].name;
		skels[i] = ex->ifaces[i].skel;
		attached[i] = loader_still_attached(&ex->ifaces[i]);
	}
	sb_init(&sb);
	err = render_metrics(METRICS_PROMETHEUS, names, skels, attached, ex->nr_ifaces,
			     ex->alerting, &sb);
	if (err) {
		sb_free(&sb);
		return err;
	}
	*body = sb_steal(&sb, len);
	return 0;
}

static int run_replay(const struct options *o)
{
	const char *name = "replay";
	struct replay_summary sum = {};
	struct sip6xx *skel;
	struct strbuf sb;
	char ctx[PATH_MAX + 16];
	int err;

	snprintf(ctx, sizeof(ctx), "replay %s", o->replay);
	skel = loader_load(&o->lopts, ctx);
	if (!skel)
		return 1;
	err = replay_file(o->replay, loader_prog_fd(skel), &sum);
	if (!err) {
		sb_init(&sb);
		err = render_metrics(o->format, &name, &skel, NULL, 1, NULL, &sb);
		if (!err)
			fwrite(sb.buf, 1, sb.len, stdout);
		sb_free(&sb);
		pr_info("replay %s: %llu frames, %llu given an Ethernet header, %llu clipped\n",
			o->replay, (unsigned long long)sum.frames,
			(unsigned long long)sum.converted, (unsigned long long)sum.clipped);
	}
	loader_destroy(skel);
	return err ? 1 : 0;
}

static int open_signal_fd(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	/* Blocked before attaching, so a signal always reaches the detach path. */
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void exporter_cleanup(struct exporter *ex)
{
	int i;

	for (i = 0; i < ex->nr_ifaces; i++)
		loader_detach(&ex->ifaces[i]);
	alerting_free(ex->alerting);
	ex->alerting = NULL;
	http_stop(ex->http);
	ex->http = NULL;
	if (ex->signal_fd >= 0)
		close(ex->signal_fd);
}

/*
 * One poll() loop: signals end it, the HTTP daemon's epoll fd feeds scrapes,
 * the alert timerfd ticks the detectors, and Alertmanager posts progress.
 */
static int event_loop(struct exporter *ex)
{
	struct pollfd pfd[3 + MAX_CURL_FDS];
	struct signalfd_siginfo si;
	int nfds, timeout, i;

	pfd[0] = (struct pollfd){ .fd = ex->signal_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = http_poll_fd(ex->http), .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	if (ex->alerting)
		pfd[2].fd = alerting_timer_fd(ex->alerting);
	for (;;) {
		timeout = http_timeout_ms(ex->http);
		nfds = 3;
		if (ex->alerting)
			nfds += alerting_pollfds(ex->alerting, &pfd[3], MAX_CURL_FDS, &timeout);
		for (i = 0; i < nfds; i++)
			pfd[i].revents = 0;
		if (poll(pfd, nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll failed: %s\n", strerror(errno));
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(ex->signal_fd, &si, sizeof(si)) == sizeof(si))
				pr_info("%s received: detaching\n", strsignal(si.ssi_signo));
			return 0;
		}
		if (pfd[2].revents & POLLIN)
			alerting_on_timer(ex->alerting);
		if (ex->alerting)
			alerting_perform(ex->alerting);
		http_run(ex->http);
	}
}

/* Alertmanager's instance label: --alert-instance, else HOSTNAME:PORT like a scrape target. */
static void default_instance(struct exporter *ex, const struct options *o)
{
	const char *port = strrchr(o->listen, ':');
	char host[256] = "localhost";

	gethostname(host, sizeof(host) - 1);
	snprintf(ex->instance, sizeof(ex->instance), "%s%s", host, port ? port : "");
}

static int start_alerting(struct exporter *ex, const struct options *o)
{
	struct alerting_opts a = o->alert;
	int i;

	if (!a.nr_codes)
		return 0;
	if (!a.instance) {
		default_instance(ex, o);
		a.instance = ex->instance;
	}
	for (i = 0; i < ex->nr_ifaces; i++)
		loader_maps(ex->ifaces[i].skel, &ex->maps[i]);
	ex->alerting = alerting_new(&a, ex->maps, ex->nr_ifaces);
	return ex->alerting ? 0 : -1;
}

static int run_exporter(const struct options *o)
{
	struct exporter ex = { .signal_fd = -1 };
	int i, ret = 1;

	/* Every name first: a typo should not attach half the list. */
	for (i = 0; i < o->nr_ifaces; i++) {
		if (!if_nametoindex(o->ifnames[i])) {
			pr_err("%s: no such interface ('ip link' lists them)\n", o->ifnames[i]);
			return 1;
		}
	}
	ex.signal_fd = open_signal_fd();
	if (ex.signal_fd < 0) {
		pr_err("signalfd: %s\n", strerror(-ex.signal_fd));
		return 1;
	}
	ex.http = http_start(o->listen, &o->listen_addr, http_render, &ex);
	if (!ex.http)
		goto out;
	for (i = 0; i < o->nr_ifaces; i++) {
		snprintf(ex.ifaces[i].name, IF_NAMESIZE, "%s", o->ifnames[i]);
		if (loader_attach(&ex.ifaces[i], &o->lopts, o->mode))
			goto out;
		ex.nr_ifaces++;
	}
	if (start_alerting(&ex, o))
		goto out;
	pr_info("serving metrics on %s/metrics\n", o->listen);
	ret = event_loop(&ex);
out:
	exporter_cleanup(&ex);
	return ret;
}

int main(int argc, char **argv)
{
	struct options opts;

	log_setup_libbpf();
	parse_args(argc, argv, &opts);
	if (opts.replay)
		return run_replay(&opts);
	return run_exporter(&opts);
}
