/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Alertmanager v2 sink (POST /api/v2/alerts) on libcurl's multi interface:
 * transfers advance from the exporter's poll() loop and never block it.
 */
#ifndef SIP6XX_ALERTMANAGER_CLIENT_H
#define SIP6XX_ALERTMANAGER_CLIENT_H

#include <poll.h>
#include <stdbool.h>
#include <linux/types.h>

struct am_sink;

/*
 * @url: Alertmanager's base URL; "/api/v2/alerts" is appended unless present.
 * One sink per Alertmanager replica: its slots keep their own retry state.
 */
struct am_sink *am_sink_new(const char *url);
void am_sink_free(struct am_sink *am);
/*
 * Replaces what is to be said about alert @slot with @body (a JSON array),
 * sends it now and, while @repeat_ms is non-zero, again every @repeat_ms.
 */
void am_sink_post(struct am_sink *am, int slot, const char *body, __u64 now_ms, __u64 repeat_ms);
/*
 * Starts due transfers; fills up to @max poll entries (0 is fine) and lowers
 * *@timeout_ms to fit, to a few ms when some found no room.
 */
int am_sink_pollfds(struct am_sink *am, __u64 now_ms, struct pollfd *pfd, int max, int *timeout_ms);
/* A transfer is in flight, or one is due by @now_ms. */
bool am_sink_busy(const struct am_sink *am, __u64 now_ms);
/* Advances transfers after poll(); logs failures and schedules retries with backoff. */
void am_sink_perform(struct am_sink *am, __u64 now_ms);

#endif
