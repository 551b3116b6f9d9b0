#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Send a known mix of frames on one veth end and write what the exporter on
the other end must count.

Run inside the sending namespace; frames go out with sendp() at L2, so every
byte (VLAN tags, fragments, a cut UDP payload) is exactly what the test says.
Addresses are from 198.18.0.0/15 and 2001:db8::/32 only.

The expectation file has one line per check: "eq|ge|zero|sum SERIES VALUE". "eq" is for
what only this script can cause (SIP responses, requests, 6xx per source).
"ge" is for outcomes the kernels in the two namespaces add to on their own
(ARP, IPv6 neighbour discovery, ICMP errors answering our frames). "zero" is
for a series that must be 0 or absent (a code the port filter hid); "sum"
compares the sum of every sample of a metric name, whatever its labels.

Usage: send_mix.py --iface vethB --src-mac M --dst-mac M --rx-iface vethA
                   [--profile full|short|many] [--filter-port N ...] [--expect FILE]
"""
import argparse
import collections
import sys

from scapy.all import (
    ARP, IP, TCP, UDP, Dot1Q, Ether, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, Raw, sendp,
)

DST4 = "198.18.0.1"
DST6 = "2001:db8::1"
NAMED_6XX = (600, 603, 604, 606, 607, 608)
RESULTS = ("non_ip", "non_udp", "fragment", "truncated", "not_sip", "sip_request",
           "sip_response", "malformed", "filtered_port", "unparsed")
# Outcomes that the namespaces' own kernels may add to (ARP, ND, MLD, ICMP errors).
NOISY = ("non_ip", "non_udp", "not_sip", "fragment")

REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 404: "Not Found", 486: "Busy Here",
           503: "Service Unavailable", 600: "Busy Everywhere", 603: "Decline",
           604: "Does Not Exist Anywhere", 606: "Not Acceptable", 607: "Unwanted",
           608: "Rejected", 699: "Unassigned Global Failure"}


class Frame:
    """One frame, and what the parser must conclude about it."""

    def __init__(self, pkt, result, code=None, source=None, ports=None):
        self.pkt = pkt
        self.result = result        # enum pkt_result name, with no port filter
        self.code = code            # status code, for responses
        self.source = source        # canonical text of the responder, for 6xx
        self.ports = ports          # (sport, dport) when the frame reaches UDP


def sip_response(code, seq, extra=""):
    return ("SIP/2.0 %d %s\r\n"
            "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK-mix%d\r\n"
            "From: <sip:alice@example.invalid>;tag=a%d\r\n"
            "To: <sip:bob@example.invalid>;tag=b%d\r\n"
            "Call-ID: mix-%d@198.18.0.1\r\n"
            "CSeq: 1 INVITE\r\n%s"
            "Content-Length: 0\r\n\r\n" % (code, REASONS[code], seq, seq, seq, seq, extra))


def sip_request(method, uri, seq):
    return ("%s %s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 198.18.0.2:5060;branch=z9hG4bK-req%d\r\n"
            "From: <sip:carol@example.invalid>;tag=c%d\r\n"
            "To: <sip:alice@example.invalid>\r\n"
            "Call-ID: req-%d@198.18.0.2\r\n"
            "CSeq: 1 %s\r\n"
            "Content-Length: 0\r\n\r\n" % (method, uri, seq, seq, seq, method))


class Mix:
    def __init__(self, smac, dmac):
        self.smac, self.dmac = smac, dmac
        self.frames = []
        self.seq = 0

    def l2(self, *tags):
        """Ethernet header, plus 802.1ad/802.1Q tags (outer first) as (tpid, vid)."""
        if not tags:
            return Ether(src=self.smac, dst=self.dmac)
        eth = Ether(src=self.smac, dst=self.dmac, type=tags[0][0])
        hdr = eth
        for i, (_, vid) in enumerate(tags):
            nxt = tags[i + 1][0] if i + 1 < len(tags) else None
            hdr = hdr / (Dot1Q(vlan=vid, type=nxt) if nxt else Dot1Q(vlan=vid))
        return hdr

    def ip(self, src):
        return IPv6(src=src, dst=DST6) if ":" in src else IP(src=src, dst=DST4)

    def response(self, n, code, src, canon=None, sport=5060, dport=5060, tags=(), extra="",
                 text=None):
        for _ in range(n):
            self.seq += 1
            payload = text or sip_response(code, self.seq, extra)
            pkt = self.l2(*tags) / self.ip(src) / UDP(sport=sport, dport=dport) / Raw(payload)
            self.frames.append(Frame(pkt, "sip_response", code,
                                     (canon or src) if code >= 600 else None, (sport, dport)))

    def request(self, method, src, uri):
        self.seq += 1
        pkt = (self.l2() / self.ip(src) / UDP(sport=5060, dport=5060) /
               Raw(sip_request(method, uri, self.seq)))
        self.frames.append(Frame(pkt, "sip_request", ports=(5060, 5060)))

    def udp(self, result, payload, src="198.18.0.2", sport=5060, dport=5060, ulen=None):
        u = UDP(sport=sport, dport=dport) if ulen is None else UDP(sport=sport, dport=dport,
                                                                   len=ulen)
        pkt = self.l2() / self.ip(src) / u / Raw(payload)
        self.frames.append(Frame(pkt, result, ports=(sport, dport)))

    def raw(self, pkt, result, code=None, source=None, ports=None):
        self.frames.append(Frame(pkt, result, code, source, ports))


def full_mix(m):
    """Every outcome, every named 6xx, several responders, v4 and v6."""
    m.response(5, 607, "198.18.0.2")
    m.response(3, 608, "198.18.0.2",
               extra="Call-Info: <https://example.invalid/jws>;purpose=jwscard\r\n")
    m.response(2, 603, "2001:db8::2")
    m.response(1, 600, "198.18.0.3")
    # Not canonical as written: the exporter must print RFC 5952 text.
    m.response(1, 604, "2001:0db8:0000:0000:0001:0000:0000:0001", canon="2001:db8::1:0:0:1")
    m.response(1, 606, "198.18.0.2")
    m.response(1, 699, "198.18.0.2")
    # RFC 3261 7.1: the SIP-Version is case-insensitive.
    m.response(1, 603, "198.18.0.2", text=sip_response(603, 9999).replace("SIP/2.0", "sip/2.0", 1))
    # Tagged frames: QinQ (802.1ad outer, 802.1Q inner) and a single 802.1Q tag.
    m.response(1, 607, "198.18.0.4", tags=((0x88a8, 100), (0x8100, 200)))
    m.response(1, 608, "2001:db8::4", tags=((0x8100, 300),))
    # IPv6 extension headers before UDP.
    m.seq += 1
    pkt = (m.l2() / IPv6(src="2001:db8::5", dst=DST6) / IPv6ExtHdrHopByHop() /
           IPv6ExtHdrDestOpt() / UDP(sport=5060, dport=5060) / Raw(sip_response(600, m.seq)))
    m.raw(pkt, "sip_response", 600, "2001:db8::5", (5060, 5060))
    # A fragmented 606: the first fragment holds the status line, the later one is skipped.
    m.seq += 1
    body = sip_response(606, m.seq, extra="X-Padding: %s\r\n" % ("p" * 200))
    dgram = bytes(IP(src="198.18.0.5", dst=DST4) / UDP(sport=5060, dport=5060) / Raw(body))[20:]
    m.raw(m.l2() / IP(src="198.18.0.5", dst=DST4, id=4242, flags="MF", frag=0, proto=17) /
          Raw(dgram[:128]), "sip_response", 606, "198.18.0.5", (5060, 5060))
    m.raw(m.l2() / IP(src="198.18.0.5", dst=DST4, id=4242, frag=16, proto=17) /
          Raw(dgram[128:]), "fragment")

    m.response(4, 200, "198.18.0.2")
    m.response(2, 486, "2001:db8::2")
    m.response(1, 180, "198.18.0.2")
    m.response(1, 404, "198.18.0.2", sport=5080, dport=5080)
    m.response(1, 503, "198.18.0.2", sport=40000, dport=45000)

    m.request("INVITE", "198.18.0.2", "sip:alice@198.18.0.1")
    m.request("REGISTER", "2001:db8::2", "sip:example.invalid")
    m.request("OPTIONS", "198.18.0.2", "sips:alice@example.invalid")

    m.udp("not_sip", b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", dport=53)
    m.udp("not_sip", b"HTTP/1.1 200 OK\r\n\r\n")
    m.udp("not_sip", b"\x80\x00\x00\x01" + b"\x00" * 28, sport=20000, dport=20002)
    m.udp("not_sip", b"hello sip6xx", src="2001:db8::2")

    m.raw(m.l2() / IP(src="198.18.0.2", dst=DST4) / TCP(sport=40001, dport=5060, flags="S"),
          "non_udp")
    # SIP over TCP is out of scope: the status line in it must not count.
    m.raw(m.l2() / IP(src="198.18.0.2", dst=DST4) / TCP(sport=5060, dport=40002, flags="PA") /
          Raw(sip_response(607, 1)), "non_udp")
    m.raw(Ether(src=m.smac, dst="ff:ff:ff:ff:ff:ff") /
          ARP(op=1, hwsrc=m.smac, psrc="198.18.0.2", pdst="198.18.0.1"), "non_ip")

    # Starts like SIP, but is not a valid status line.
    m.udp("malformed", b"SIP/2.0 6O7 Unwanted\r\n\r\n")
    m.udp("malformed", b"SIP/3.0 200 OK\r\n\r\n")
    # The UDP header claims 100 payload bytes; the frame ends after 9.
    m.udp("truncated", b"SIP/2.0 6", ulen=108)


def short_mix(m):
    """A few frames: enough to show a mode attaches and counts."""
    m.response(2, 607, "198.18.0.2")
    m.response(1, 603, "2001:db8::2")
    m.response(1, 200, "198.18.0.2")
    m.request("INVITE", "198.18.0.2", "sip:alice@198.18.0.1")


def many_mix(m):
    """607 from 20 responders, one each: more sources than a small --max-peers holds."""
    for i in range(1, 21):
        m.response(1, 607, "198.18.1.%d" % i)


def outcome(frame, filter_ports):
    """The parser's verdict, given the --port filter (it applies once UDP is reached)."""
    if filter_ports and frame.ports:
        if frame.ports[0] not in filter_ports and frame.ports[1] not in filter_ports:
            return "filtered_port"
    return frame.result


def expectations(frames, iface, filter_ports):
    results = collections.Counter()
    codes = collections.Counter()
    peers = collections.Counter()
    for f in frames:
        r = outcome(f, filter_ports)
        results[r] += 1
        if r == "sip_response":
            codes[f.code] += 1
            if f.code >= 600:
                peers[(f.source, f.code)] += 1
    lines = []
    for r in RESULTS:
        kind = "ge" if r in NOISY else "eq"
        lines.append('%s sip6xx_packets_total{interface="%s",direction="rx",result="%s"} %d'
                     % (kind, iface, r, results[r]))
    for c in sorted(set(codes) | set(NAMED_6XX)):
        lines.append('eq sip6xx_responses_total{interface="%s",direction="rx",code="%d"} %d'
                     % (iface, c, codes[c]))
    # Sent, but filtered by port before the status line was read: no count.
    for c in sorted(set(f.code for f in frames if f.code) - set(codes) - set(NAMED_6XX)):
        lines.append('zero sip6xx_responses_total{interface="%s",direction="rx",code="%d"} 0' % (iface, c))
    for (src, c), n in sorted(peers.items()):
        lines.append('eq sip6xx_global_failures_total{interface="%s",direction="rx",source="%s",code="%d"} %d'
                     % (iface, src, c, n))
    # Summed over samples: the gauge may carry an interface label, or none.
    lines.append("sum sip6xx_peers_tracked %d" % len(peers))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", required=True, help="interface to send on")
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True, help="MAC of the receiving veth end")
    ap.add_argument("--rx-iface", required=True, help="interface label the exporter uses")
    ap.add_argument("--profile", choices=("full", "short", "many"), default="full")
    ap.add_argument("--filter-port", type=int, action="append", default=[],
                    help="the exporter's --port filter, to predict filtered_port")
    ap.add_argument("--expect", help="write the expected counts here")
    ap.add_argument("--dry-run", action="store_true", help="write expectations, send nothing")
    args = ap.parse_args()

    m = Mix(args.src_mac, args.dst_mac)
    {"full": full_mix, "short": short_mix, "many": many_mix}[args.profile](m)
    if args.expect:
        with open(args.expect, "w") as fh:
            fh.write("\n".join(expectations(m.frames, args.rx_iface, set(args.filter_port))))
            fh.write("\n")
    if not args.dry_run:
        sendp([f.pkt for f in m.frames], iface=args.iface, verbose=False)
    print("# send_mix: %s %d frames on %s" % ("planned" if args.dry_run else "sent",
                                           len(m.frames), args.iface), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
