#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Send a steady trickle of one SIP response code, then a burst of it, on one
veth end, and say on stdout when each phase really went out.

Run inside the sending namespace. Frames are built with scapy once, before
anything is sent, and written to an AF_PACKET socket one by one, so the
steady phase keeps its pace (against a monotonic clock) and the burst goes
out as fast as the kernel takes it: a few hundred frames in well under a
second. Addresses are from 198.18.0.0/15 and 2001:db8::/32 only.

The burst cycles through --spike-sources in order, so any run of N frames
in it (N = the number of sources) holds one frame from each source.

stdout is one JSON object, written when the sending is over:
  {"code": 607, "steady_sent": 8, "steady_first": T, "steady_last": T,
   "spike_sent": 320, "spike_first": T, "spike_last": T}
where T is time.time() (wall clock, seconds) just before the first frame of
the phase was written and just after its last one; null for an empty phase.
With --started-file, that file is created as soon as the first frame of the
run has gone out.

Usage: send_spike.py --iface vethB --src-mac M --dst-mac M [--code 607]
                     [--steady-rate 2 --steady-secs 4 --steady-source 198.18.0.2]
                     [--spike 320 --spike-sources 198.18.0.3,198.18.0.4,2001:db8::2]
                     [--started-file PATH]
"""
import argparse
import json
import socket
import sys
import time

from scapy.all import IP, UDP, Ether, IPv6, Raw

DST4 = "198.18.0.1"
DST6 = "2001:db8::1"
REASONS = {600: "Busy Everywhere", 603: "Decline", 604: "Does Not Exist Anywhere",
           606: "Not Acceptable", 607: "Unwanted", 608: "Rejected", 200: "OK"}


def response(code, seq, src):
    return ("SIP/2.0 %d %s\r\n"
            "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK-spike%d\r\n"
            "From: <sip:alice@example.invalid>;tag=a%d\r\n"
            "To: <sip:bob@example.invalid>;tag=b%d\r\n"
            "Call-ID: spike-%d@%s\r\n"
            "CSeq: 1 INVITE\r\n"
            "Content-Length: 0\r\n\r\n"
            % (code, REASONS.get(code, "Global Failure"), seq, seq, seq, seq,
               "[%s]" % src if ":" in src else src))


def frame(smac, dmac, code, seq, src):
    ip = IPv6(src=src, dst=DST6) if ":" in src else IP(src=src, dst=DST4)
    return bytes(Ether(src=smac, dst=dmac) / ip / UDP(sport=5060, dport=5060) /
                 Raw(response(code, seq, src)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", required=True, help="interface to send on")
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True, help="MAC of the receiving veth end")
    ap.add_argument("--code", type=int, default=607)
    ap.add_argument("--steady-rate", type=float, default=0, help="frames per second")
    ap.add_argument("--steady-secs", type=float, default=0)
    ap.add_argument("--steady-source", default="198.18.0.2")
    ap.add_argument("--spike", type=int, default=0, help="frames in the burst")
    ap.add_argument("--spike-sources", default="198.18.0.2",
                    help="comma-separated responders, cycled through in order")
    ap.add_argument("--started-file", help="created once the first frame is out")
    args = ap.parse_args()

    if args.steady_rate < 0 or args.steady_rate > 1000 or args.steady_secs > 60 or \
            not 0 <= args.spike <= 100000:
        ap.error("keep it bounded: --steady-rate <= 1000, --steady-secs <= 60, --spike <= 100000")
    sources = [s for s in args.spike_sources.split(",") if s]
    seq = 0
    steady = []
    for _ in range(int(round(args.steady_rate * args.steady_secs))):
        seq += 1
        steady.append(frame(args.src_mac, args.dst_mac, args.code, seq, args.steady_source))
    spike = []
    for i in range(args.spike):
        seq += 1
        spike.append(frame(args.src_mac, args.dst_mac, args.code, seq, sources[i % len(sources)]))

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.iface, 0))
    out = {"code": args.code, "steady_sent": 0, "steady_first": None, "steady_last": None,
           "spike_sent": 0, "spike_first": None, "spike_last": None}

    def started():
        if args.started_file:
            open(args.started_file, "w").close()
            args.started_file = None

    if steady:
        period = 1.0 / args.steady_rate
        t0 = time.monotonic()
        out["steady_first"] = time.time()
        for i, f in enumerate(steady):
            delay = t0 + i * period - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sock.send(f)
            out["steady_sent"] += 1
            started()
        out["steady_last"] = time.time()
        # The burst follows one period after the last steady frame, like the
        # next frame of the trickle would have.
        delay = t0 + len(steady) * period - time.monotonic()
        if spike and delay > 0:
            time.sleep(delay)
    if spike:
        out["spike_first"] = time.time()
        for f in spike:
            sock.send(f)
        out["spike_last"] = time.time()
        out["spike_sent"] = len(spike)
        started()
    sock.close()
    print(json.dumps(out), flush=True)
    print("# send_spike: %d steady + %d burst frames of %d on %s"
          % (out["steady_sent"], out["spike_sent"], args.code, args.iface), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
