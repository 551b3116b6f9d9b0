#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Load on the exporter's HTTP server while authenticated scrapes are timed.

  http_load.py slowloris URL --flood-from A,B,... --conns N ...
      holds N connections from the flood addresses: half idle TCP, half
      trickling one header byte a second, never finishing a request; any
      the server closes are opened again (at most --reconnect-rate a second)
  http_load.py wrong-password URL --flood-from A --conns N ...
      N keep-alive connections sending requests with a wrong password, as
      fast as the answers come

Meanwhile --scrapes scrapes with the right password, each on a new
connection from --scrape-from, one every --interval seconds; --baseline
more before the flood. Prints "flood ..." counters, one "scrape N STATUS MS"
line each, and a summary: "scrapes_ok K N", "scrape_ms MEDIAN P95 MAX" and
"baseline_ms MEDIAN P95 MAX" (without load). Everything is bounded: the
connections, the requests (--max-requests) and the time (--seconds).
"""
import argparse
import base64
import http.client
import multiprocessing
import resource
import selectors
import socket
import ssl
import statistics
import sys
import threading
import time
import urllib.parse

SLOW_REQUEST = b"GET /metrics HTTP/1.1\r\nHost: sip6xx\r\nX-Slow: " + b"a" * 4096
# Over TLS: a handshake record header announcing 16 KiB, then its bytes, slowly.
SLOW_TLS = b"\x16\x03\x01\x40\x00\x01\x00\x3f\xfc\x03\x03" + b"\x00" * 4096


def auth_header(user, password):
    token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    return {"Authorization": "Basic " + token}


def connection(url, ctx, source, timeout):
    cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    kw = {"context": ctx} if url.scheme == "https" else {}
    return cls(url.hostname, url.port, timeout=timeout, source_address=(source, 0), **kw)


class Flood:
    def __init__(self, args, url, ctx, stop, deadline):
        self.args, self.url, self.ctx = args, url, ctx
        self.stop = stop
        self.deadline = deadline
        self.counts = {}
        self.lock = threading.Lock()

    def count(self, what, n=1):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + n

    def running(self):
        return not self.stop.is_set() and time.monotonic() < self.deadline


class Slowloris(Flood):
    """One thread, one selector: non-blocking connects, trickled bytes."""

    def start(self):
        self.slow = SLOW_TLS if self.url.scheme == "https" else SLOW_REQUEST
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def open_one(self, sel, i):
        src = self.args.flood_from[i % len(self.args.flood_from)]
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((src, 0))
        s.connect_ex((self.url.hostname, self.url.port))
        # Odd ones trickle a request; even ones never send a byte.
        sel.register(s, selectors.EVENT_READ, {"sent": 0, "slow": i % 2 == 1})
        self.count("connects")

    def run(self):
        sel = selectors.DefaultSelector()
        n = 0
        opened_at = time.monotonic()
        budget = 0.0
        next_trickle = time.monotonic() + 1
        while self.running() and n < self.args.max_requests:
            now = time.monotonic()
            budget = min(self.args.conns, budget + (now - opened_at) * self.args.reconnect_rate)
            opened_at = now
            while len(sel.get_map()) < self.args.conns and budget >= 1:
                self.open_one(sel, n)
                n += 1
                budget -= 1
            for key, _ in sel.select(timeout=0.05):
                try:
                    data = key.fileobj.recv(4096)
                except OSError:
                    data = b""
                if data:
                    self.count("answered")  # a slow request must never be answered
                    continue
                sel.unregister(key.fileobj)
                key.fileobj.close()
                self.count("closed_by_server")
            if time.monotonic() >= next_trickle:
                next_trickle += 1
                for key in list(sel.get_map().values()):
                    st = key.data
                    if st["slow"] and st["sent"] < len(self.slow):
                        try:
                            st["sent"] += key.fileobj.send(self.slow[st["sent"]:st["sent"] + 1])
                        except OSError:
                            pass
            with self.lock:
                self.counts["open_max"] = max(self.counts.get("open_max", 0), len(sel.get_map()))
        for key in list(sel.get_map().values()):
            key.fileobj.close()

    def join(self):
        self.thread.join(10)


class WrongPassword(Flood):
    """--conns threads, each a keep-alive connection sending a wrong password."""

    def start(self):
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(self.args.conns)]
        self.sent = 0
        for t in self.threads:
            t.start()

    def run(self, i):
        src = self.args.flood_from[i % len(self.args.flood_from)]
        headers = auth_header(self.args.user, "wrong-" + self.args.password)
        conn = None
        while self.running():
            with self.lock:
                if self.sent >= self.args.max_requests:
                    return
                self.sent += 1
            try:
                if conn is None:
                    conn = connection(self.url, self.ctx, src, 10)
                conn.request("GET", self.url.path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                self.count("status_%d" % resp.status)
            except (OSError, http.client.HTTPException):
                self.count("errors")
                conn = None

    def join(self):
        for t in self.threads:
            t.join(15)


def run_flood(args, stop, deadline, results):
    """In a process of its own, so the flood's threads never hold up the scraper's."""
    url = urllib.parse.urlsplit(args.url)
    ctx = ssl.create_default_context(cafile=args.cacert) if url.scheme == "https" else None
    flood = (Slowloris if args.mode == "slowloris" else WrongPassword)(args, url, ctx, stop,
                                                                       deadline)
    flood.start()
    while flood.running():
        stop.wait(0.1)
    flood.join()
    with flood.lock:
        results.put(dict(flood.counts))


def scrape(args, url, ctx, headers):
    t0 = time.monotonic()
    try:
        conn = connection(url, ctx, args.scrape_from, args.timeout)
        conn.request("GET", url.path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        status = resp.status if b"sip6xx_exporter_build_info" in body else -resp.status
    except (OSError, http.client.HTTPException):
        status = 0
    return status, (time.monotonic() - t0) * 1000


def summary(times):
    """ "median p95 max" in milliseconds."""
    if not times:
        return "-1 -1 -1"
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return "%.1f %.1f %.1f" % (statistics.median(times), p95, times[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["slowloris", "wrong-password"])
    p.add_argument("url")
    p.add_argument("--cacert")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--scrape-from", required=True)
    p.add_argument("--flood-from", required=True, type=lambda v: v.split(","))
    p.add_argument("--conns", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--scrapes", type=int, default=40)
    p.add_argument("--baseline", type=int, default=10)
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--timeout", type=float, default=5)
    p.add_argument("--max-requests", type=int, default=100000)
    p.add_argument("--reconnect-rate", type=float, default=2000)
    args = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, args.conns + 256) if hard != resource.RLIM_INFINITY else args.conns + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    url = urllib.parse.urlsplit(args.url)
    ctx = ssl.create_default_context(cafile=args.cacert) if url.scheme == "https" else None
    headers = auth_header(args.user, args.password)

    # The scraper's password is checked (and cached) before the flood starts,
    # and the same scrapes without load give the figures to compare with.
    status, ms = scrape(args, url, ctx, headers)
    print("scrape 0 %d %.1f (before the flood)" % (status, ms), flush=True)
    base = []
    for _ in range(args.baseline):
        base.append(scrape(args, url, ctx, headers)[1])
        time.sleep(args.interval)
    print("baseline_ms %s" % summary(base))

    stop, results = multiprocessing.Event(), multiprocessing.Queue()
    deadline = time.monotonic() + args.seconds
    proc = multiprocessing.Process(target=run_flood, args=(args, stop, deadline, results))
    proc.start()
    time.sleep(args.warmup)
    times, ok = [], 0
    for i in range(1, args.scrapes + 1):
        if time.monotonic() > deadline:
            break
        status, ms = scrape(args, url, ctx, headers)
        ok += status == 200
        times.append(ms)
        print("scrape %d %d %.1f" % (i, status, ms), flush=True)
        time.sleep(args.interval)
    stop.set()
    try:
        counts = results.get(timeout=30)
    except Exception:
        counts = {"results": "missing"}
    proc.join(10)
    for k in sorted(counts):
        print("flood %s %s" % (k, counts[k]))
    print("scrapes_ok %d %d" % (ok, len(times)))
    print("scrape_ms %s" % summary(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
