#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Send rounds of SIP responses on one veth end, at a steady pace, and say
exactly what went out.

Run inside the sending namespace. One round is a fixed set of frames: 607,
608, 603, 600 and a 200, from an IPv4 and an IPv6 responder (198.18.0.2 and
2001:db8::2 unless told otherwise), and a 608 from the IPv6 one behind a
Destination Options header, which sip6xx leaves to its full header walk. Frames are built once, then written to an
AF_PACKET socket one by one; a frame counts as sent only when the kernel took
it, so the counts file is what the exporter on the other end must add to its
counters, even when the sender is stopped (SIGTERM/SIGINT) half-way.

The counts file (written at the end, also on SIGTERM) has one line each:
  resp CODE N          frames sent with status CODE
  peer SOURCE CODE N   6xx frames sent by SOURCE (canonical text) with CODE
  total N              every frame sent (all of them are SIP responses)
Addresses are from 198.18.0.0/15 and 2001:db8::/32 only.

Usage: send_stream.py --iface vethB --src-mac M --dst-mac M --counts FILE
                      [--rounds 20] [--interval 0.1] [--src4 A] [--src6 A]
                      [--started-file PATH]
"""
import argparse
import collections
import ipaddress
import signal
import socket
import sys
import time

from scapy.all import IP, UDP, Ether, IPv6, IPv6ExtHdrDestOpt, Raw

DST4 = "198.18.0.1"
DST6 = "2001:db8::1"
REASONS = {200: "OK", 600: "Busy Everywhere", 603: "Decline", 607: "Unwanted",
           608: "Rejected"}


class Stop(Exception):
    pass


def on_signal(_signo, _frame):
    raise Stop()


def response(code, seq):
    return ("SIP/2.0 %d %s\r\n"
            "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK-stream%d\r\n"
            "From: <sip:alice@example.invalid>;tag=a%d\r\n"
            "To: <sip:bob@example.invalid>;tag=b%d\r\n"
            "Call-ID: stream-%d@198.18.0.1\r\n"
            "CSeq: 1 INVITE\r\n"
            "Content-Length: 0\r\n\r\n" % (code, REASONS[code], seq, seq, seq, seq))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--counts", required=True, help="write what was sent here")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.1, help="seconds between rounds")
    ap.add_argument("--src4", default="198.18.0.2")
    ap.add_argument("--src6", default="2001:db8::2")
    ap.add_argument("--started-file", help="created once the first frame went out")
    args = ap.parse_args()

    # (code, source, behind an IPv6 extension header)
    plan = [(607, args.src4, False), (607, args.src6, False), (608, args.src4, False),
            (603, args.src6, False), (600, args.src4, False), (200, args.src4, False),
            (608, args.src6, True)]
    sent_resp = collections.Counter()
    sent_peer = collections.Counter()
    total = 0
    errors = 0
    seq = 0

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.iface, 0))
    t0 = time.monotonic()
    try:
        for r in range(args.rounds):
            # Against a monotonic clock: a slow round does not shift the rest.
            delay = t0 + r * args.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for code, src, ext in plan:
                seq += 1
                ip = IPv6(src=src, dst=DST6) if ":" in src else IP(src=src, dst=DST4)
                if ext:
                    ip = ip / IPv6ExtHdrDestOpt()
                pkt = bytes(Ether(src=args.src_mac, dst=args.dst_mac) / ip /
                            UDP(sport=5060, dport=5060) / Raw(response(code, seq)))
                try:
                    n = sock.send(pkt)
                except OSError as e:
                    errors += 1
                    print("# send_stream: frame %d not sent: %s" % (seq, e), file=sys.stderr)
                    continue
                if n != len(pkt):
                    errors += 1
                    continue
                total += 1
                sent_resp[code] += 1
                if code >= 600:
                    sent_peer[(str(ipaddress.ip_address(src)), code)] += 1
                if args.started_file and total == 1:
                    open(args.started_file, "w").close()
    except Stop:
        pass
    finally:
        with open(args.counts, "w") as fh:
            for code in sorted(sent_resp):
                fh.write("resp %d %d\n" % (code, sent_resp[code]))
            for (src, code), n in sorted(sent_peer.items()):
                fh.write("peer %s %d %d\n" % (src, code, n))
            fh.write("total %d\n" % total)
    print("# send_stream: %d frames sent on %s in %.1f s, %d errors"
          % (total, args.iface, time.monotonic() - t0, errors), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
