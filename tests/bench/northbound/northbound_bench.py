#!/usr/bin/python3
"""Northbound (cmcd Redfish API) benchmark beside a bare Boost.Beast server.

  northbound_bench.py [--duration 10] [--threads 2] [--connections 32] [--repeats 3]
                      [--warmup 2] [--sse-clients 100] [--no-throughput] [--no-sse] [--json]

One run starts cmcsim (16 blades, --hardware-delays zero, speed 1) and cmcd with
the demo's declarations (simulator/demo/demo_config.py: 12 logical servers,
warm spares 13-14, cold 15-16) on port 0, and build/bench/bare_beast_server
(one io_context thread like cmcd, a fixed 1 KB JSON body, HTTP and HTTPS).

a. GET throughput with wrk (Debian's; loopback, keep-alive, the same
   -t/-c/-d for every target, a warm-up run of each first): a logical server
   (/redfish/v1/Systems/web01), a blade chassis (/redfish/v1/Chassis/blade-1,
   with a session token and with HTTP Basic), an expanded collection
   (/redfish/v1/Systems?$expand=.($levels=1)), over HTTP and, when cmcd has an
   HTTPS listener, HTTPS. Each cmcd run is paired with a bare-server run of the
   same scheme right before it (the machine is shared: pairs see the same
   load); the whole sequence repeats --repeats times and the table shows the
   medians, the ratio being the median of the pairs' ratios.
   Target: cmcd >= 50% of the bare server's req/s, p99 < 5 ms.
b. SSE fan-out: --sse-clients subscribers on cmcd's EventService
   ServerSentEventUri; a power loss on web01's blade (simulator control API)
   starts a failover; for each event, the time from its EventTimestamp to its
   arrival at each subscriber (p50/p99/max over all deliveries), and the
   deliveries missing when the failover has completed.

The admin password is stored as a PBKDF2 hash (as in production), so HTTP
Basic pays for the remembered-credential lookup, not for a plain compare.
Progress goes to stderr; the table to stdout, with --json one JSON line after it.
"""
import argparse
import asyncio
import base64
import datetime
import hashlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "cmcd"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "simulator", "demo"))
os.environ.setdefault("CMC_BIN", os.path.join(HERE, "..", "..", "..", "build", "bin"))

from cmcdlib import Cmcd  # noqa: E402
from simlib import BIN, Sim, http_call, wait_until  # noqa: E402
import demo_config  # noqa: E402

BLADES = 16
USER, PASSWORD = "admin", "northbound-bench-pw"
SERVER = "web01"
TARGETS = [  # (name, path, auth)
    ("system", "/redfish/v1/Systems/web01", "token"),
    ("blade chassis", "/redfish/v1/Chassis/blade-1", "token"),
    ("blade chassis", "/redfish/v1/Chassis/blade-1", "basic"),
    ("expanded collection", "/redfish/v1/Systems?$expand=.($levels=1)", "token"),
]


def progress(msg):
    print("  [northbound-bench] " + msg, file=sys.stderr, flush=True)


def pct(values, q):
    """Nearest-rank percentile."""
    v = sorted(values)
    return v[max(0, min(len(v) - 1, int(math.ceil(q / 100.0 * len(v))) - 1))]


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def pbkdf2_hash(password, iterations=100000):
    """config.passwordHash: pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>."""
    salt = os.urandom(16)
    h = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations, 32)
    return "pbkdf2-sha256$%d$%s$%s" % (iterations, salt.hex(), h.hex())


# ---------------------------------------------------------------- processes

class BareServer:
    def __init__(self):
        path = os.path.join(BIN, "..", "bench", "bare_beast_server")
        self.proc = subprocess.Popen([path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http ([0-9.]+:\d+) https ([0-9.]+:\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError("bare_beast_server did not start: %r" % line)
        self.urls = {"http": "http://" + m.group(1), "https": "https://" + m.group(2)}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Rack:
    """cmcsim and cmcd with the demo declarations, every server bound."""

    def __init__(self, https, sse_streams):
        self.sim = Sim(blades=BLADES, speed=1, extra=["--hardware-delays", "zero"])
        self.cmcd = None
        try:
            for v in demo_config.volumes(12):
                status, _, body = self.sim.api("POST", "/sim/v1/volumes", v)
                assert status in (200, 201), (v, status, body)
            config = {"admin": {"username": USER, "passwordHash": pbkdf2_hash(PASSWORD)},
                      **demo_config.declarations(12, warm=(13, 14), cold=(15, 16))}
            config.update(https)
            # cmcd's default limit of SSE streams (64) is below the fan-out's subscribers.
            config["eventService"] = {"maxSseStreams": sse_streams}
            self.cmcd = Cmcd(manifest=self.sim.manifest_path, config=config)
            self.urls = {"http": self.cmcd.url}
            m = re.search(r"(https://[0-9.]+:\d+)/redfish/v1", self.cmcd.read_log())
            if m:
                self.urls["https"] = m.group(1)
            self.basic = "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
            self.token = self.login()
            wait_until(self.bound, timeout=120, interval=0.1, what="every declared server Running")
        except BaseException:
            self.stop()
            raise

    def call(self, method, path, body=None, headers=None, timeout=10):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.cmcd.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers if headers is not None else {"X-Auth-Token": self.token}).items():
            req.add_header(k, v)
        return http_call(req, timeout)

    def get(self, path):
        status, _, body = self.call("GET", path)
        assert status == 200, (path, status, body)
        return body

    def login(self):
        status, headers, body = self.call("POST", "/redfish/v1/SessionService/Sessions",
                                          {"UserName": USER, "Password": PASSWORD}, headers={})
        assert status == 201, (status, body)
        token = {k.lower(): v for k, v in headers.items()}.get("x-auth-token")
        assert token, headers
        return token

    def bound(self):
        names = demo_config.server_names(12)
        for n in names:  # a declared server appears once the declarations are applied
            status, _, body = self.call("GET", "/redfish/v1/Systems/" + n)
            if status != 200 or body["Oem"]["OpenCMC"]["State"] != "Running":
                return False
        return True

    def stop(self):
        if self.cmcd:
            self.cmcd.cleanup()
        self.sim.stop()


def cmcd_https_config():
    """The config keys that give cmcd an HTTPS listener on a free loopback port,
    or {} when this cmcd has none (its schema has no such key)."""
    schema = os.path.join(HERE, "..", "..", "..", "schemas", "config", "cmcd.schema.json")
    try:
        with open(schema) as f:
            props = json.load(f).get("properties", {})
    except (OSError, ValueError):
        return {}
    https = props.get("https")
    if not isinstance(https, dict):
        return {}
    sub = https.get("properties", {})
    if "listen" in sub:
        return {"https": {"listen": "127.0.0.1:0"}}
    if "port" in sub:
        return {"https": {"port": 0, **({"address": "127.0.0.1"} if "address" in sub else {})}}
    return {}


# ---------------------------------------------------------------- wrk

UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url, args, seconds, header=None):
    cmd = ["wrk", "-t%d" % args.threads, "-c%d" % args.connections, "-d%ds" % seconds, "--latency"]
    if header:
        cmd += ["-H", header]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    r = {"url": url}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not m:
        raise RuntimeError("wrk printed no rate for %s:\n%s" % (url, out))
    r["rps"] = float(m.group(1))
    for q in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+([0-9.]+)(us|ms|s|m)\s*$" % q, out, re.M)
        r["p" + q] = float(m.group(1)) * UNIT[m.group(2)] if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socketErrors"] = sum(int(x) for x in m.groups()) if m else 0
    m = re.search(r"(\d+) requests in", out)
    r["requests"] = int(m.group(1)) if m else 0
    return r


def available(rack, path):
    """None when cmcd serves `path` as wanted, else why not."""
    status, _, body = rack.call("GET", path)
    if status != 200:
        return "answers %d" % status
    if "$expand" in path:
        members = body.get("Members") or []
        if not members or set(members[0]) <= {"@odata.id"}:
            return "not yet available (Members not expanded)"
    return None


def throughput(args, bare, rack):
    targets = []
    for scheme in ("http", "https"):
        if scheme not in rack.urls:
            targets.append({"name": "all targets", "scheme": scheme, "path": "", "auth": "",
                            "skipped": "cmcd has no HTTPS listener yet"})
            continue
        for name, path, auth in TARGETS:
            t = {"name": name, "scheme": scheme, "path": path, "auth": auth, "runs": [], "bareRuns": []}
            why = available(rack, path)
            if why:
                t["skipped"] = why
            targets.append(t)
    live = [t for t in targets if "skipped" not in t]
    headers = {"token": "X-Auth-Token: " + rack.token, "basic": "Authorization: " + rack.basic}
    if args.warmup > 0:
        progress("warm-up, %d s each" % args.warmup)
        for scheme in sorted({t["scheme"] for t in live}):
            wrk(bare.urls[scheme] + "/", args, args.warmup)
        for t in live:
            wrk(rack.urls[t["scheme"]] + t["path"], args, args.warmup, headers[t["auth"]])
    for rep in range(args.repeats):
        for t in live:
            b = wrk(bare.urls[t["scheme"]] + "/", args, args.duration)
            c = wrk(rack.urls[t["scheme"]] + t["path"], args, args.duration, headers[t["auth"]])
            c["load"] = load()
            t["bareRuns"].append(b)
            t["runs"].append(c)
            progress("repeat %d/%d %s %s %s: cmcd %.0f req/s p99 %.2f ms, bare %.0f req/s (%.0f%%), load %s" % (
                rep + 1, args.repeats, t["scheme"], t["name"], t["auth"], c["rps"], c["p99"] or -1, b["rps"],
                100.0 * c["rps"] / b["rps"], c["load"]))
    for t in live:
        med = statistics.median
        t["rps"] = med(r["rps"] for r in t["runs"])
        t["p50"] = med(r["p50"] for r in t["runs"])
        t["p99"] = med(r["p99"] for r in t["runs"])
        t["bareRps"] = med(r["rps"] for r in t["bareRuns"])
        t["bareP99"] = med(r["p99"] for r in t["bareRuns"])
        t["ratio"] = med(c["rps"] / b["rps"] for c, b in zip(t["runs"], t["bareRuns"]))
        t["errors"] = sum(r["non2xx"] + r["socketErrors"] for r in t["runs"])
        t["met"] = t["ratio"] >= 0.5 and t["p99"] < 5.0 and t["errors"] == 0
    return targets


def print_throughput(args, targets):
    print("a. GET throughput, wrk -t%d -c%d -d%ds --latency, loopback keep-alive; each cmcd run paired with a "
          "bare Beast run (1 KB JSON) just before it; median of %d repeats" % (
              args.threads, args.connections, args.duration, args.repeats))
    row = "   %-20s %-5s %-5s %9s %8s %8s %9s %8s %7s  %s"
    print(row % ("target", "", "auth", "req/s", "p50 ms", "p99 ms", "bare r/s", "bare p99", "ratio", "target met"))
    for t in targets:
        if "skipped" in t:
            print("   %-20s %-5s %-5s %s" % (t["name"], t["scheme"], t["auth"], t["skipped"]))
            continue
        print(row % (t["name"], t["scheme"], t["auth"], "%.0f" % t["rps"], "%.2f" % t["p50"], "%.2f" % t["p99"],
                     "%.0f" % t["bareRps"], "%.2f" % t["bareP99"], "%.0f%%" % (100 * t["ratio"]),
                     ("yes" if t["met"] else "NO") + (" (%d errors)" % t["errors"] if t["errors"] else "")))
    print("   paths: system %s, blade chassis %s, expanded collection %s" % tuple(p for _, p, a in TARGETS
                                                                              if a == "token"))


# ---------------------------------------------------------------- SSE fan-out

def event_time_ms(stamp):
    """RFC 3339 (any fraction, Z or offset) -> Unix ms; None if unreadable."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", stamp or "")
    if not m:
        return None
    d = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    tz = datetime.timezone.utc
    if m.group(3) != "Z":
        sign = 1 if m.group(3)[0] == "+" else -1
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(m.group(3)[1:3]), minutes=int(m.group(3)[4:6])))
    ms = d.replace(tzinfo=tz).timestamp() * 1000.0
    return ms + (float(m.group(2)) * 1000.0 if m.group(2) else 0.0)


class Subscriber:
    def __init__(self, index):
        self.index = index
        self.arrivals = {}  # event key -> (arrival Unix ms, EventTimestamp ms, MessageId)
        self.status = None
        self.error = None


async def subscribe(sub, host, port, path, token, ready, stop):
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\nX-Auth-Token: %s\r\n\r\n" % (
            path, host, port, token)).encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        sub.status = int(head.split(b" ", 2)[1])
        ready()
        if sub.status != 200:
            writer.close()
            return
        buf = b""
        while not stop.is_set():
            chunk = await reader.read(65536)
            now = time.time() * 1000.0
            if not chunk:
                break
            buf += chunk
            while b"\n\n" in buf:
                frame, _, buf = buf.partition(b"\n\n")
                eid, data = None, None
                for line in frame.decode(errors="replace").split("\n"):
                    if line.startswith("id:"):
                        eid = line[3:].strip()
                    elif line.startswith("data:"):
                        data = line[5:].strip()
                if not data:
                    continue
                try:
                    body = json.loads(data)
                except ValueError:
                    continue
                for i, rec in enumerate(body.get("Events") or []):
                    key = "%s/%s" % (eid or body.get("Id"), rec.get("EventId", i))
                    sub.arrivals[key] = (now, event_time_ms(rec.get("EventTimestamp")), rec.get("MessageId", ""))
        writer.close()
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
        sub.error = repr(e)
        ready()


async def fan_out_async(args, rack, uri):
    from urllib.parse import urlparse
    u = urlparse(rack.urls["http"])
    subs = [Subscriber(i) for i in range(args.sse_clients)]
    stop = asyncio.Event()
    connected = [0]

    def ready():
        connected[0] += 1
    tasks = [asyncio.ensure_future(subscribe(s, u.hostname, u.port, uri, rack.token, ready, stop)) for s in subs]
    deadline = time.monotonic() + 30
    while connected[0] < len(subs) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    bad = [s for s in subs if s.status != 200]
    if bad:
        stop.set()
        for t in tasks:
            t.cancel()
        return {"pending": "subscribers refused: %d of %d (first: status %s %s)" % (
            len(bad), len(subs), bad[0].status, bad[0].error or "")}
    await asyncio.sleep(0.5)
    for s in subs:
        s.arrivals.clear()  # replayed or earlier events are not the failover's
    slot = 1
    loop = asyncio.get_running_loop()
    t_inject = time.time() * 1000.0
    await loop.run_in_executor(None, rack.sim.inject, slot, "power-loss")
    progress("power loss on blade %d (%s), waiting for the failover to complete" % (slot, SERVER))

    def completed(s):
        return any(m.endswith(".FailoverCompleted") for _, _, m in s.arrivals.values())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(completed(s) for s in subs):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # stragglers
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    keys = set()
    for s in subs:
        keys |= set(s.arrivals)
    lat, spread, untimed, per_event = [], [], 0, {}
    for k in keys:
        got = [s.arrivals[k] for s in subs if k in s.arrivals]
        ts = got[0][1]
        if ts is None:
            untimed += 1
            continue
        d = [a - ts for a, _, _ in got]
        lat += d
        spread.append(max(a for a, _, _ in got) - min(a for a, _, _ in got))
        per_event[k] = {"messageId": got[0][2], "subscribers": len(got), "p50": pct(d, 50), "max": max(d)}
    missing = sum(len(keys) - len(s.arrivals) for s in subs)
    stamps = [a[1] for s in subs for a in s.arrivals.values() if a[1] is not None]
    ms_resolution = any(abs(x - round(x / 1000.0) * 1000.0) > 0.5 for x in stamps)
    return {"subscribers": len(subs), "events": len(keys), "deliveries": len(lat), "missing": missing,
            "completedAtAll": all(completed(s) for s in subs), "untimedEvents": untimed,
            "msTimestamps": ms_resolution, "injectUnixMs": t_inject,
            "latencyMs": {"p50": pct(lat, 50), "p99": pct(lat, 99), "max": max(lat)} if lat else None,
            "spreadMs": {"p50": pct(spread, 50), "max": max(spread)} if spread else None,
            "perEvent": sorted(per_event.values(), key=lambda e: e["p50"])}


def fan_out(args, rack):
    status, _, body = rack.call("GET", "/redfish/v1/EventService")
    uri = body.get("ServerSentEventUri") if status == 200 and isinstance(body, dict) else None
    if not uri:
        return {"pending": "cmcd has no EventService ServerSentEventUri yet (GET /redfish/v1/EventService: %d)" % status}
    return asyncio.run(fan_out_async(args, rack, uri))


def print_fan_out(args, f):
    print("b. SSE fan-out during a failover: %d subscribers on cmcd's ServerSentEventUri, power loss on %s's blade" % (
        args.sse_clients, SERVER))
    if "pending" in f:
        print("   pending: " + f["pending"])
        return
    if not f["latencyMs"]:
        print("   no timed event arrived (events %d, untimed %d)" % (f["events"], f["untimedEvents"]))
        return
    v, s = f["latencyMs"], f["spreadMs"]
    print("   events %d, deliveries %d, missing %d, FailoverCompleted at every subscriber: %s" % (
        f["events"], f["deliveries"], f["missing"], "yes" if f["completedAtAll"] else "NO"))
    print("   EventTimestamp -> arrival, ms: p50 %.1f  p99 %.1f  max %.1f%s" % (
        v["p50"], v["p99"], v["max"], "" if f["msTimestamps"] else "  (EventTimestamp has whole seconds only: "
                                                                   "figures are +-1000 ms)"))
    print("   first -> last subscriber per event, ms: p50 %.1f  max %.1f" % (s["p50"], s["max"]))


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (default 10)")
    ap.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    ap.add_argument("--connections", type=int, default=32, help="wrk -c (default 32)")
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the whole sequence (default 3)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of the warm-up run of each target (default 2)")
    ap.add_argument("--sse-clients", type=int, default=100, help="SSE subscribers (default 100)")
    ap.add_argument("--no-throughput", action="store_true", help="skip the wrk measurements")
    ap.add_argument("--no-sse", action="store_true", help="skip the SSE fan-out")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = ap.parse_args()
    if args.duration < 1 or args.repeats < 1 or args.threads < 1 or args.connections < args.threads:
        ap.error("bad --duration/--repeats/--threads/--connections")
    if not args.no_throughput and not shutil.which("wrk"):
        sys.exit("northbound_bench: wrk is not installed (apt-get install wrk)")
    t0 = time.monotonic()
    out = {"bench": "northbound", "loadBefore": load(), "nproc": os.cpu_count()}
    bare = BareServer()
    rack = None
    try:
        progress("starting cmcsim and cmcd (demo declarations)")
        rack = Rack(cmcd_https_config(), max(64, args.sse_clients + 8))
        if not args.no_throughput:
            out["throughput"] = throughput(args, bare, rack)
            print_throughput(args, out["throughput"])
            sys.stdout.flush()
        if not args.no_sse:
            out["sseFanOut"] = fan_out(args, rack)
            if not args.no_throughput:
                print()
            print_fan_out(args, out["sseFanOut"])
    finally:
        if rack:
            rack.stop()
        bare.stop()
    out["loadAfter"] = load()
    out["seconds"] = round(time.monotonic() - t0, 1)
    print("(load before %s, after %s; %.0f s)" % (out["loadBefore"], out["loadAfter"], out["seconds"]))
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
