// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Writes the fuzz seed corpus: every frame of the shared fixture table
 * (tests/lib/fixtures.c), and each uncut one wrapped in every tunnel of
 * tunnel_wrap() (tests/lib/frames.c), one file per frame, named by content so reruns
 * overwrite rather than pile up. Generated at build time, never committed.
 *   seed_corpus DIR
 */
#include <netinet/in.h> /* first: see bpf/sip_parse.h */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixtures.h"

#define SEED_MAX_LEN (FRAME_MAX_LEN + TUNNEL_MAX_OVERHEAD)

static __u64 fnv1a(const __u8 *p, size_t n)
{
	__u64 h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static int write_seed(const char *dir, const char *kind, const __u8 *frame, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%016llx", dir, kind,
		 (unsigned long long)fnv1a(frame, len));
	f = fopen(path, "wb");
	if (!f || fwrite(frame, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "seed_corpus: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned int variants[] = { 0, TUNNEL_VAR_CSUM | TUNNEL_VAR_KEY |
							    TUNNEL_VAR_SEQ | TUNNEL_VAR_VLAN |
							    TUNNEL_VAR_IPV4_OPT };
	const struct fixture *fx;
	__u8 wrapped[SEED_MAX_LEN];
	size_t nr, i, len, wlen, n = 0;
	unsigned int k, v;
	__u8 *frame;

	if (argc != 2) {
		fprintf(stderr, "usage: seed_corpus DIR\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) && errno != EEXIST) {
		fprintf(stderr, "seed_corpus: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fx = fixtures_get(&nr);
	for (i = 0; i < nr; i++) {
		frame = fixture_frame(&fx[i], &len);
		if (write_seed(argv[1], "fixture", frame, len))
			return 1;
		n++;
		/* Wrap the whole frames that reach a SIP line; cut ones add nothing new. */
		for (k = 0; !fx[i].cut && fx[i].want >= PKT_NOT_SIP && k < TUNNEL_KIND_MAX; k++) {
			for (v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
				wlen = tunnel_wrap(k, variants[v], frame, len, wrapped,
						   sizeof(wrapped));
				if (!wlen)
					continue;
				if (write_seed(argv[1], tunnel_names[k], wrapped, wlen))
					return 1;
				n++;
			}
		}
		free(frame);
	}
	printf("seed_corpus: %zu seeds in %s\n", n, argv[1]);
	return 0;
}
