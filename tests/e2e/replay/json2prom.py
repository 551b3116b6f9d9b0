#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Read `sip6xx_exporter --replay FILE --format json` on stdin and print its
counters as Prometheus sample lines, so replay.sh checks both formats with the
same expectations. Exits 1 (with the reason on stderr) when stdin is not JSON
or lacks a field.

Only the three counters are printed, one sample per line, labels in the order
the exporter's text output uses:
  sip6xx_responses_total{interface="I",direction="rx",code="C"} N
  sip6xx_global_failures_total{interface="I",direction="rx",source="S",code="C"} N   (summed per source, code)
  sip6xx_packets_total{interface="I",direction="rx",result="R"} N
"""
import collections
import json
import sys


def samples(doc):
    for ifc in doc["interfaces"]:
        name = ifc["interface"]
        for code, n in ifc["responses"].items():
            yield f'sip6xx_responses_total{{interface="{name}",direction="rx",code="{code}"}} {int(n)}'
        per_source = collections.Counter()
        for peer in ifc["global_failures"]:
            per_source[(peer["source"], int(peer["code"]))] += int(peer["count"])
        for (source, code), n in sorted(per_source.items()):
            yield (f'sip6xx_global_failures_total{{interface="{name}",direction="rx",source="{source}",'
                   f'code="{code}"}} {n}')
        for result, n in ifc["packets"].items():
            yield f'sip6xx_packets_total{{interface="{name}",direction="rx",result="{result}"}} {int(n)}'


def main():
    try:
        doc = json.load(sys.stdin)
        lines = list(samples(doc))
    except (ValueError, KeyError, TypeError) as e:
        print(f"json2prom: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
