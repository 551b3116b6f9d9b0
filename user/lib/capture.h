/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The records of a capture for --replay: pcap through libpcap, pcapng walked
 * block by block here, so each interface keeps its own link type (libpcap
 * refuses a pcapng whose interfaces differ). Reads a file or stdin ("-"), and
 * tells a file cut mid-record from a bad one.
 */
#ifndef SIP6XX_CAPTURE_H
#define SIP6XX_CAPTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
/* pcap/bpf.h declares a classic-BPF struct bpf_insn that clashes with linux/bpf.h's. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>

struct pcapng_iface {
	int linktype;
	__u32 snaplen;	     /* 0: no limit */
	__u64 ts_per_second; /* if_tsresol; 10^6 when absent */
	__s64 ts_offset;     /* if_tsoffset, seconds */
};

struct capture {
	const char *name; /* for messages: the path, or "stdin" */
	FILE *fp;	  /* counts what is read; see capture.c */
	struct counted_input *in;
	pcap_t *pcap; /* a pcap file; NULL for pcapng */
	int linktype; /* a pcap file's link type */
	/* pcapng: the interfaces of the current section, and the block being read */
	bool swapped;
	struct pcapng_iface *ifs;
	__u32 nr_ifs, cap_ifs;
	__u8 *block;
	size_t block_cap;
	__u64 offset; /* bytes of complete blocks or records so far */
	struct pcap_pkthdr hdr;
};

/* What capture_next() read. */
enum capture_status {
	CAPTURE_END = 0,       /* no more records */
	CAPTURE_RECORD = 1,    /* *hdr, *data and *linktype are set */
	CAPTURE_TRUNCATED = 2, /* cut mid-record: capture_offset() is where the last one ends */
};

/* Opens @path ("-": stdin); 0, or -errno after logging the file and why. */
int capture_open(struct capture *c, const char *path);
/* The same for an open stream, named @name in messages; takes @in (closed unless stdin). */
int capture_fopen(struct capture *c, FILE *in, const char *name);
/* The next record; enum capture_status, or -errno after logging the file, record and why. */
int capture_next(struct capture *c, __u64 record, struct pcap_pkthdr **hdr, const __u8 **data,
		 int *linktype);
/* Bytes of the complete records (and blocks) read so far. */
__u64 capture_offset(const struct capture *c);
void capture_close(struct capture *c);

#endif
