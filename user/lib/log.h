/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One logging path for the exporter and libbpf: stderr, stdout stays for alerts. */
#ifndef SIP6XX_LOG_H
#define SIP6XX_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

void log_set_level(enum log_level level);
/* The program name text lines start with (default "sip6xx_exporter"). */
void log_set_prog(const char *name);
/* One JSON object per line ({"ts","level","msg"}) instead of text. */
void log_set_json(int json);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Writes @prefix, the message and @suffix as one plain line on stderr and
 * exits with @status: for errors before logging is set up (usage) or in tools
 * whose terminal is not a log (sip6xx-top).
 */
void log_exit(int status, const char *prefix, const char *suffix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
/* Routes libbpf's messages through log_msg(), one level quieter than libbpf says. */
void log_setup_libbpf(void);

#define pr_err(...)   log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
