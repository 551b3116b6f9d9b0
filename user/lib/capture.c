// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Reading a capture for --replay. Input goes through a stdio cookie that
 * counts the bytes handed out and can give back the magic number read to
 * choose the reader, so stdin works like a file and a cut can be placed to
 * the byte. pcap files go to libpcap; pcapng is walked here (libpcap takes
 * only one link type per file), with every length checked against the block
 * it sits in: the file is untrusted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "log.h"

#define PCAPNG_SHB	     0x0A0D0D0A
#define PCAPNG_IDB	     1
#define PCAPNG_OPB	     2 /* obsolete packet block */
#define PCAPNG_SPB	     3
#define PCAPNG_EPB	     6
#define PCAPNG_BOM	     0x1A2B3C4D
#define PCAPNG_BLOCK_MAX     (16U << 20) /* as libpcap's initial limit */
#define PCAPNG_IFACES_MAX    65536
#define PCAPNG_OPT_TSRESOL   9
#define PCAPNG_OPT_TSOFFSET  14
#define PCAPNG_DEFAULT_TSRES 1000000

/* The cookie behind capture->fp. */
struct counted_input {
	FILE *in;
	__u8 head[4]; /* the magic number, read before the reader was chosen */
	size_t head_len, head_pos;
	__u64 count; /* bytes handed out */
	bool eof;    /* the input ended (a short read follows) */
};

static ssize_t counted_read(void *cookie, char *buf, size_t size)
{
	struct counted_input *ci = cookie;
	size_t n = 0;

	while (n < size && ci->head_pos < ci->head_len)
		buf[n++] = ci->head[ci->head_pos++];
	if (n < size) {
		n += fread(buf + n, 1, size - n, ci->in);
		if (ferror(ci->in))
			return -1;
		if (n < size)
			ci->eof = true;
	}
	ci->count += n;
	return n;
}

static int counted_close(void *cookie)
{
	struct counted_input *ci = cookie;

	if (ci->in != stdin)
		fclose(ci->in);
	free(ci);
	return 0;
}

/*
 * @in, through a counting cookie. Unbuffered, so that what the cookie counted
 * is what the reader consumed: the offset of a cut is exact.
 */
static int open_counted(struct capture *c, FILE *in)
{
	struct counted_input *ci = calloc(1, sizeof(*ci));
	cookie_io_functions_t io = { .read = counted_read, .close = counted_close };

	if (!ci) {
		if (in != stdin)
			fclose(in);
		return -ENOMEM;
	}
	ci->in = in;
	ci->head_len = fread(ci->head, 1, sizeof(ci->head), ci->in);
	c->fp = fopencookie(ci, "rb", io);
	if (!c->fp) {
		counted_close(ci);
		return -ENOMEM;
	}
	setvbuf(c->fp, NULL, _IONBF, 0);
	c->in = ci;
	return 0;
}

/* Drops libpcap's own "PATH: " prefix, as our messages name the file already. */
static const char *pcap_reason(const char *path, const char *msg)
{
	size_t n = strlen(path);

	if (!strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2))
		return msg + n + 2;
	return msg;
}

static int open_pcap(struct capture *c)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";

	c->pcap = pcap_fopen_offline(c->fp, errbuf);
	if (!c->pcap) {
		pr_err("replay: %s: %s (replay reads pcap and pcapng; convert other formats, "
		       "ERF or NetMon for instance, with editcap -F pcapng -T ether)\n",
		       c->name, pcap_reason(c->name, errbuf));
		return -EINVAL;
	}
	c->fp = NULL; /* libpcap closes it */
	c->linktype = pcap_datalink(c->pcap);
	return 0;
}

int capture_fopen(struct capture *c, FILE *in, const char *name)
{
	static const __u8 shb[4] = { 0x0A, 0x0D, 0x0D, 0x0A };
	int err;

	memset(c, 0, sizeof(*c));
	c->name = name;
	err = open_counted(c, in);
	if (err) {
		pr_err("replay: %s: %s\n", name, strerror(-err));
		return err;
	}
	if (c->in->head_len == sizeof(shb) && !memcmp(c->in->head, shb, sizeof(shb)))
		return 0; /* pcapng: walked here */
	err = open_pcap(c);
	if (err)
		capture_close(c);
	return err;
}

int capture_open(struct capture *c, const char *path)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	int err;

	if (!in) {
		err = -errno;
		pr_err("replay: %s: %s\n", path, strerror(-err));
		return err;
	}
	return capture_fopen(c, in, in == stdin ? "stdin" : path);
}

__u64 capture_offset(const struct capture *c)
{
	return c->offset;
}

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap);
	if (c->fp)
		fclose(c->fp);
	free(c->ifs);
	free(c->block);
	memset(c, 0, sizeof(*c));
}

static int next_pcap(struct capture *c, __u64 record, struct pcap_pkthdr **hdr, const __u8 **data,
		     int *linktype)
{
	int ret = pcap_next_ex(c->pcap, hdr, data);

	if (ret == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	if (ret == 1) {
		c->offset = c->in->count;
		*linktype = c->linktype;
		return CAPTURE_RECORD;
	}
	/* libpcap says "truncated dump file"; the cookie says whether the input ended. */
	if (c->in->eof)
		return CAPTURE_TRUNCATED;
	pr_err("replay: %s: record %llu: %s\n", c->name, (unsigned long long)record,
	       pcap_geterr(c->pcap));
	return -EIO;
}

static __u16 ng16(const struct capture *c, const __u8 *p)
{
	__u16 v;

	memcpy(&v, p, sizeof(v));
	return c->swapped ? __builtin_bswap16(v) : v;
}

static __u32 ng32(const struct capture *c, const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return c->swapped ? __builtin_bswap32(v) : v;
}

static __u64 ng64(const struct capture *c, const __u8 *p)
{
	__u64 v;

	memcpy(&v, p, sizeof(v));
	return c->swapped ? __builtin_bswap64(v) : v;
}

static int ng_bad(const struct capture *c, const char *what)
{
	pr_err("replay: %s: the pcapng block at byte %llu is malformed: %s\n", c->name,
	       (unsigned long long)c->offset, what);
	return -EINVAL;
}

/* Reads @len bytes; 1, 0 at a clean end (nothing read and @may_end), or -1 when cut short. */
static int read_exact(struct capture *c, void *buf, size_t len, bool may_end)
{
	size_t n = fread(buf, 1, len, c->fp);

	if (n == len)
		return 1;
	return !n && may_end && !ferror(c->fp) ? 0 : -1;
}

/* The section header: its byte order, and a new set of interfaces. */
static int ng_section(struct capture *c, const __u8 *body, __u32 len)
{
	/* Byte-order magic (read already), major and minor version, section length. */
	if (len < 16)
		return ng_bad(c, "section header shorter than 28 bytes");
	if (ng16(c, body + 4) != 1)
		return ng_bad(c, "section of a pcapng major version other than 1");
	c->nr_ifs = 0;
	return 0;
}

/* if_tsresol and if_tsoffset from an interface's options; the rest is skipped. */
static void ng_iface_options(const struct capture *c, struct pcapng_iface *ifc, const __u8 *opt,
			     __u32 len)
{
	__u32 pos = 0, olen, code, exp;

	while (pos + 4 <= len) {
		code = ng16(c, opt + pos);
		olen = ng16(c, opt + pos + 2);
		pos += 4;
		if (!code || olen > len - pos)
			return;
		if (code == PCAPNG_OPT_TSRESOL && olen >= 1) {
			exp = opt[pos] & 0x7f;
			if (opt[pos] & 0x80) {
				ifc->ts_per_second = exp < 64 ? 1ULL << exp : 0;
			} else {
				ifc->ts_per_second = 1;
				while (exp-- && ifc->ts_per_second <= ~0ULL / 10)
					ifc->ts_per_second *= 10;
			}
			if (!ifc->ts_per_second)
				ifc->ts_per_second = PCAPNG_DEFAULT_TSRES;
		} else if (code == PCAPNG_OPT_TSOFFSET && olen >= 8) {
			ifc->ts_offset = (__s64)ng64(c, opt + pos);
		}
		pos += (olen + 3) & ~3U;
	}
}

/*
 * pcapng holds LINKTYPE_ values; libpcap names DLT_ ones. They differ for a
 * few, raw IP among them (DLT_RAW is 12 or 14 by platform; pcap-linktype(7)).
 */
static int linktype_to_dlt(int linktype)
{
	switch (linktype) {
	case 100:
		return DLT_ATM_RFC1483;
	case 101:
		return DLT_RAW;
	case 102:
		return DLT_SLIP_BSDOS;
	case 103:
		return DLT_PPP_BSDOS;
	default:
		return linktype;
	}
}

static int ng_interface(struct capture *c, const __u8 *body, __u32 len)
{
	struct pcapng_iface *ifc;

	if (len < 8)
		return ng_bad(c, "interface description shorter than 20 bytes");
	if (c->nr_ifs == PCAPNG_IFACES_MAX)
		return ng_bad(c, "more than 65536 interfaces in one section");
	if (c->nr_ifs == c->cap_ifs) {
		__u32 ncap = c->cap_ifs ? c->cap_ifs * 2 : 8;

		ifc = realloc(c->ifs, ncap * sizeof(*ifc));
		if (!ifc)
			return -ENOMEM;
		c->ifs = ifc;
		c->cap_ifs = ncap;
	}
	ifc = &c->ifs[c->nr_ifs++];
	ifc->linktype = linktype_to_dlt(ng16(c, body));
	ifc->snaplen = ng32(c, body + 4);
	ifc->ts_per_second = PCAPNG_DEFAULT_TSRES;
	ifc->ts_offset = 0;
	ng_iface_options(c, ifc, body + 8, len - 8);
	return 0;
}

static void ng_timestamp(const struct pcapng_iface *ifc, __u64 ts, struct timeval *tv)
{
	__u64 frac = ts % ifc->ts_per_second;
	long long sec;

	/*
	 * if_tsoffset comes from the file: a sum that does not fit (undefined
	 * for signed integers) or a time before 1970 reads as 0.
	 */
	if (__builtin_add_overflow((long long)(ts / ifc->ts_per_second), (long long)ifc->ts_offset,
				   &sec) ||
	    sec < 0 || sec != (time_t)sec)
		sec = 0;
	tv->tv_sec = (time_t)sec;
	tv->tv_usec = (suseconds_t)((unsigned __int128)frac * 1000000 / ifc->ts_per_second);
}

/* A packet block: interface, timestamp and data; 1 with the record set, or -errno. */
static int ng_packet(struct capture *c, __u32 type, const __u8 *body, __u32 len, const __u8 **data,
		     int *linktype)
{
	const struct pcapng_iface *ifc;
	__u32 iface, hdr_len, caplen, origlen;
	__u64 ts = 0;

	if (type == PCAPNG_SPB) {
		if (len < 4 || !c->nr_ifs)
			return ng_bad(c, "simple packet block without an interface or a length");
		iface = 0;
		hdr_len = 4;
		origlen = ng32(c, body);
		caplen = origlen < len - hdr_len ? origlen : len - hdr_len;
	} else {
		hdr_len = 20;
		if (len < hdr_len)
			return ng_bad(c, "packet block shorter than 32 bytes");
		iface = type == PCAPNG_OPB ? ng16(c, body) : ng32(c, body);
		ts = (__u64)ng32(c, body + 4) << 32 | ng32(c, body + 8);
		caplen = ng32(c, body + 12);
		origlen = ng32(c, body + 16);
		if (caplen > len - hdr_len)
			return ng_bad(c, "captured length larger than its block");
	}
	if (iface >= c->nr_ifs)
		return ng_bad(c, "packet of an interface no interface block describes");
	ifc = &c->ifs[iface];
	if (ifc->snaplen && caplen > ifc->snaplen)
		caplen = ifc->snaplen;
	ng_timestamp(ifc, ts, &c->hdr.ts);
	c->hdr.caplen = caplen;
	c->hdr.len = origlen;
	*data = body + hdr_len;
	*linktype = ifc->linktype;
	return 1;
}

/* One whole block into c->block; 1, CAPTURE_END, CAPTURE_TRUNCATED or -errno. */
static int ng_read_block(struct capture *c, __u32 *type, __u32 *body_len)
{
	__u8 head[12], *nb;
	__u32 total, trailer;
	int r;

	r = read_exact(c, head, 8, true);
	if (r <= 0)
		return r ? CAPTURE_TRUNCATED : CAPTURE_END;
	memcpy(type, head, 4);
	if (*type == PCAPNG_SHB) {
		/* The byte-order magic after the length says how to read the length. */
		if (read_exact(c, head + 8, 4, false) < 0)
			return CAPTURE_TRUNCATED;
		memcpy(&trailer, head + 8, 4);
		if (trailer != PCAPNG_BOM && trailer != __builtin_bswap32(PCAPNG_BOM))
			return ng_bad(c, "section header without the byte-order magic");
		c->swapped = trailer != PCAPNG_BOM;
	}
	*type = ng32(c, head);
	total = ng32(c, head + 4);
	if (total < 12 || total % 4 || total > PCAPNG_BLOCK_MAX)
		return ng_bad(c, "block length not a multiple of 4 in 12..16 MiB");
	*body_len = total - 12;
	if (c->block_cap < total) {
		nb = realloc(c->block, total);
		if (!nb)
			return -ENOMEM;
		c->block = nb;
		c->block_cap = total;
	}
	if (*type == PCAPNG_SHB) {
		if (*body_len < 4)
			return ng_bad(c, "section header shorter than 28 bytes");
		memcpy(c->block, head + 8, 4);
		r = read_exact(c, c->block + 4, *body_len - 4, false);
	} else {
		r = read_exact(c, c->block, *body_len, false);
	}
	if (r < 0 || read_exact(c, &trailer, 4, false) < 0)
		return CAPTURE_TRUNCATED;
	if (ng32(c, (const __u8 *)&trailer) != total)
		return ng_bad(c, "the trailing block length differs from the leading one");
	return 1;
}

static int next_pcapng(struct capture *c, struct pcap_pkthdr **hdr, const __u8 **data,
		       int *linktype)
{
	__u32 type, len;
	int r;

	for (;;) {
		r = ng_read_block(c, &type, &len);
		if (r != 1)
			return r;
		if (type == PCAPNG_SHB)
			r = ng_section(c, c->block, len);
		else if (type == PCAPNG_IDB)
			r = ng_interface(c, c->block, len);
		else if (type == PCAPNG_EPB || type == PCAPNG_SPB || type == PCAPNG_OPB)
			r = ng_packet(c, type, c->block, len, data, linktype);
		else
			r = 0; /* name resolution, statistics, custom...: nothing to count */
		if (r < 0)
			return r;
		c->offset = c->in->count;
		if (r == 1) {
			*hdr = &c->hdr;
			return CAPTURE_RECORD;
		}
	}
}

int capture_next(struct capture *c, __u64 record, struct pcap_pkthdr **hdr, const __u8 **data,
		 int *linktype)
{
	if (c->pcap)
		return next_pcap(c, record, hdr, data, linktype);
	return next_pcapng(c, hdr, data, linktype);
}
