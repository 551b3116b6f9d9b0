/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* --replay: feed a pcap/pcapng through the loaded XDP program. */
#ifndef SIP6XX_REPLAY_H
#define SIP6XX_REPLAY_H

#include <linux/types.h>

struct replay_summary {
	__u64 frames;	 /* records read from the file */
	__u64 converted; /* frames given a synthetic Ethernet header (SLL, raw IP, loopback) */
	__u64 clipped;	 /* frames cut to the largest size test_run accepts */
};

/* Runs every frame of @path through @prog_fd; 0, or -errno after logging the file and why. */
int replay_file(const char *path, int prog_fd, struct replay_summary *sum);

#endif
