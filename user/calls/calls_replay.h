/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * --replay's frames into the call context: replay.c hands over each frame
 * it ran through the XDP program, with the capture's timestamp; every 6xx,
 * BYE and CANCEL is decoded, none sampled away.
 */
#ifndef SIP6XX_CALLS_REPLAY_H
#define SIP6XX_CALLS_REPLAY_H

#include <sys/time.h>
#include <linux/types.h>

#include "calls.h"

/*
 * Frames go to @c from now on, filtered by @cfg's ports as the program
 * filters them; NULL: nowhere. -ENOMEM when its frame buffer cannot be had.
 */
int calls_replay_use(struct calls *c, const struct sip6xx_config *cfg);
/* One Ethernet frame of @len bytes, captured at @ts. */
void calls_replay_frame(const void *frame, __u32 len, const struct timeval *ts);
/* The end of the capture: transactions idle for their TTL by its last frame are dropped. */
void calls_replay_done(void);

#endif
