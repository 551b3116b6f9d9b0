// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness over the host build of the shared parser (bpf/sip_parse.h)
 * and the fast path in front of it and after its walk (bpf/sip_fast.h, in the
 * kernel's order: tests/lib/staged.h), the very code the XDP program runs. Built with
 * -fsanitize=fuzzer,address,undefined: ASan proves nothing before or past
 * data_end is read, UBSan that no read is undefined, and the checks below
 * what every outcome must look like, whatever the bytes.
 *
 * Alignment: built with -fno-sanitize=alignment (the rest of UBSan stays on).
 * The parser reads struct iphdr and friends in place, and since it follows
 * tunnels no placement of a frame aligns every header it reads: from the
 * 2-byte offset of NET_IP_ALIGN the outer IP header is 4-byte aligned, but
 * the inner one of VXLAN (frame offset 64), gretap (52) or ERSPAN (64) is
 * then 2 bytes off, as it is in the kernel. There that is fine: x86-64 and
 * arm64 load unaligned packet data, and the verifier only insists on
 * alignment under BPF_F_STRICT_ALIGNMENT, which we never set. The frame
 * still starts 2 bytes into its block, as the NIC would place it, and the
 * block ends exactly at data_end, so any overread hits ASan's redzone; only
 * a read 1-2 bytes before data would go unseen, and the cursor never moves
 * backwards.
 */
#include <netinet/in.h> /* before sip_parse.h: see the note at its top */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staged.h" /* includes sip_fast.h and sip_parse.h */

/*
 * Each frame counts in one outcome below PKT_OUTCOME_MAX; a tunnelled one
 * also in the PKT_DECAP_* entry res.decap names (0: not tunnelled).
 */
#ifdef PKT_OUTCOME_MAX
#define OUTCOME_LIMIT PKT_OUTCOME_MAX
#define DECAP_OF(res) ((res)->decap)
#else
#define OUTCOME_LIMIT PKT_RESULT_MAX
#define DECAP_OF(res) 0
#endif

#define FRAME_HEADROOM 2  /* NET_IP_ALIGN */
#define PREFIX_CUTS    16 /* prefixes of each input parsed again */

/* The port filters of tests/lib/fixtures.c: none, one, and the most there may be. */
static const struct sip6xx_config cfg_any = { .nr_ports = 0 };
static const struct sip6xx_config cfg_5060 = { .ports = { 5060 }, .nr_ports = 1 };
static const struct sip6xx_config cfg_8ports = {
	.ports = { 5060, 5061, 5062, 5070, 5080, 5160, 6060, 15060 },
	.nr_ports = 8,
};

struct run {
	int ret;
	struct sip_parse_result res;
};

static void __attribute__((noreturn)) broken(const char *what, const struct run *r)
{
	fprintf(stderr, "fuzz_parse: invariant broken: %s (outcome %d, code %u, family %u)\n", what,
		r->ret, r->res.code, r->res.family);
	abort();
}

/* A fast decision @ret (@what decided it) agrees with the full parse in @r. */
static void check_fast(struct sip_step st, const struct sip_fast_result *fr, const char *what,
		       const struct run *r)
{
	union sip_peer_key a, b;
	char msg[128];

	if (st.next == SIP_SLOW)
		return;
	snprintf(msg, sizeof(msg), "%s decided another outcome, code or responder", what);
	if (st.next != SIP_DECIDED || st.outcome != (enum pkt_result)r->ret)
		broken(msg, r);
	if (st.outcome != PKT_SIP_RESPONSE)
		return;
	if (fr->code != r->res.code)
		broken(msg, r);
	if (fr->code < 600)
		return;
	if (fr->family != r->res.family)
		broken(msg, r);
	sip_peer_key_fill(&a, fr->saddr, fr->family, 0, 0, 0);
	sip_peer_key_fill(&b, fr->family == SIP6XX_FAMILY_IPV4 ? &r->res.saddr[12] : r->res.saddr,
			  fr->family, 0, 0, 0);
	if (memcmp(&a, &b, sizeof(a)))
		broken(msg, r);
}

/* The fast path, and the kernel's staged order (tests/lib/staged.h), against the full parse. */
static void check_stages(__u8 *data, size_t len, const struct sip6xx_config *cfg,
			 const struct run *r)
{
	struct sip_fast_result fr;
	struct sip_step st;

	st = sip_fast_frame(data, data + len, cfg, &fr);
	check_fast(st, &fr, "the fast path", r);
	st = staged_parse(data, data + len, cfg, &fr);
	if (st.next == SIP_SLOW && r->ret == PKT_SIP_RESPONSE)
		broken("the staged parse left a response to the generic payload stage", r);
	check_fast(st, &fr, "the staged parse", r);
}

/*
 * Parses @len bytes of @frame from a fresh heap block that ends exactly where
 * the frame does, and checks the parser left the bytes as they were.
 */
static struct run parse(const __u8 *frame, size_t len, const struct sip6xx_config *cfg)
{
	__u8 *block = malloc(FRAME_HEADROOM + len);
	__u8 *data = block + FRAME_HEADROOM;
	struct run r;

	if (!block)
		abort();
	memcpy(data, frame, len);
	/* Poison: a field the parser forgets to fill must not pass by luck. */
	memset(&r.res, 0xa5, sizeof(r.res));
	r.ret = sip_parse_frame(data, data + len, cfg, &r.res);
	if (memcmp(data, frame, len))
		broken("the parser wrote to the frame", &r);
	check_stages(data, len, cfg, &r);
	free(block);
	return r;
}

static int all_zero(const __u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* The responder's address is copied from the frame: its bytes must be in it. */
static int in_frame(const __u8 *data, size_t len, const __u8 *addr, size_t alen)
{
	return alen <= len && memmem(data, len, addr, alen) != NULL;
}

static void check_result(const __u8 *data, size_t len, const struct run *r)
{
	static const __u8 v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (r->ret < 0 || r->ret >= OUTCOME_LIMIT)
		broken("outcome out of range", r);
	if (DECAP_OF(&r->res) &&
	    (DECAP_OF(&r->res) < OUTCOME_LIMIT || DECAP_OF(&r->res) >= PKT_RESULT_MAX))
		broken("decapsulation kind out of range", r);
	if (r->ret != PKT_SIP_RESPONSE) {
		if (r->res.code)
			broken("a code without a response", r);
	} else if (r->res.code < SIP_CODE_MIN || r->res.code > SIP_CODE_MAX) {
		broken("response code outside 100..699", r);
	}
	if (r->ret != PKT_SIP_RESPONSE || r->res.code < 600) {
		if (r->res.family || !all_zero(r->res.saddr, sizeof(r->res.saddr)))
			broken("a responder address without a 6xx", r);
		return;
	}
	if (r->res.family == SIP6XX_FAMILY_IPV4) {
		if (memcmp(r->res.saddr, v4_mapped, sizeof(v4_mapped)))
			broken("IPv4 responder not IPv4-mapped", r);
		if (!in_frame(data, len, &r->res.saddr[12], 4))
			broken("IPv4 responder address not taken from the frame", r);
	} else if (r->res.family == SIP6XX_FAMILY_IPV6) {
		if (!in_frame(data, len, r->res.saddr, 16))
			broken("IPv6 responder address not taken from the frame", r);
	} else {
		broken("6xx without address family 4 or 6", r);
	}
}

static int same(const struct run *a, const struct run *b)
{
	return a->ret == b->ret && !memcmp(&a->res, &b->res, sizeof(a->res));
}

static int port_listed(const struct sip6xx_config *cfg, __u16 port)
{
	int i;

	for (i = 0; i < cfg->nr_ports; i++)
		if (cfg->ports[i] == port)
			return 1;
	return 0;
}

/*
 * A port filter only ever turns an outcome into filtered_port: otherwise the
 * filtered parse is the unfiltered one, field for field. It filters exactly
 * the datagrams whose ports it does not list.
 */
static void check_filter(const struct run *any, const struct run *f,
			 const struct sip6xx_config *cfg)
{
	int listed = port_listed(cfg, any->res.sport) || port_listed(cfg, any->res.dport);

	if (any->ret == PKT_FILTERED_PORT)
		broken("filtered_port without a port filter", any);
	if (f->ret != PKT_FILTERED_PORT) {
		if (!same(any, f))
			broken("a port filter changed an outcome other than to filtered_port", f);
		return;
	}
	if (listed)
		broken("filtered a datagram whose port the filter lists", f);
	if (f->res.sport != any->res.sport || f->res.dport != any->res.dport)
		broken("filtered_port reports other ports than the unfiltered parse", f);
}

/*
 * Bytes past a cut can only be missing, never contradict: a prefix is either
 * truncated or decided exactly as the whole frame is (tests/unit checks the
 * same over the fixtures' every prefix).
 */
static void check_prefix(const __u8 *data, size_t cut, const struct run *whole,
			 const struct sip6xx_config *cfg)
{
	struct run part = parse(data, cut, cfg);

	check_result(data, cut, &part);
	if (part.ret == PKT_TRUNCATED)
		return;
	if (part.ret != whole->ret || part.res.code != whole->res.code ||
	    DECAP_OF(&part.res) != DECAP_OF(&whole->res) || part.res.family != whole->res.family ||
	    memcmp(part.res.saddr, whole->res.saddr, sizeof(part.res.saddr)))
		broken("a prefix neither truncated nor decided as the whole frame", &part);
}

/* FNV-1a: prefix cut points depend on the input only, so a crash replays. */
static __u64 input_hash(const __u8 *p, size_t n)
{
	__u64 h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct run any, again, f5060, f8;
	__u64 h;
	int i;

	any = parse(data, len, &cfg_any);
	check_result(data, len, &any);
	if (len < 14 && any.ret != PKT_TRUNCATED)
		broken("less than an Ethernet header, yet not truncated", &any);
	again = parse(data, len, &cfg_any);
	if (!same(&any, &again))
		broken("two parses of the same frame differ", &again);

	f5060 = parse(data, len, &cfg_5060);
	check_result(data, len, &f5060);
	check_filter(&any, &f5060, &cfg_5060);
	f8 = parse(data, len, &cfg_8ports);
	check_result(data, len, &f8);
	check_filter(&any, &f8, &cfg_8ports);

	if (!len)
		return 0;
	check_prefix(data, len - 1, &any, &cfg_any);
	h = input_hash(data, len);
	for (i = 1; i < PREFIX_CUTS; i++, h = h * 6364136223846793005ULL + 1)
		check_prefix(data, (h >> 33) % len, &any, &cfg_any);
	return 0;
}
