#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Read `sip6xx_exporter --replay FILE --format json` on stdin and print the
call context's samples ("calls" of each interface) as Prometheus sample lines,
labels in the order the text output uses (interface, direction, then the
rest), so calls.sh can hold both formats to the same numbers. Exits 1 with
the reason on stderr when stdin is not JSON or lacks a field.
"""
import json
import sys


def samples(doc):
    for ifc in doc["interfaces"]:
        for s in ifc["calls"]:
            labels = [("interface", ifc["interface"])]
            rest = dict(s["labels"])
            if "direction" in rest:
                labels.append(("direction", rest.pop("direction")))
            labels += list(rest.items())
            body = ",".join(f'{k}="{v}"' for k, v in labels)
            yield f'{s["metric"]}{{{body}}} {int(s["value"])}'


def main():
    try:
        lines = list(samples(json.load(sys.stdin)))
    except (ValueError, KeyError, TypeError) as e:
        print(f"calls_json2prom: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
