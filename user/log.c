// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <bpf/libbpf.h>

#include "log.h"

static enum log_level log_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	log_level = level;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	if (level > log_level)
		return;
	fprintf(stderr, "sip6xx_exporter: %s: ", names[level]);
	vfprintf(stderr, fmt, ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
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
