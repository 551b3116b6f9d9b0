#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Write the captures tests/e2e/replay_input.sh reads, into OUTDIR.

Built from make_pcaps.py's 22-record mix (same records, same hand-counted
expectations), in the shapes replay's input must cope with:

- mixed.pcapng: the mix spread over interfaces of six supported link types,
  in two sections (the second one big-endian), with 6 extra records on an
  802.11 interface that replay cannot decode;
- wlan.pcapng: one 802.11 interface only;
- cut_*.pcap(ng): files cut mid-record, as a capture killed by a full disk
  is, each with full_*.pcap(ng) holding only its complete records and
  cut_*.offset the byte where those end (from the layout written here).

Usage: make_input_pcaps.py OUTDIR
"""
import os
import struct
import sys

import make_pcaps as mp

LT_NAMES = ("en10mb", "sll", "raw", "null_le", "sll2", "loop")
LT_VALUES = {"en10mb": mp.LT_EN10MB, "sll": mp.LT_LINUX_SLL, "raw": mp.LT_RAW,
             "null_le": mp.LT_NULL, "sll2": mp.LT_LINUX_SLL2, "loop": mp.LT_LOOP}
BEACON = b"\x80\x00" + b"\xff" * 22


def block(order, btype, body):
    body += b"\x00" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack(order + "II", btype, total) + body + struct.pack(order + "I", total)


def shb(order):
    return block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(order, linktype, tsresol=None):
    opts = b""
    if tsresol is not None:  # if_tsresol, then opt_endofopt
        opts = struct.pack(order + "HHB3x", 9, 1, tsresol) + struct.pack(order + "HH", 0, 0)
    return block(order, 1, struct.pack(order + "HHI", linktype, 0, mp.SNAPLEN) + opts)


def epb(order, iface, i, data, wire_len):
    ts = (1700000000 + i) * 1000000
    return block(order, 6, struct.pack(order + "IIIII", iface, ts >> 32, ts & 0xFFFFFFFF,
                                       len(data), wire_len) + data)


def mixed_pcapng():
    """Records 1-22 of the mix, each on the interface of its link type, cycling."""
    packets = mp.mix()
    per_record = []
    for i, pkt in enumerate(packets):
        lt = LT_NAMES[i % len(LT_NAMES)]
        per_record.append((lt, mp.link_records(lt, [pkt])[0]))
    extra_lt = ("sll2", "en10mb")
    for lt, rec in zip(extra_lt, mp.extra_records("sll2")[:1] + mp.extra_records("en10mb")[1:]):
        per_record.append((lt, rec))
    out = []
    half = len(per_record) // 2
    for order, part in (("<", per_record[:half]), (">", per_record[half:])):
        # Each section numbers its own interfaces: the 802.11 one comes first in the second.
        names = list(LT_NAMES) + ["wlan"] if order == "<" else ["wlan"] + list(LT_NAMES)
        out.append(shb(order))
        for n in names:
            lt = mp.LT_IEEE802_11 if n == "wlan" else LT_VALUES[n]
            out.append(idb(order, lt, tsresol=9 if n == "raw" else None))
        for i, (lt, (data, wire_len)) in enumerate(part):
            out.append(epb(order, names.index(lt), i, data, wire_len))
            if i % 5 == 0:  # an 802.11 beacon now and then: 3 per section
                out.append(epb(order, names.index("wlan"), i, BEACON, len(BEACON)))
    return b"".join(out)


def pcap_records(linktype, records):
    """The pcap file and the offset where each record ends."""
    data = mp.pcap_bytes(linktype, records)
    ends, pos = [], 24
    for rec, _ in records:
        pos += 16 + len(rec)
        ends.append(pos)
    assert pos == len(data)
    return data, ends


def pcapng_records(records):
    head = shb("<") + idb("<", mp.LT_EN10MB)
    blocks = [epb("<", 0, i, rec, wire) for i, (rec, wire) in enumerate(records)]
    ends, pos = [], len(head)
    for b in blocks:
        pos += len(b)
        ends.append(pos)
    return head + b"".join(blocks), ends


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def write_cut(outdir, name, data, ends, n_complete, cut_into):
    """cut_NAME: the first n_complete records, then cut_into bytes of the next."""
    ext = name.split(".")[-1]
    base = name.rsplit(".", 1)[0]
    write(os.path.join(outdir, "cut_" + name), data[:ends[n_complete - 1] + cut_into])
    write(os.path.join(outdir, f"full_{base}.{ext}"), data[:ends[n_complete - 1]])
    write(os.path.join(outdir, f"cut_{base}.offset"), b"%d\n" % ends[n_complete - 1])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    write(os.path.join(outdir, "mixed.pcapng"), mixed_pcapng())
    write(os.path.join(outdir, "wlan.pcapng"),
          shb("<") + idb("<", mp.LT_IEEE802_11) + epb("<", 0, 0, BEACON, len(BEACON)))
    records = mp.link_records("en10mb", mp.mix()) + mp.extra_records("en10mb")
    data, ends = pcap_records(mp.LT_EN10MB, records)
    # Cut inside record 22's 16-byte header, and inside record 12's data (the 6000-byte 606).
    write_cut(outdir, "header.pcap", data, ends, 21, 6)
    write_cut(outdir, "data.pcap", data, ends, 11, 16 + 3000)
    data, ends = pcapng_records(records)
    write_cut(outdir, "block.pcapng", data, ends, 11, 40)


if __name__ == "__main__":
    main()
