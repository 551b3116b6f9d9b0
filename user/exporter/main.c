// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sip6xx_exporter: attach the sip6xx XDP program to interfaces and serve its
 * counters as Prometheus metrics, or replay a capture through it.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "alert/alert_sampler.h"
#include "attach.h"
#include "cli.h"
#include "fold.h"
#include "http/http_server.h"
#include "loader.h"
#include "log.h"
#include "maps.h"
#include "metrics.h"
#include "privs.h"
#include "replay.h"
#include "calls/calls_replay.h"
#include "calls/context_ring.h"
#include "http/web_config.h"

#define MAX_CURL_FDS	16
#define FOLLOW_PERIOD_S 1
/* How long a stop waits for open scrapes and Alertmanager posts to finish. */
#define DRAIN_MS	2000

/* The poll() slots that are always there; Alertmanager's sockets follow them. */
enum {
	PFD_SIGNAL = 0,
	PFD_HTTP,
	PFD_ALERT,
	PFD_FOLLOW,
	PFD_CTX_RING,  /* context: the rings' epoll fd, readable at the kernel's watermark */
	PFD_CTX_TIMER, /* context: the rings are read at least every CONTEXT_POLL_MS */
	PFD_FIXED,
};

struct exporter {
	struct iface ifaces[MAX_IFACES];
	struct sip6xx_maps maps[MAX_IFACES];
	int nr_ifaces;
	struct http_server *http;
	struct web_config *web; /* --web-config; outlives http */
	struct alerting *alerting;
	int signal_fd;
	int follow_fd; /* timerfd: notice interfaces that go away and come back */
	char instance[300];
	const struct options *opts;
	struct fold_config fold; /* --top, and the --peers table SIGHUP reloads */

	struct context_ring *context;	       /* --context-rate; NULL: off */
	const struct calls *calls[MAX_IFACES]; /* each interface's call context, or NULL */
};

/* @ifs come with interface, attached and dirs; their snapshots are read here from @skels. */
static int render_metrics(enum metrics_format fmt, struct metrics_iface *ifs,
			  struct sip6xx *const *skels, int n, struct alerting *al,
			  struct strbuf *out)
{
	struct metrics_input in = { .ifs = ifs, .nr_ifs = n };
	struct map_snapshot *snaps = calloc(n, sizeof(*snaps));
	struct sip6xx_maps maps;
	__u64 read_ms = al ? alerting_now_ms() : 0;
	int i, err = 0, done;

	if (!snaps) {
		err = -ENOMEM;
		n = 0;
	}
	for (done = 0; done < n; done++) {
		loader_maps(skels[done], &maps);
		err = snapshot_read(&maps, &snaps[done]);
		if (err)
			break;
		ifs[done].snap = &snaps[done];
	}
	if (!err) {
		if (al) {
			/* The alerts' peers sample comes from this read when one is due. */
			alerting_scraped(al, snaps, n, read_ms);
			in.alerts = alerting_states(al, &in.nr_alerts);
		}
		err = metrics_format(fmt, &in, out);
	}
	for (i = 0; i < done; i++)
		snapshot_free(&snaps[i]);
	free(snaps);
	return err;
}

static int http_render(void *arg, char **body, size_t *len)
{
	struct exporter *ex = arg;
	struct metrics_iface ifs[MAX_IFACES];
	struct sip6xx *skels[MAX_IFACES];
	struct strbuf sb;
	int i, err;

	context_ring_refresh(ex->context);
	for (i = 0; i < ex->nr_ifaces; i++) {
		ifs[i] = (struct metrics_iface){ .interface = ex->ifaces[i].name,
						 .attached = attach_still_there(&ex->ifaces[i]),
						 .dirs = ex->opts->lopts.dirs,
						 .fold = &ex->fold,
						 .calls = ex->calls[i] };
		skels[i] = ex->ifaces[i].skel;
	}
	sb_init(&sb);
	err = render_metrics(METRICS_PROMETHEUS, ifs, skels, ex->nr_ifaces, ex->alerting, &sb);
	if (err) {
		sb_free(&sb);
		return err;
	}
	*body = sb_steal(&sb, len);
	return 0;
}

static int run_replay(const struct options *o)
{
	struct metrics_iface ifc = { .interface = "replay",
				     .attached = -1,
				     .dirs = DIR_BIT(SIP6XX_DIR_RX) };
	struct replay_summary sum = {};
	struct sip6xx_config cfg = {};
	struct fold_config fold;
	struct calls *calls;
	struct sip6xx *skel;
	struct strbuf sb;
	char ctx[PATH_MAX + 16];
	int err, rendered = 0;

	if (fold_config_init(&fold, &o->fold))
		return 1;
	ifc.fold = &fold;
	snprintf(ctx, sizeof(ctx), "replay %s", o->replay);
	skel = loader_load(&o->lopts, ctx);
	if (!skel) {
		fold_config_free(&fold);
		return 1;
	}
	/* Every 6xx, BYE and CANCEL decoded into the call context: replay samples nothing away. */
	for (cfg.nr_ports = 0; cfg.nr_ports < o->lopts.nr_ports && cfg.nr_ports < SIP6XX_MAX_PORTS;
	     cfg.nr_ports++)
		cfg.ports[cfg.nr_ports] = o->lopts.ports[cfg.nr_ports];
	calls = calls_new_opts(&o->calls);
	if (!calls || calls_replay_use(calls, &cfg)) {
		pr_err("replay %s: out of memory for the transaction table\n", o->replay);
		calls_free(calls);
		loader_destroy(skel);
		fold_config_free(&fold);
		return 1;
	}
	ifc.calls = calls;
	err = replay_file(o->replay, loader_prog_fd(skel), &sum);
	calls_replay_done();
	if (err >= 0) { /* 0, or REPLAY_TRUNCATED: the complete records still count */
		sb_init(&sb);
		rendered = render_metrics(o->format, &ifc, &skel, 1, NULL, &sb);
		if (!rendered)
			fwrite(sb.buf, 1, sb.len, stdout);
		sb_free(&sb);
		pr_info("replay %s: %llu frames, %llu given an Ethernet header, %llu clipped\n",
			o->replay, (unsigned long long)sum.frames,
			(unsigned long long)sum.converted, (unsigned long long)sum.clipped);
	}
	calls_free(calls);
	loader_destroy(skel);
	fold_config_free(&fold);
	if (err < 0 || rendered)
		return 1;
	return err == REPLAY_TRUNCATED ? REPLAY_EXIT_TRUNCATED : 0;
}

static int open_signal_fd(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP); /* reloads --peers; never stops the exporter */
	/* Blocked before attaching, so a signal always reaches the detach path. */
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static void exporter_cleanup(struct exporter *ex)
{
	int i;

	context_ring_free(ex->context); /* before the objects whose rings it maps */
	ex->context = NULL;
	/* It freed the contexts too: alerting must not read them any more. */
	memset(ex->calls, 0, sizeof(ex->calls));
	for (i = 0; i < ex->nr_ifaces; i++)
		attach_detach(&ex->ifaces[i]);
	alerting_free(ex->alerting);
	ex->alerting = NULL;
	http_stop(ex->http);
	ex->http = NULL;
	web_config_free(ex->web);
	ex->web = NULL;
	fold_config_free(&ex->fold);
	if (ex->signal_fd >= 0)
		close(ex->signal_fd);
	if (ex->follow_fd >= 0)
		close(ex->follow_fd);
}

/* Every FOLLOW_PERIOD_S: an interface that went away is re-attached when it is back. */
static void follow_interfaces(struct exporter *ex)
{
	__u64 expirations;
	int i;

	if (read(ex->follow_fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	for (i = 0; i < ex->nr_ifaces; i++)
		attach_follow(&ex->ifaces[i], &ex->opts->lopts, ex->opts->mode);
}

static int open_follow_fd(void)
{
	struct itimerspec its = { .it_interval = { .tv_sec = FOLLOW_PERIOD_S },
				  .it_value = { .tv_sec = FOLLOW_PERIOD_S } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One poll() loop: signals end it, the HTTP daemon's epoll fd feeds scrapes,
 * the alert timerfd ticks the detectors, and Alertmanager posts progress.
 */
static int event_loop(struct exporter *ex)
{
	struct pollfd pfd[PFD_FIXED + MAX_CURL_FDS];
	struct signalfd_siginfo si;
	int nfds, timeout, i;

	pfd[PFD_SIGNAL] = (struct pollfd){ .fd = ex->signal_fd, .events = POLLIN };
	pfd[PFD_HTTP] = (struct pollfd){ .fd = http_poll_fd(ex->http), .events = POLLIN };
	pfd[PFD_ALERT] = (struct pollfd){ .fd = -1, .events = POLLIN };
	pfd[PFD_FOLLOW] = (struct pollfd){ .fd = ex->follow_fd, .events = POLLIN };
	pfd[PFD_CTX_RING] =
		(struct pollfd){ .fd = context_ring_epoll_fd(ex->context), .events = POLLIN };
	pfd[PFD_CTX_TIMER] =
		(struct pollfd){ .fd = context_ring_timer_fd(ex->context), .events = POLLIN };
	if (ex->alerting)
		pfd[PFD_ALERT].fd = alerting_timer_fd(ex->alerting);
	for (;;) {
		timeout = http_timeout_ms(ex->http);
		nfds = PFD_FIXED;
		if (ex->alerting)
			nfds += alerting_pollfds(ex->alerting, &pfd[PFD_FIXED], MAX_CURL_FDS,
						 &timeout);
		for (i = 0; i < nfds; i++)
			pfd[i].revents = 0;
		if (poll(pfd, nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("poll failed: %s\n", strerror(errno));
			return 1;
		}
		if (pfd[PFD_SIGNAL].revents & POLLIN) {
			if (read(ex->signal_fd, &si, sizeof(si)) != sizeof(si))
				return 0;
			if (si.ssi_signo != SIGHUP) {
				pr_info("%s received: stopping\n", strsignal(si.ssi_signo));
				return 0;
			}
			fold_config_reload(&ex->fold);
		}
		if (pfd[PFD_FOLLOW].revents & POLLIN)
			follow_interfaces(ex);
		if ((pfd[PFD_CTX_RING].revents | pfd[PFD_CTX_TIMER].revents) & POLLIN)
			context_ring_on_ready(ex->context);
		if (pfd[PFD_ALERT].revents & POLLIN) {
			/* The kernel's context drops, for the alert window's losses. */
			context_ring_refresh(ex->context);
			alerting_on_timer(ex->alerting);
		}
		if (ex->alerting)
			alerting_perform(ex->alerting);
		http_run(ex->http);
	}
}

/* What a stop leaves undone, for the line that says why it left it. */
static const char *drain_unsent(struct exporter *ex)
{
	return ex->alerting && alerting_busy(ex->alerting) ? " and an Alertmanager POST unsent"
							   : "";
}

/*
 * During the drain: a second SIGINT or SIGTERM means the operator will not
 * wait (a hung Alertmanager, systemd's stop timeout), so the drain ends at
 * once. A SIGHUP is dropped: there is no --peers left to reload for.
 */
static bool drain_cut(struct exporter *ex)
{
	struct signalfd_siginfo si;

	while (read(ex->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			continue;
		pr_warn("%s received again: stopping now with %u HTTP connections cut%s\n",
			strsignal(si.ssi_signo), http_connections(ex->http), drain_unsent(ex));
		return true;
	}
	return false;
}

/*
 * After SIGINT or SIGTERM: stop accepting, let the connections already open
 * finish their responses and Alertmanager hear the alerts resolved, for at
 * most DRAIN_MS or until a second signal; then the caller detaches and exits.
 */
static void drain(struct exporter *ex)
{
	struct pollfd pfd[2 + MAX_CURL_FDS];
	__u64 now, end = alerting_now_ms() + DRAIN_MS;
	int nfds, timeout;

	http_quiesce(ex->http);
	if (ex->alerting)
		alerting_stop(ex->alerting);
	for (;;) {
		timeout = http_timeout_ms(ex->http);
		pfd[0] = (struct pollfd){ .fd = http_poll_fd(ex->http), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ex->signal_fd, .events = POLLIN };
		nfds = 2;
		if (ex->alerting)
			nfds += alerting_pollfds(ex->alerting, &pfd[2], MAX_CURL_FDS, &timeout);
		now = alerting_now_ms();
		if (!http_connections(ex->http) && !(ex->alerting && alerting_busy(ex->alerting)))
			return;
		if (now >= end)
			break;
		if (timeout < 0 || (__u64)timeout > end - now)
			timeout = end - now;
		if (poll(pfd, nfds, timeout) < 0 && errno != EINTR)
			break;
		if ((pfd[1].revents & POLLIN) && drain_cut(ex))
			return;
		if (ex->alerting)
			alerting_perform(ex->alerting);
		http_run(ex->http);
	}
	pr_warn("stopping after %d ms with %u HTTP connections still open%s\n", DRAIN_MS,
		http_connections(ex->http), drain_unsent(ex));
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
	/* The call contexts start after this, into the array it reads on each tick. */
	a.calls = ex->calls;
	a.nr_calls = ex->nr_ifaces;
	ex->alerting = alerting_new(&a, ex->maps, ex->nr_ifaces);
	return ex->alerting ? 0 : -1;
}

/* --context-rate: each interface's ring read into its own call context. */
static int start_context(struct exporter *ex, const struct options *o)
{
	int i;

	if (!o->lopts.context_rate)
		return 0;
	ex->context = context_ring_new(&o->calls);
	if (!ex->context)
		return -1;
	for (i = 0; i < ex->nr_ifaces; i++) {
		ex->calls[i] =
			context_ring_add(ex->context, ex->ifaces[i].skel, ex->ifaces[i].name);
		if (!ex->calls[i])
			return -1;
	}
	return 0;
}

static int run_exporter(const struct options *o)
{
	struct exporter ex = { .signal_fd = -1, .follow_fd = -1, .opts = o };
	struct privs_needs needs = { .tc_egress = o->lopts.dirs & DIR_BIT(SIP6XX_DIR_TX) };
	struct privs privs;
	int i, ret = 1;

	/* Every name first: a typo should not attach half the list. */
	for (i = 0; i < o->nr_ifaces; i++) {
		if (!if_nametoindex(o->ifnames[i])) {
			pr_err("%s: no such interface ('ip link' lists them)\n", o->ifnames[i]);
			return 1;
		}
	}
	/* A bad --peers file stops the start, before anything is attached. */
	if (fold_config_init(&ex.fold, &o->fold))
		return 1;
	if (privs_prepare(&privs, o->user)) {
		fold_config_free(&ex.fold);
		return 1;
	}
	ex.signal_fd = open_signal_fd();
	if (ex.signal_fd < 0) {
		pr_err("signalfd: %s\n", strerror(-ex.signal_fd));
		goto out; /* frees the --peers table too */
	}
	ex.follow_fd = open_follow_fd();
	if (ex.follow_fd < 0) {
		pr_err("timerfd: %s\n", strerror(errno));
		goto out;
	}
	if (o->web_config) {
		char err[PATH_MAX + 512];

		ex.web = web_config_load(o->web_config, err, sizeof(err));
		if (!ex.web) {
			pr_err("%s\n", err);
			goto out;
		}
	}
	ex.http = http_start(o->listen, &o->listen_addr, ex.web, http_render, &ex);
	if (!ex.http)
		goto out;
	for (i = 0; i < o->nr_ifaces; i++) {
		snprintf(ex.ifaces[i].name, IF_NAMESIZE, "%s", o->ifnames[i]);
		if (attach_iface(&ex.ifaces[i], &o->lopts, o->mode))
			goto out;
		ex.nr_ifaces++;
	}
	if (start_alerting(&ex, o) || start_context(&ex, o))
		goto out;
	/* Loaded, attached, pinned and bound: what follows needs far less. */
	if (privs_drop(&privs, &needs))
		goto out;
	/* SIGHUP re-reads --peers as --user: say now, not at the first SIGHUP, if it cannot. */
	if (fold_config_check_readable(&ex.fold))
		goto out;
	pr_info("serving metrics on %s/metrics\n", o->listen);
	ret = event_loop(&ex);
	if (!ret)
		drain(&ex);
out:
	exporter_cleanup(&ex);
	return ret;
}

/* --detach: remove the pinned programs and maps --pin-path left on each -i. */
static int run_detach(const struct options *o)
{
	int i, ret = 0;

	for (i = 0; i < o->nr_ifaces; i++)
		if (attach_remove_pinned(o->ifnames[i], o->lopts.pin_path))
			ret = 1;
	return ret;
}

int main(int argc, char **argv)
{
	struct options opts;

	log_setup_libbpf();
	cli_parse(argc, argv, &opts);
	if (opts.replay)
		return run_replay(&opts);
	if (opts.detach)
		return run_detach(&opts);
	return run_exporter(&opts);
}
