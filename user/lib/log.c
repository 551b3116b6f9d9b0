// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "log.h"

#define LOG_LINE_MAX 2048

static const char *const level_names[] = { "error", "warning", "info", "debug" };
static enum log_level log_level = LOG_INFO;
static int log_json;
/* Each program names itself: library code logs for sip6xx-top too. */
static const char *log_prog = "sip6xx_exporter";

void log_set_prog(const char *name)
{
	log_prog = name;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

void log_set_json(int json)
{
	log_json = json;
}

/* {"ts":"RFC 3339","level":"...","msg":"..."}: one object per line, for log shippers. */
static void log_json_line(enum log_level level, const char *msg)
{
	char ts[40];
	struct timespec now;
	struct strbuf sb;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	sb_init(&sb);
	sb_printf(&sb, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":", ts, now.tv_nsec / 1000000,
		  level_names[level]);
	/* The message may carry an operator's or a packet's bytes: escaped, valid UTF-8. */
	json_str(&sb, msg);
	sb_append(&sb, "}\n", 2);
	if (!sb.failed)
		fwrite(sb.buf, 1, sb.len, stderr);
	sb_free(&sb);
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	size_t len;

	if (level > log_level)
		return;
	if (!log_json) {
		fprintf(stderr, "%s: %s: ", log_prog, level_names[level]);
		vfprintf(stderr, fmt, ap);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	log_json_line(level, msg);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_exit(int status, const char *prefix, const char *suffix, const char *fmt, ...)
{
	va_list ap;

	fputs(prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", suffix);
	exit(status);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/*
	 * Shifted down: libbpf warns about expected probes, and an error must stay
	 * one line; that line points at --log-level debug for the details.
	 */
	enum log_level ours = level == LIBBPF_WARN ? LOG_DEBUG : LOG_DEBUG + 1;

	log_vmsg(ours, fmt, ap);
	return 0;
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
