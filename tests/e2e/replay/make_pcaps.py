#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Write the small captures tests/e2e/replay.sh replays, into OUTDIR.

The same mix of 22 records ("MIX" below) is written once per supported link
type, so every conversion to Ethernet is checked against the same counts. The
counts each file must produce are written down in replay.sh, by hand, from the
list below; they are never computed by running the exporter.

scapy builds the IP packets (lengths, checksums); the link headers and the
pcap/pcapng containers are written here byte by byte, so each file holds
exactly the bytes the test describes (both byte orders of DLT_NULL, every
IPv6 address family a BSD loopback header may carry, a record cut by the
snap length, a record shorter than its link header).

Addresses are from 198.18.0.0/15 and 2001:db8::/32 only.

Usage: make_pcaps.py OUTDIR
"""
import os
import struct
import sys

from scapy.all import ARP, IP, TCP, UDP, IPv6, Raw  # Debian's python3-scapy

S1, S2, S3 = "198.18.0.1", "198.18.0.2", "198.18.0.3"
V1, V2 = "2001:db8::1", "2001:db8::2"
CALLER4, CALLER6 = "198.18.0.100", "2001:db8::100"

# Link types, as the pcap file header spells them (LINKTYPE_*).
LT_NULL, LT_EN10MB, LT_RAW, LT_LOOP = 0, 1, 101, 108
LT_IEEE802_11, LT_LINUX_SLL, LT_IPV4, LT_IPV6, LT_LINUX_SLL2 = 105, 113, 228, 229, 276

SNAPLEN = 262144
JUMBO_IP_LEN = 6000  # far above the ~3.5 KiB a test run hands the program whole


def sip_response(code, reason, version="SIP/2.0"):
    return (f"{version} {code} {reason}\r\n"
            "Via: SIP/2.0/UDP 198.18.0.100:5060;branch=z9hG4bK-replay\r\n"
            "Call-ID: replay-test@198.18.0.100\r\n"
            "CSeq: 1 INVITE\r\n"
            "Content-Length: 0\r\n\r\n").encode()


def udp4(src, payload, dst=CALLER4, sport=5060, dport=5060):
    return bytes(IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(payload))


def udp6(src, payload, dst=CALLER6, sport=5060, dport=5060):
    return bytes(IPv6(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(payload))


def jumbo_606():
    """A 6000-byte IPv4 datagram: the frame is clipped, the status line survives."""
    head = sip_response(606, "Not Acceptable")[:-2]  # drop the blank line, add a body
    body_len = JUMBO_IP_LEN - 20 - 8 - len(head) - len(b"\r\n")
    body = (b"a=x-padding\r\n" * (body_len // 13 + 1))[:body_len]
    return udp4(S3, head + b"\r\n" + body)


# One record: (IP packet bytes, how many of them were captured or None for all).
def mix():
    invite = (b"INVITE sip:bob@198.18.0.1 SIP/2.0\r\n"
              b"Via: SIP/2.0/UDP 198.18.0.100:5060;branch=z9hG4bK-inv\r\n"
              b"Content-Length: 0\r\n\r\n")
    dns = bytes.fromhex("1234010000010000000000000773697036787878076578616d706c650000010001")
    return [
        (udp4(S1, sip_response(603, "Decline")), None),                  # 1
        (udp4(S1, sip_response(603, "Decline")), None),                  # 2
        (udp4(S1, sip_response(603, "Decline")), None),                  # 3
        (udp4(S2, sip_response(607, "Unwanted")), None),                 # 4
        (udp4(S2, sip_response(607, "Unwanted")), None),                 # 5
        # 6: cut by the snap length 46 bytes into the IP packet (caplen < len):
        # IP 20 + UDP 8 + "SIP/2.0 604 Does N", so the status line is all there.
        (udp4(S1, sip_response(604, "Does Not Exist Anywhere")), 46),
        (udp6(V1, sip_response(608, "Rejected")), None),                 # 7
        (udp6(V1, sip_response(608, "Rejected")), None),                 # 8
        (udp6(V2, sip_response(600, "Busy Everywhere")), None),          # 9
        (udp6(V2, sip_response(608, "Rejected")), None),                 # 10
        (udp6(V1, sip_response(603, "Decline", "sip/2.0")), None),       # 11: case-insensitive
        (jumbo_606(), None),                                             # 12: > 4 KiB
        (udp4(S1, sip_response(200, "OK")), None),                       # 13
        (udp6(V1, sip_response(486, "Busy Here")), None),                # 14
        (udp4(CALLER4, invite, dst=S1), None),                           # 15: request
        (udp4(CALLER4, dns, dst="198.18.0.53", sport=53000, dport=53), None),  # 16: not SIP
        (bytes(IP(src=CALLER4, dst=S1) / TCP(sport=40000, dport=5060, flags="S")), None),  # 17
        (bytes(IPv6(src=V1, dst=CALLER6) / TCP(sport=5060, dport=40000, flags="PA")
               / Raw(sip_response(603, "Decline"))), None),              # 18: SIP over TCP
        (udp4(S2, sip_response("099", "Odd")), None),                    # 19: malformed
        (bytes(IP(src=S1, dst=CALLER4, proto=17, frag=185) / Raw(b"x" * 64)), None),  # 20
        # 21: a non-IP record and 22: a record shorter than its link header,
        # both added per link type by write_capture().
    ]


# Small files for DLT_IPV4 / DLT_IPV6, whose link type fixes the IP version.
def mix_ipv4_only():
    return [(udp4(S1, sip_response(603, "Decline")), None),
            (udp4(S1, sip_response(200, "OK")), None)]


def mix_ipv6_only():
    invite = b"INVITE sip:alice@[2001:db8::1] SIP/2.0\r\nContent-Length: 0\r\n\r\n"
    return [(udp6(V2, sip_response(608, "Rejected")), None),
            (udp6(CALLER6, invite, dst=V1), None)]


def ip_version(pkt):
    return pkt[0] >> 4


def eth_header(ethertype):
    return bytes.fromhex("020000000002020000000001") + struct.pack(">H", ethertype)


def sll_header(ethertype):
    # packet type 0 (to us), ARPHRD_ETHER, 6-byte address padded to 8, protocol
    return struct.pack(">HHH8sH", 0, 1, 6, bytes.fromhex("020000000001"), ethertype)


def sll2_header(ethertype):
    # protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, address
    return struct.pack(">HHIHBB8s", ethertype, 0, 2, 1, 0, 6, bytes.fromhex("020000000001"))


AF6_CYCLE = (24, 28, 30, 10)  # NetBSD/OpenBSD, FreeBSD, Darwin, Linux


class Loopback:
    """DLT_NULL/DLT_LOOP: a 32-bit address family in the given byte order."""

    def __init__(self, order):
        self.order = order
        self.n6 = 0

    def header(self, af):
        return struct.pack(self.order + "I", af)

    def encap(self, pkt):
        if ip_version(pkt) == 4:
            return self.header(2)
        af = AF6_CYCLE[self.n6 % len(AF6_CYCLE)]
        self.n6 += 1
        return self.header(af)


def ethertype_of(pkt):
    return 0x0800 if ip_version(pkt) == 4 else 0x86DD


ARP_BYTES = bytes(ARP(psrc=CALLER4, pdst=S1))


def link_records(linktype, packets):
    """(link bytes, IP bytes, captured IP bytes) per record, plus non-IP and runt."""
    loop = Loopback("<" if linktype == "null_le" else ">")
    out = []
    for pkt, cut in packets:
        if linktype in ("en10mb", "en10mb_ng"):
            hdr = eth_header(ethertype_of(pkt))
        elif linktype == "sll":
            hdr = sll_header(ethertype_of(pkt))
        elif linktype == "sll2":
            hdr = sll2_header(ethertype_of(pkt))
        elif linktype in ("null_le", "null_be", "loop"):
            hdr = loop.encap(pkt)
        else:  # raw, ipv4, ipv6
            hdr = b""
        out.append((hdr + pkt[:cut] if cut else hdr + pkt, len(hdr) + len(pkt)))
    return out


def extra_records(linktype):
    """Record 21 (not IP) and 22 (shorter than its link header) for the full mix."""
    if linktype in ("en10mb", "en10mb_ng"):
        non_ip = eth_header(0x0806) + ARP_BYTES
        runt = eth_header(0x0800)[:10]
    elif linktype == "sll":
        non_ip = sll_header(0x0806) + ARP_BYTES
        runt = sll_header(0x0800)[:10]
    elif linktype == "sll2":
        non_ip = sll2_header(0x0806) + ARP_BYTES
        runt = sll2_header(0x0800)[:12]
    elif linktype in ("null_le", "null_be", "loop"):
        order = "<" if linktype == "null_le" else ">"
        non_ip = struct.pack(order + "I", 7) + b"\x00" * 40  # AF 7: not IP anywhere
        runt = struct.pack(order + "I", 2)[:2]
    else:  # raw: version nibble 0 is neither IPv4 nor IPv6; an empty record
        non_ip = b"\x00" * 40
        runt = b""
    return [(non_ip, len(non_ip)), (runt, len(runt))]


def pcap_bytes(linktype, records):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, linktype)]
    for i, (data, wire_len) in enumerate(records):
        out.append(struct.pack("<IIII", 1700000000 + i, 0, len(data), wire_len))
        out.append(data)
    return b"".join(out)


def pcapng_block(btype, body):
    body += b"\x00" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def pcapng_bytes(linktype, records):
    out = [pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
           pcapng_block(1, struct.pack("<HHI", linktype, 0, SNAPLEN))]
    for i, (data, wire_len) in enumerate(records):
        ts = (1700000000 + i) * 1000000
        epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), wire_len)
        out.append(pcapng_block(6, epb + data))
    return b"".join(out)


FULL_MIX = {  # file name: (link type name, LINKTYPE_ value, container)
    "en10mb.pcap": ("en10mb", LT_EN10MB, pcap_bytes),
    "en10mb.pcapng": ("en10mb_ng", LT_EN10MB, pcapng_bytes),
    "sll.pcap": ("sll", LT_LINUX_SLL, pcap_bytes),
    "sll2.pcap": ("sll2", LT_LINUX_SLL2, pcap_bytes),
    "raw.pcap": ("raw", LT_RAW, pcap_bytes),
    "null_le.pcap": ("null_le", LT_NULL, pcap_bytes),
    "null_be.pcap": ("null_be", LT_NULL, pcap_bytes),
    "loop.pcap": ("loop", LT_LOOP, pcap_bytes),
}


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    packets = mix()
    for name, (lt_name, linktype, container) in FULL_MIX.items():
        records = link_records(lt_name, packets) + extra_records(lt_name)
        write(os.path.join(outdir, name), container(linktype, records))
    write(os.path.join(outdir, "ipv4.pcap"),
          pcap_bytes(LT_IPV4, link_records("ipv4", mix_ipv4_only())))
    write(os.path.join(outdir, "ipv6.pcap"),
          pcap_bytes(LT_IPV6, link_records("ipv6", mix_ipv6_only())))
    # 802.11 (a beacon's first bytes): a link type replay must refuse by name.
    beacon = b"\x80\x00" + b"\xff" * 22
    write(os.path.join(outdir, "wlan.pcap"), pcap_bytes(LT_IEEE802_11, [(beacon, len(beacon))]))
    # An ERF record (Endace): 16-byte header, type 2 (Ethernet), then the frame.
    frame = eth_header(0x0800) + udp4(S1, sip_response(603, "Decline"))
    erf_header = struct.pack("<Q", 1700000000 << 32) + struct.pack(
        ">BBHHH", 2, 4, 16 + 2 + len(frame), 0, len(frame))
    erf = erf_header + b"\x00\x00" + frame  # Ethernet ERF records carry 2 pad bytes
    write(os.path.join(outdir, "capture.erf"), erf)


if __name__ == "__main__":
    main()
