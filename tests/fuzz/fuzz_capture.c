// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer over --replay's capture reader (user/lib/capture.c): any bytes, as a
 * pcapng the reader walks itself or a pcap libpcap reads, must give records
 * that lie inside the input, a clean end, a cut, or an error; never a read
 * out of bounds (ASan) or a loop without end. Seeds: the captures the replay
 * tests write (tests/checks/fuzz_capture.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "log.h"

#define MAX_RECORDS 100000

/* capture.c's messages: nothing to say while fuzzing. */
void log_msg(enum log_level level, const char *fmt, ...)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcap_pkthdr *hdr;
	const __u8 *rec;
	struct capture c;
	volatile __u8 sink = 0;
	__u64 i, at, last = 0;
	FILE *f;
	int r = CAPTURE_RECORD, lt;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f || capture_fopen(&c, f, "fuzz"))
		return 0;
	for (i = 1; i <= MAX_RECORDS && r == CAPTURE_RECORD; i++) {
		r = capture_next(&c, i, &hdr, &rec, &lt);
		if (r != CAPTURE_RECORD)
			break;
		/* Every captured byte is readable: ASan checks these reads. */
		for (at = 0; at < hdr->caplen; at++)
			sink ^= rec[at];
		/* The reader never goes back, nor past the input. */
		if (capture_offset(&c) < last || capture_offset(&c) > size)
			abort();
		last = capture_offset(&c);
	}
	(void)sink;
	capture_close(&c);
	return 0;
}
