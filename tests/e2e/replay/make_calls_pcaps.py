#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Write the captures tests/e2e/calls.sh replays, into OUTDIR.

calls.pcap holds these calls (UDP, 198.18.0.0/15 and 2001:db8::/32), each a
Call-ID of its own, with the capture's timestamps:

  A  INVITE; 607 Unwanted three times (timer G: 0, 0.5, 1.5 s); ACK
  B  INVITE; 200; ACK; BYE with Reason: SIP;cause=607;text="Unwanted",
     sent twice (timer E); 200 to the BYE
  C  INVITE; 608 Rejected with Call-Info <...>;purpose=jwscard; ACK
  D  INVITE; 608 Rejected without Call-Info purpose=jwscard, twice; ACK
  E  INVITE; CANCEL with Reason: SIP;cause=608;text="Rejected"; 200 to the
     CANCEL; 487 to the INVITE; ACK
  F  IPv6: INVITE; 603 Decline twice; ACK
  G  a 606 with no Call-ID: libosip2 decodes it, but it is no transaction

callers.pcap: ten callers, +12025550201 to +12025550210; caller k is
rejected (607, once) in k calls of its own: more callers than sip6xx-top
shows rows of, each with a count of its own.

late.pcap: one 607 to INVITE, and the same bytes again 40 s later, after
the transaction's 64*T1 = 32 s: RFC 3261 17.1.1.2 (Timer H) has the server
transaction gone by then, so it is a new rejection; tshark, which keeps no
clock, calls it a resend.

Usage: make_calls_pcaps.py OUTDIR
"""
import os
import sys

from scapy.all import IP, UDP, Ether, IPv6, Raw, wrpcap  # Debian's python3-scapy

CALLER, CALLEE = "198.18.0.1", "198.18.0.2"
CALLER6, CALLEE6 = "2001:db8::1", "2001:db8::2"
T0 = 1700000000.0


def msg(start, call_id, cseq, branch, extra=(), via_host=CALLER, caller="+12025550101"):
    lines = [start,
             f"Via: SIP/2.0/UDP {via_host}:5060;branch={branch}",
             f"From: <sip:{caller}@example.com>;tag=caller",
             "To: <sip:+12025550199@example.net>;tag=callee",
             f"Call-ID: {call_id}",
             f"CSeq: {cseq}",
             *extra,
             "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def frame(src, dst, payload, t):
    ip = IPv6(src=src, dst=dst) if ":" in src else IP(src=src, dst=dst)
    p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / ip / \
        UDP(sport=5060, dport=5060) / Raw(payload)
    p.time = T0 + t
    return p


def up(payload, t):  # caller -> callee
    return frame(CALLER, CALLEE, payload, t)


def down(payload, t):  # callee -> caller
    return frame(CALLEE, CALLER, payload, t)


def calls():
    p = []
    # A: 607, retransmitted until the ACK.
    br = "z9hG4bK-a1"
    p.append(up(msg("INVITE sip:+12025550199@example.net SIP/2.0", "call-a", "1 INVITE", br), 0))
    for t in (0.1, 0.6, 1.6):
        p.append(down(msg("SIP/2.0 607 Unwanted", "call-a", "1 INVITE", br), t))
    p.append(up(msg("ACK sip:+12025550199@example.net SIP/2.0", "call-a", "1 ACK", br), 1.7))
    # B: answered, then ended by the callee with a 607 Reason (RFC 8197 section 4).
    br = "z9hG4bK-b1"
    p.append(up(msg("INVITE sip:+12025550199@example.net SIP/2.0", "call-b", "1 INVITE", br), 2))
    p.append(down(msg("SIP/2.0 200 OK", "call-b", "1 INVITE", br), 2.1))
    p.append(up(msg("ACK sip:+12025550199@example.net SIP/2.0", "call-b", "1 ACK",
                    "z9hG4bK-b2"), 2.2))
    bye = msg("BYE sip:+12025550101@198.18.0.1 SIP/2.0", "call-b", "2 BYE", "z9hG4bK-b3",
              ['Reason: SIP;cause=607;text="Unwanted"'], via_host=CALLEE)
    p.append(down(bye, 5))
    p.append(down(bye, 5.5))
    p.append(up(msg("SIP/2.0 200 OK", "call-b", "2 BYE", "z9hG4bK-b3", via_host=CALLEE), 5.6))
    # C, D: 608 with and without the intermediary's jCard (RFC 8688).
    br = "z9hG4bK-c1"
    p.append(up(msg("INVITE sip:+12025550199@example.net SIP/2.0", "call-c", "1 INVITE", br), 6))
    p.append(down(msg("SIP/2.0 608 Rejected", "call-c", "1 INVITE", br,
                      ["Call-Info: <https://analytics.example.org/jcard.json>;purpose=jwscard"]),
                  6.1))
    p.append(up(msg("ACK sip:+12025550199@example.net SIP/2.0", "call-c", "1 ACK", br), 6.2))
    br = "z9hG4bK-d1"
    p.append(up(msg("INVITE sip:+12025550199@example.net SIP/2.0", "call-d", "1 INVITE", br), 7))
    for t in (7.1, 7.6):
        p.append(down(msg("SIP/2.0 608 Rejected", "call-d", "1 INVITE", br), t))
    p.append(up(msg("ACK sip:+12025550199@example.net SIP/2.0", "call-d", "1 ACK", br), 7.7))
    # E: a forking proxy cancels with the 608 it got on another branch.
    br = "z9hG4bK-e1"
    p.append(up(msg("INVITE sip:+12025550199@example.net SIP/2.0", "call-e", "1 INVITE", br), 8))
    p.append(up(msg("CANCEL sip:+12025550199@example.net SIP/2.0", "call-e", "1 CANCEL", br,
                    ['Reason: SIP;cause=608;text="Rejected"']), 8.5))
    p.append(down(msg("SIP/2.0 200 OK", "call-e", "1 CANCEL", br), 8.6))
    p.append(down(msg("SIP/2.0 487 Request Terminated", "call-e", "1 INVITE", br), 8.7))
    p.append(up(msg("ACK sip:+12025550199@example.net SIP/2.0", "call-e", "1 ACK", br), 8.8))
    # F: IPv6, 603 once retransmitted.
    br = "z9hG4bK-f1"
    p.append(frame(CALLER6, CALLEE6, msg("INVITE sip:bob@example.net SIP/2.0", "call-f",
                                         "1 INVITE", br, via_host="[2001:db8::1]"), 9))
    for t in (9.1, 9.6):
        p.append(frame(CALLEE6, CALLER6, msg("SIP/2.0 603 Decline", "call-f", "1 INVITE", br,
                                             via_host="[2001:db8::1]"), t))
    # G: no Call-ID.
    p.append(down(b"SIP/2.0 606 Not Acceptable\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
                  10))
    return p


def callers():
    p, t = [], 0.0
    for k in range(1, 11):
        caller = f"+120255502{k:02d}"
        for n in range(k):
            call_id, br = f"call-{k}-{n}", f"z9hG4bK-{k}-{n}"
            p.append(up(msg("INVITE sip:+12025550199@example.net SIP/2.0", call_id, "1 INVITE",
                            br, caller=caller), t))
            p.append(down(msg("SIP/2.0 607 Unwanted", call_id, "1 INVITE", br, caller=caller),
                          t + 0.01))
            t += 0.02
    return p


def late():
    r = msg("SIP/2.0 607 Unwanted", "call-late", "1 INVITE", "z9hG4bK-late")
    return [down(r, 0), down(r, 40)]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    wrpcap(os.path.join(out, "calls.pcap"), calls())
    wrpcap(os.path.join(out, "late.pcap"), late())
    wrpcap(os.path.join(out, "callers.pcap"), callers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
