#!/usr/bin/python3
"""Failover benchmarks: cmcsim racks and cmcd with declared logical servers and
spare pools. Each prints a table of its figures, and with --json one JSON line
after it (progress goes to stderr).

  failover_bench.py control [--runs 50] [--hold-ms 0] [--no-default-hold] [--spares warm|cold|mixed]
      control-plane failover time with the simulator's hardware delays at zero
      (cmcsim --hardware-delays zero, speed 1): from the blade's health
      transition to Failed (the BladeHealthChanged event) to the spare powered
      on with the identity applied (FailoverPhaseChanged to Verifying), with
      "failover": {"holdMs": 0}, then again with the default holdMs (250)
  failover_bench.py end-to-end [--runs 50] [--speed 10]
      fault injection to the logical IP answering again (the probe's outage),
      default hardware timings and cmcd settings, for warm and for cold spares
      separately; split into detection, boot and the remainder
  failover_bench.py simultaneous [--runs 50] [--failures 8] [--spares warm|cold|mixed]
      that many blades lose power at once (16 blades: 8 servers, 8 spares),
      hardware delays zero: all move; first Failed to last spare powered on
  failover_bench.py all [--runs 50] [--speed 10] [--spares warm|cold|mixed]
      the three above

--spares: the 8 spares are warm (the default), cold, or 4 warm + 4 cold.

Each failed blade stays failed: a rack serves as many runs as it has spares
(8 servers on blades 1-8 and 8 spares on 9-16), then a fresh rack (cmcsim and
cmcd on a new database) takes over. A failover that fails is counted and
reported, ends its rack, and three of them end the measurement. Failures in one rack are one after the
other (each waits for the previous failover to complete), so the storm
breaker is set to maxFraction 1.0 for the sequential runs; the simultaneous
runs use maxFraction 0.5 (8 of 16 blades at once would trip the default 25%).
Times of cmcd come from its event log (Created, ms resolution); times of the
simulator (outage, boot) are simulated ms.
"""
import argparse
import datetime
import json
import math
import os
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "cmcd"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "simulator", "demo"))
os.environ.setdefault("CMC_BIN", os.path.join(HERE, "..", "..", "..", "build", "bin"))

from cmcdlib import Cmcd  # noqa: E402
from simlib import Sim, wait_until  # noqa: E402
import demo_config  # noqa: E402

BLADES = 16
SERVERS = 8
SPARE_SLOTS = list(range(SERVERS + 1, BLADES + 1))
SEQUENTIAL_STORM = {"maxFraction": 1.0}
SIMULTANEOUS_STORM = {"maxFraction": 0.5}
DEFAULT_HOLD_MS = 250  # config/declarations.hpp FailoverConfig::holdMs


def progress(msg):
    print("  [failover-bench] " + msg, file=sys.stderr, flush=True)


def unix_ms(created):
    """RFC 3339 with milliseconds ("2026-12-01T14:57:04.624Z") -> Unix ms."""
    d = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return d.timestamp() * 1000.0


def pct(values, q):
    """Nearest-rank percentile."""
    v = sorted(values)
    return v[max(0, min(len(v) - 1, int(math.ceil(q / 100.0 * len(v))) - 1))]


def summary(values):
    if not values:
        return None
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99),
            "max": max(values), "min": min(values), "mean": statistics.fmean(values)}


class Rack:
    """cmcsim (16 blades) and cmcd with SERVERS declared servers on blades
    1..SERVERS and the given spares, bound and standing by."""

    def __init__(self, warm, cold, speed, zero_delays, failover):
        self.warm, self.cold, self.speed = list(warm), list(cold), speed
        self.names = demo_config.server_names(SERVERS)
        self.sim = Sim(blades=BLADES, speed=speed, extra=["--hardware-delays", "zero"] if zero_delays else [])
        self.cmcd = None
        self.events = []
        try:
            for v in demo_config.volumes(SERVERS):
                status, _, body = self.sim.api("POST", "/sim/v1/volumes", v)
                assert status in (200, 201), (v, status, body)
            self.failover = failover
            self.cmcd = Cmcd(manifest=self.sim.manifest_path,
                             config={"failover": failover,
                                     **demo_config.declarations(SERVERS, warm=self.warm, cold=self.cold)})
            self.wait_bound()
        except BaseException:
            self.stop()
            raise
        self.on = {name: i + 1 for i, name in enumerate(self.names)}  # server -> blade it runs on

    def stop(self):
        if self.cmcd:
            self.cmcd.cleanup()
        self.sim.stop()

    def read_events(self):
        """Appends the event log entries not read yet; returns the new ones."""
        new, path = [], "/redfish/v1/Managers/cmc/LogServices/EventLog/Entries?$skip=%d" % len(self.events)
        while path:
            body = self.cmcd.json(path)
            new += body["Members"]
            path = body.get("Members@odata.nextLink")
        self.events += new
        return new

    def probe(self):
        return self.sim.get("/sim/v1/probe")

    def standing_by(self):
        for s in self.warm + self.cold:
            b = self.sim.blade(s)
            want = ("On", "Firmware") if s in self.warm else ("Off", "Off")
            if (b["power"], b["host"]) != want:
                return False
        return True

    def wait_bound(self):
        def bound():
            self.read_events()
            done = {e["MessageArgs"][1] for e in self.events if e["MessageId"].endswith(".FailoverCompleted")}
            up = [t for t in self.probe()["targets"] if t["reachable"]]
            return set(self.names) <= done and len(up) == SERVERS
        wait_until(bound, timeout=120, interval=0.05, what="%d servers bound" % SERVERS)
        wait_until(self.standing_by, timeout=60, interval=0.05, what="spares standing by")
        wait_until(lambda: all(self.cmcd.health(s) == "Healthy" for s in range(1, BLADES + 1)), timeout=60,
                   what="every blade Healthy")

    def sim_clock(self):
        """(wall ms, simulated ms) at one instant, for mapping cmcd's times to the simulator's."""
        w0 = time.time()
        sim_ms = self.sim.get("/sim/v1")["simTimeMs"]
        w1 = time.time()
        return (w0 + w1) / 2 * 1000.0, sim_ms

    def violations(self):
        return self.sim.get("/sim/v1/invariants")["violations"]


def failover_times(events, name, slot):
    """From the events after a fault: the failover of `name` from `slot` and its times (Unix ms)."""
    failed = [unix_ms(e["Created"]) for e in events if e["MessageId"].endswith(".BladeHealthChanged")
              and e["MessageArgs"][0] == str(slot) and e["MessageArgs"][2] == "Failed"]
    started = [e for e in events if e["MessageId"].endswith(".FailoverStarted")
               and e["MessageArgs"][1] == name and e["MessageArgs"][2] == str(slot)]
    if not failed or not started:
        return None
    fid = started[0]["MessageArgs"][0]
    phases = {}
    for e in events:
        if e["MessageId"].endswith(".FailoverPhaseChanged") and e["MessageArgs"][0] == fid:
            phases.setdefault(e["MessageArgs"][2], (unix_ms(e["Created"]), e["MessageArgs"][3]))
    done = [e for e in events if e["MessageId"].endswith(".FailoverCompleted") and e["MessageArgs"][0] == fid]
    bad = [e for e in events if e["MessageId"].endswith(".FailoverFailed") and e["MessageArgs"][0] == fid]
    return {"id": fid, "failedMs": failed[0], "startedMs": unix_ms(started[0]["Created"]), "phases": phases,
            "completed": done[0]["MessageArgs"] if done else None, "failedReason": bad[0]["MessageArgs"] if bad else None,
            "startedCount": len(started)}


def one_failure(rack, name, timeout=60):
    """Power loss on the blade `name` runs on; waits until its failover ended
    (Completed or Failed). Returns the run's figures; "ok" says whether it completed."""
    slot = rack.on[name]
    rack.read_events()
    cursor = len(rack.events)
    wall_ref, sim_ref = rack.sim_clock()
    t_inject = time.time() * 1000.0
    rack.sim.inject(slot, "power-loss")

    def ended():
        rack.read_events()
        f = failover_times(rack.events[cursor:], name, slot)
        return f and (f["completed"] or f["failedReason"]) and f
    f = wait_until(ended, timeout=timeout, interval=0.02, what="failover of %s from blade %d" % (name, slot))
    f.update({"server": name, "from": slot, "injectMs": t_inject, "wallRef": wall_ref, "simRef": sim_ref,
              "ok": bool(f["completed"]) and not f["failedReason"]})
    if f["ok"]:
        to = int(f["completed"][2])
        rack.on[name] = to
        f.update({"to": to, "spareKind": "Warm" if to in rack.warm else "Cold"})
    return f


def spare_layout(kind):
    """(warm, cold) slots of the 8 spares."""
    if kind == "warm":
        return SPARE_SLOTS, []
    if kind == "cold":
        return [], SPARE_SLOTS
    return SPARE_SLOTS[:4], SPARE_SLOTS[4:]


class Series:
    """Runs one failure at a time on racks of 8 servers and 8 spares until
    `runs` completed; a failover that fails ends its rack (the next run gets a
    fresh one) and `max_failed` of them end the series."""

    def __init__(self, label, runs, rack_args, max_failed=3):
        self.label, self.runs, self.rack_args, self.max_failed = label, runs, rack_args, max_failed
        self.ok, self.failed, self.violations, self.racks, self.timings = [], [], [], 0, None

    def run(self, measure, timeout=60):
        while len(self.ok) < self.runs and len(self.failed) < self.max_failed:
            rack = Rack(**self.rack_args)
            self.racks += 1
            self.timings = rack.sim.get("/sim/v1/timings")
            try:
                for name in rack.names:
                    if len(self.ok) >= self.runs:
                        break
                    ctx = measure.before(rack, name) if hasattr(measure, "before") else None
                    f = one_failure(rack, name, timeout=timeout)
                    if not f["ok"]:
                        self.failed.append(f)
                        progress("%s: failover %s of %s from blade %d FAILED: %s" % (
                            self.label, f["id"], name, f["from"], f["failedReason"][2]))
                        time.sleep(2)  # what the released spares do next shows in the invariant monitor
                        break
                    measure.after(rack, f, ctx)
                    self.ok.append(f)
                self.violations += rack.violations()
            finally:
                rack.stop()
            progress("%s: %d/%d runs%s" % (self.label, len(self.ok), self.runs,
                                           ", %d failed" % len(self.failed) if self.failed else ""))
        return self

    def report(self):
        return {"runs": len(self.ok), "attempted": len(self.ok) + len(self.failed), "failedRuns": len(self.failed),
                "failures": [f["failedReason"][2] for f in self.failed], "racks": self.racks,
                "invariantViolations": len(self.violations),
                "invariantViolationKinds": sorted({"%s %s" % (v["kind"], v["subject"]) for v in self.violations})}


def step_durations(f):
    """Per-step durations (ms) of a failover from its phase entry times."""
    p = {k: v[0] for k, v in f["phases"].items()}
    out = {}
    for step, a, b in (("fence", "Fencing", "Allocating"), ("allocate", "Allocating", "Programming"),
                       ("program", "Programming", "PoweringOn"), ("powerOn", "PoweringOn", "Verifying")):
        if a in p and b in p:
            out[step] = p[b] - p[a]
    return out


# ------------------------------------------------------------------ a. control plane

class ControlMeasure:
    @staticmethod
    def after(rack, f, ctx):
        if "Verifying" not in f["phases"]:
            raise RuntimeError("failover %s never entered Verifying: %r" % (f["id"], f["phases"]))
        f["controlMs"] = f["phases"]["Verifying"][0] - f["failedMs"]
        f["fromStartedMs"] = f["phases"]["Verifying"][0] - f["startedMs"]
        f["steps"] = step_durations(f)


def control(args):
    out = {}
    holds = [args.hold_ms] + ([] if args.no_default_hold or args.hold_ms == DEFAULT_HOLD_MS else [DEFAULT_HOLD_MS])
    warm, cold = spare_layout(args.spares)
    for hold in holds:
        failover = {"holdMs": hold, "storm": SEQUENTIAL_STORM}
        series = Series("control holdMs=%d %s spares" % (hold, args.spares), args.runs,
                        dict(warm=warm, cold=cold, speed=1, zero_delays=True, failover=failover)).run(ControlMeasure)
        res = series.ok
        steps = {}
        for k in ("fence", "allocate", "program", "powerOn"):
            steps[k] = summary([r["steps"][k] for r in res if k in r["steps"]])
        out["holdMs=%d" % hold] = dict(series.report(), **{
            "holdMs": hold, "spares": args.spares,
            "failedToPoweredOnMs": summary([r["controlMs"] for r in res]),
            "failedToPoweredOnMsWarm": summary([r["controlMs"] for r in res if r["spareKind"] == "Warm"]),
            "failedToPoweredOnMsCold": summary([r["controlMs"] for r in res if r["spareKind"] == "Cold"]),
            "startedToPoweredOnMs": summary([r["fromStartedMs"] for r in res]),
            "detectionMs": summary([r["failedMs"] - r["injectMs"] for r in res]),
            "stepsMs": steps,
        })
    return out


def fmt_failures(r):
    if not r["failedRuns"]:
        return ""
    return "; %d of %d failovers FAILED (first: %s)" % (r["failedRuns"], r["attempted"], r["failures"][0])


def print_control(c):
    first = next(iter(c.values()))
    print("a. control-plane failover time, cmcsim --hardware-delays zero --speed 1, one power loss at a time, "
          "%s spares" % first["spares"])
    print("   (Failed = BladeHealthChanged to Failed; powered on = FailoverPhaseChanged to Verifying; ms)")
    row = "   %-46s %5s %7s %7s %7s %7s"
    print(row % ("", "runs", "p50", "p95", "p99", "max"))
    for key, c1 in c.items():
        hold = c1["holdMs"]
        split = c1["spares"] == "mixed"
        for label, k in (("Failed -> spare powered on", "failedToPoweredOnMs"),
                         ("  to a warm spare", "failedToPoweredOnMsWarm" if split else None),
                         ("  to a cold spare", "failedToPoweredOnMsCold" if split else None),
                         ("FailoverStarted -> spare powered on", "startedToPoweredOnMs"),
                         ("(power loss -> Failed: detection)", "detectionMs")):
            v = c1.get(k)
            if v:
                print(row % ("holdMs %-4d %s" % (hold, label), v["n"], "%.0f" % v["p50"], "%.0f" % v["p95"],
                             "%.0f" % v["p99"], "%.0f" % v["max"]))
        st = c1["stepsMs"]
        print("   holdMs %-4d step p50 ms: fence %s, allocate %s, program %s, power on %s; %d racks; "
              "invariant violations %d%s" % (hold, *("%.0f" % st[k]["p50"] if st[k] else "-"
                                                     for k in ("fence", "allocate", "program", "powerOn")),
                                             c1["racks"], c1["invariantViolations"], fmt_failures(c1)))
    v = first["failedToPoweredOnMs"]
    if v:
        print("   target p99 < 200 ms (holdMs %d): %s (p99 %.0f ms over %d runs)" % (
            first["holdMs"], "met" if v["p99"] < 200 and not first["failedRuns"] else "NOT met", v["p99"], v["n"]))


# ------------------------------------------------------------------ b. end to end

class EndToEndMeasure:
    def __init__(self, speed):
        self.speed = speed

    def before(self, rack, name):
        ip = next(t["ip"] for t in rack.probe()["targets"] if t["answeredBy"] == [rack.on[name]])
        return ip, rack.sim.get("/sim/v1")["simTimeMs"]

    def after(self, rack, f, ctx):
        ip, since = ctx
        outs = wait_until(lambda: [o for o in rack.probe()["outages"]
                                   if o["ip"] == ip and o["startMs"] >= since and not o["ongoing"]],
                          timeout=30, what="outage of %s over" % ip)
        o = outs[0]
        speed = self.speed

        def to_sim(wall_ms):
            return f["simRef"] + (wall_ms - f["wallRef"]) * speed
        powered = f["phases"]["Verifying"][0]
        f.update({
            "ip": ip, "outageMs": o["durationMs"], "outages": len(outs),
            "detectionWallMs": f["failedMs"] - f["injectMs"],
            "detectionSimMs": to_sim(f["failedMs"]) - o["startMs"],
            "cmcdWallMs": powered - f["failedMs"],  # hold, fence, allocate, program, power on
            "bootSimMs": o["endMs"] - to_sim(powered),  # power on accepted -> the IP answers
            "holdWallMs": f["phases"]["Fencing"][0] - f["failedMs"] if "Fencing" in f["phases"] else None,
            "steps": step_durations(f),
        })
        progress("  %s blade %d -> %d: outage %.2f s sim; Failed +%.0f ms real; hold %s, steps %s" % (
            f["server"], f["from"], f["to"], o["durationMs"] / 1000.0, f["cmcdWallMs"], f["holdWallMs"],
            {k: round(v) for k, v in f["steps"].items()}))


def end_to_end(args):
    out = {}
    for kind in ("Warm", "Cold"):
        warm, cold = spare_layout(kind.lower())
        failover = {"storm": SEQUENTIAL_STORM}  # holdMs and every other setting at its default
        series = Series("end-to-end %s spares" % kind, args.runs,
                        dict(warm=warm, cold=cold, speed=args.speed, zero_delays=False, failover=failover))
        series.run(EndToEndMeasure(args.speed), timeout=120)
        res, t = series.ok, series.timings
        boot_cfg = t["osBootMs"] + (0 if kind == "Warm" else t["powerOnMs"] + t["postMs"])
        for r in res:
            # Simulated: what the probe saw at this speed (each real ms of cmcd counts `speed` ms).
            r["remainderSimMs"] = r["outageMs"] - r["detectionSimMs"] - boot_cfg
            # At speed 1 cmcd's real ms are simulated ms: the outage a user would see on real hardware.
            r["outageSpeed1Ms"] = r["detectionWallMs"] + r["cmcdWallMs"] + r["bootSimMs"]
            r["remainderSpeed1Ms"] = r["outageSpeed1Ms"] - r["detectionWallMs"] - boot_cfg
        out[kind] = dict(series.report(), **{
            "spareKind": kind, "speed": args.speed, "holdMs": DEFAULT_HOLD_MS,
            "timingsMs": t, "bootConfiguredMs": boot_cfg,
            "outagesPerFault": sorted({r["outages"] for r in res}),
            "outageSimMs": summary([r["outageMs"] for r in res]),
            "detectionWallMs": summary([r["detectionWallMs"] for r in res]),
            "detectionSimMs": summary([r["detectionSimMs"] for r in res]),
            "cmcdWallMs": summary([r["cmcdWallMs"] for r in res]),
            "bootSimMs": summary([r["bootSimMs"] for r in res]),
            "remainderSimMs": summary([r["remainderSimMs"] for r in res]),
            "outageSpeed1Ms": summary([r["outageSpeed1Ms"] for r in res]),
            "remainderSpeed1Ms": summary([r["remainderSpeed1Ms"] for r in res]),
        })
    return out


def print_end_to_end(e):
    first = next(iter(e.values()))
    print("b. end to end: power loss -> the logical IP answers again (the probe's outage), default hardware timings, "
          "cmcsim --speed %g, cmcd defaults (holdMs %d)" % (first["speed"], first["holdMs"]))
    print("   cmcd runs in real time: at speed %g each of its real ms is %g simulated ms of the probe's outage; "
          "the 'at speed 1' rows count cmcd's part at its real duration" % (first["speed"], first["speed"]))
    row = "   %-60s %5s %8s %8s %8s %8s"
    print(row % ("", "runs", "p50", "p95", "p99", "max"))
    for kind, k in e.items():
        print("   %s spares (boot = %s = %.1f s simulated):" % (
            kind, "osBootMs" if kind == "Warm" else "powerOnMs + postMs + osBootMs", k["bootConfiguredMs"] / 1000.0))
        if not k["runs"]:
            print("     no failover to a %s spare completed%s; %d racks, invariant violations %d %s" % (
                kind.lower(), fmt_failures(k), k["racks"], k["invariantViolations"], k["invariantViolationKinds"]))
            continue
        for label, key, scale, fmt in (
                ("outage, simulated s (as the probe saw it)", "outageSimMs", 1000.0, "%.2f"),
                ("  detection: power loss -> Failed, real ms", "detectionWallMs", 1.0, "%.0f"),
                ("  cmcd: Failed -> spare powered on (hold incl.), real ms", "cmcdWallMs", 1.0, "%.0f"),
                ("  boot: spare powered on -> IP answers, simulated s", "bootSimMs", 1000.0, "%.2f"),
                ("  remainder: outage - detection - boot, simulated s", "remainderSimMs", 1000.0, "%.2f"),
                ("outage at speed 1, s (detection + cmcd real, boot sim)", "outageSpeed1Ms", 1000.0, "%.2f"),
                ("  remainder at speed 1: - detection - boot, s", "remainderSpeed1Ms", 1000.0, "%.3f")):
            v = k[key]
            print(row % (label, v["n"], *(fmt % (v[q] / scale) for q in ("p50", "p95", "p99", "max"))))
        print("   %s: %d racks, outages per fault %s, invariant violations %d%s" % (
            kind, k["racks"], k["outagesPerFault"], k["invariantViolations"], fmt_failures(k)))
    for kind, k in e.items():
        if not k["runs"]:
            print("   target outage <= detection + boot + 0.5 s, %s spares: NOT met (no failover completed)" % kind)
            continue
        r = k["remainderSpeed1Ms"]["p99"]
        print("   target outage <= detection + boot + 0.5 s, %s spares: remainder p99 %.3f s at speed 1 (%s); "
              "%.2f s simulated at speed %g" % (kind, r / 1000.0, "met" if r < 500 and not k["failedRuns"] else "NOT met",
                                                 k["remainderSimMs"]["p99"] / 1000.0, k["speed"]))


# ------------------------------------------------------------------ c. simultaneous

def simultaneous(args):
    n = args.failures
    warm, cold = spare_layout(args.spares)
    failover = {"storm": SIMULTANEOUS_STORM}
    spans, all_done, violations, per_failover, failures = [], 0, 0, [], []
    for run in range(args.runs):
        rack = Rack(warm=warm, cold=cold, speed=1, zero_delays=True, failover=failover)
        try:
            names = rack.names[:n]
            rack.read_events()
            cursor = len(rack.events)
            barrier = threading.Barrier(n)
            errors = []

            def hit(slot):
                try:
                    barrier.wait(5)
                    rack.sim.inject(slot, "power-loss")
                except Exception as e:  # reported below
                    errors.append(repr(e))
            threads = [threading.Thread(target=hit, args=(rack.on[nm],)) for nm in names]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            if errors:
                raise RuntimeError("injection failed: %r" % errors)

            def ended():
                rack.read_events()
                fs = [failover_times(rack.events[cursor:], nm, rack.on[nm]) for nm in names]
                if all(f and (f["completed"] or f["failedReason"]) for f in fs):
                    return fs
                return False
            fs = wait_until(ended, timeout=60, interval=0.02, what="%d failovers ended" % n)
            ok = [f for f in fs if f["completed"] and not f["failedReason"]]
            to = sorted(int(f["completed"][2]) for f in ok)
            if len(ok) == n and len(set(to)) == n:
                all_done += 1
                first_failed = min(f["failedMs"] for f in fs)
                last_on = max(f["phases"]["Verifying"][0] for f in fs)
                spans.append(last_on - first_failed)
                per_failover += [f["phases"]["Verifying"][0] - f["failedMs"] for f in fs]
            else:
                bad = [f["failedReason"][2] for f in fs if f["failedReason"]]
                failures.append("%d of %d moved%s" % (len(ok), n, ": " + bad[0] if bad else ""))
                progress("simultaneous run %d: %s" % (run + 1, failures[-1]))
            violations += len(rack.violations())
        finally:
            rack.stop()
        if (run + 1) % 10 == 0 or run + 1 == args.runs:
            progress("simultaneous: %d/%d runs" % (run + 1, args.runs))
        if len(failures) >= 3:
            break
    return {"failures": n, "spares": args.spares, "spareCount": len(SPARE_SLOTS), "runs": run + 1,
            "allMoved": all_done, "holdMs": DEFAULT_HOLD_MS, "storm": SIMULTANEOUS_STORM,
            "invariantViolations": violations, "incomplete": failures,
            "firstFailedToLastPoweredOnMs": summary(spans), "eachFailedToPoweredOnMs": summary(per_failover)}


def print_simultaneous(s):
    print("c. %d simultaneous power losses, %d %s spares, cmcsim --hardware-delays zero --speed 1, cmcd defaults "
          "(holdMs %d) but storm maxFraction %.1f" % (s["failures"], s["spareCount"], s["spares"], s["holdMs"],
                                                     s["storm"]["maxFraction"]))
    row = "   %-46s %5s %7s %7s %7s %7s"
    print(row % ("", "runs", "p50", "p95", "p99", "max"))
    for label, k in (("first Failed -> last spare powered on, ms", "firstFailedToLastPoweredOnMs"),
                     ("each failover: Failed -> powered on, ms", "eachFailedToPoweredOnMs")):
        v = s[k]
        if v:
            print(row % (label, v["n"], "%.0f" % v["p50"], "%.0f" % v["p95"], "%.0f" % v["p99"], "%.0f" % v["max"]))
    v = s["firstFailedToLastPoweredOnMs"]
    mx = v["max"] if v else float("inf")
    print("   all %d moved in %d of %d runs%s; invariant violations %d; target all moved, < 1 s: %s%s" % (
        s["failures"], s["allMoved"], s["runs"], (" (others: %s)" % s["incomplete"][0]) if s["incomplete"] else "",
        s["invariantViolations"], "met" if s["allMoved"] == s["runs"] and mx < 1000 else "NOT met",
        " (max %.0f ms)" % mx if v else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p, runs=50):
        p.add_argument("--runs", type=int, default=runs, help="runs per measurement (default %d)" % runs)
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="also print the figures as one JSON line")
    c = sub.add_parser("control")
    common(c)
    c.add_argument("--hold-ms", type=int, default=0, help="failover.holdMs of the measurement (default 0)")
    c.add_argument("--no-default-hold", action="store_true", help="skip the second series at holdMs 250")
    c.add_argument("--spares", choices=("warm", "cold", "mixed"), default="warm",
                   help="the 8 spares: warm, cold, or 4 of each (default warm)")
    e = sub.add_parser("end-to-end")
    common(e)
    e.add_argument("--speed", type=float, default=10, help="cmcsim --speed (default 10)")
    s = sub.add_parser("simultaneous")
    common(s)
    s.add_argument("--failures", type=int, default=8, choices=range(1, SERVERS + 1), metavar="N",
                   help="blades failing at once, 1..%d (default 8)" % SERVERS)
    s.add_argument("--spares", choices=("warm", "cold", "mixed"), default="warm",
                   help="the 8 spares: warm, cold, or 4 of each (default warm)")
    a = sub.add_parser("all")
    common(a)
    a.add_argument("--speed", type=float, default=10, help="cmcsim --speed of end-to-end (default 10)")
    a.add_argument("--spares", choices=("warm", "cold", "mixed"), default="warm",
                   help="the spares of control and simultaneous (default warm)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    t0 = time.monotonic()
    out = {"bench": "failover"}
    printers = {"control": print_control, "endToEnd": print_end_to_end, "simultaneous": print_simultaneous}

    def done(key, value):
        # Each table is printed as soon as its measurement ends: a long run
        # that is interrupted keeps what it measured.
        if len(out) > 1:
            print()
        out[key] = value
        printers[key](value)
        sys.stdout.flush()

    if args.cmd in ("control", "all"):
        if args.cmd == "all":
            args.hold_ms, args.no_default_hold = 0, False
        done("control", control(args))
    if args.cmd in ("end-to-end", "all"):
        done("endToEnd", end_to_end(args))
    if args.cmd in ("simultaneous", "all"):
        if args.cmd == "all":
            args.failures = 8
        done("simultaneous", simultaneous(args))
    out["seconds"] = round(time.monotonic() - t0, 1)
    print("(%.0f s)" % out["seconds"])
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
