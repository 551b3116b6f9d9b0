/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one fixture table that the host parser test (tests/unit) and the XDP
 * test_run test (tests/bpf) both walk, in the style of katran's
 * lib/testing/fixtures: a frame, a one-line description, and what DESIGN.md
 * and RFC 3261 say the parser must make of it.
 */
#ifndef SIP6XX_TESTS_FIXTURES_H
#define SIP6XX_TESTS_FIXTURES_H

#include "frames.h" /* first: <netinet/in.h> before any UAPI header */
#include "maps.h"   /* pkt_result_name(): the result label values */
#include "sip6xx.h"

#define FIXTURE_DESC_MAX 160

/* The port filters the fixtures run under; the XDP test loads one object per filter. */
enum fixture_cfg {
	FIXTURE_CFG_ANY = 0, /* no --port: every UDP port */
	FIXTURE_CFG_5060,    /* --port 5060 */
	FIXTURE_CFG_8PORTS,  /* eight --port options, the most the contract allows */
	FIXTURE_CFG_MAX,
};

struct fixture {
	char desc[FIXTURE_DESC_MAX];
	struct frame_spec frame;
	bool cut; /* the frame ends after cut_len bytes: nothing past it exists */
	size_t cut_len;
	enum fixture_cfg cfg;
	int want;	 /* enum pkt_result: the outcome, below PKT_OUTCOME_MAX */
	__u16 code;	 /* PKT_SIP_RESPONSE: the status code */
	__u8 family;	 /* 6xx: SIP6XX_FAMILY_IPV4 or _IPV6 */
	__u8 saddr[16];	 /* 6xx: the responder, IPv4-mapped for IPv4 */
	bool want_ports; /* the parser reached UDP (the inner one after a decap): ports known */
	__u16 sport, dport;
	__u8 decap; /* PKT_DECAP_* the frame counts in besides want; 0: none */
};

/* The whole table, built on first use; aborts if a fixture is inconsistent. */
const struct fixture *fixtures_get(size_t *nr);

const struct sip6xx_config *fixture_config(enum fixture_cfg cfg);

/*
 * The fixture's frame in a malloc()ed buffer of exactly its length, so any
 * read past data_end is a heap overread that valgrind or ASan reports.
 * Free it with free().
 */
__u8 *fixture_frame(const struct fixture *f, size_t *len);

#endif /* SIP6XX_TESTS_FIXTURES_H */
