/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* --replay: feed a pcap/pcapng through the loaded XDP program. */
#ifndef SIP6XX_REPLAY_H
#define SIP6XX_REPLAY_H

#include <linux/types.h>

#define REPLAY_SKIPPED_TYPES 8

struct replay_summary {
	__u64 frames;	   /* records run through the program */
	__u64 converted;   /* frames given a synthetic Ethernet header (SLL, raw IP, loopback) */
	__u64 clipped;	   /* frames cut to the largest size test_run accepts */
	__u64 unsupported; /* pcapng records of link types replay cannot decode, not run */
	struct {
		int linktype;
		__u64 frames;
	} skipped[REPLAY_SKIPPED_TYPES]; /* the first link types of those, by type */
	int nr_skipped_types;
	__u64 end_offset; /* REPLAY_TRUNCATED: the byte where the last complete record ends */
};

/* replay_file()'s result for a capture cut mid-record: the complete records were run. */
#define REPLAY_TRUNCATED      1
/* The exporter's exit status then (README: Exit status). */
#define REPLAY_EXIT_TRUNCATED 3

/*
 * Runs every frame of @path ("-": stdin) through @prog_fd; 0, REPLAY_TRUNCATED
 * (after a warning naming the byte), or -errno after logging the file and why.
 */
int replay_file(const char *path, int prog_fd, struct replay_summary *sum);

#endif
