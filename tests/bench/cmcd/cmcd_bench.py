#!/usr/bin/python3
"""cmcd benchmarks. Each prints its figures and one JSON line.

  cmcd_bench.py detection [--injections 50]
      time from an injected power loss to Failed in cmcd (default settings), with the
      BMCs' SSE event streams and with polling alone, in the same run
  cmcd_bench.py detection-events [--injections 20]
      Redfish-only blades over HTTPS: power loss -> Failed with the BMCs' SSE event
      streams, and with polling alone (redfishOnlyIntervalMs 1000), in the same run
  cmcd_bench.py false-positives [--blades 1000] [--loss 5] [--minutes 10] [--speed 1]
      every BMC with packet loss for the given (simulated) minutes: blades confirmed Failed
  cmcd_bench.py scale [--blades 1000] [--seconds 60] [--ipmi-interval-ms 250]
      cmcd monitoring N blades at the default intervals: CPU share of one core, RSS, poll rate;
      a shorter interval gives the IPMI polling load of N * 250 / interval blades
"""
import argparse
import json
import os
import queue
import random
import re
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "cmcd"))
os.environ.setdefault("CMC_BIN", os.path.join(HERE, "..", "..", "..", "build", "bin"))

from cmcdlib import Cmcd  # noqa: E402
from simlib import Sim, reset, wait_until  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class LogWatcher:
    """Follows cmcd's log file and timestamps each health transition line on arrival."""

    def __init__(self, path):
        self.path, self.q, self.stop = path, queue.Queue(), False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        with open(self.path) as f:
            while not self.stop:
                line = f.readline()
                if not line:
                    time.sleep(0.0005)
                    continue
                m = re.search(r"blade=(\d+) health (\w+) -> (\w+)", line)
                if m:
                    self.q.put((time.monotonic(), int(m.group(1)), m.group(3)))

    def wait_for(self, slot, state, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                t, s, st = self.q.get(timeout=0.1)
            except queue.Empty:
                continue
            if s == slot and st == state:
                return t
        raise TimeoutError("slot %d never reached %s" % (slot, state))


def power_loss_latencies(sim, cmcd, blades, injections, max_phase, seed):
    """Injects a power loss on each blade in turn and times it to Failed in
    cmcd's log (ms, sorted); each blade is powered on and Healthy again before
    the next injection."""
    watcher = LogWatcher(cmcd.log_path)
    latencies = []
    rng = random.Random(seed)
    try:
        for i in range(injections):
            slot = i % blades + 1
            # A random phase against cmcd's polling, so the figure is not an artefact of this loop.
            time.sleep(rng.uniform(0, max_phase))
            t0 = time.monotonic()
            sim.inject(slot, "power-loss")
            t1 = watcher.wait_for(slot, "Failed")
            latencies.append((t1 - t0) * 1000)
            sim.clear(slot, "power-loss")
            reset(sim, slot, "On")
            watcher.wait_for(slot, "Healthy")
    finally:
        watcher.stop = True
    return sorted(latencies)


def percentiles(latencies):
    return statistics.median(latencies), latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))]


def events_against_polling(sim, manifest_path, blades, injections, max_phase, seed):
    """Power loss -> Failed latencies with the BMCs' SSE event streams and with
    polling alone (redfishEvents false), one cmcd after the other on the same rack."""
    results = {}
    for mode, events in (("events", True), ("polling", False)):
        cmcd = Cmcd(manifest=manifest_path, config={"monitor": {"redfishEvents": events}})
        try:
            for s in range(1, blades + 1):
                reset(sim, s, "On")
            wait_until(lambda: all(cmcd.health(s) == "Healthy" and cmcd.blade(s).get("PowerState") == "On"
                                   for s in range(1, blades + 1)), timeout=60, what="healthy and on")
            if events:
                wait_until(lambda: all(cmcd.blade(s)["Oem"]["OpenCMC"]["ManagementPaths"]["EventStream"]
                                       for s in range(1, blades + 1)), timeout=30, what="event streams")
            latencies = power_loss_latencies(sim, cmcd, blades, injections, max_phase=max_phase, seed=seed)
            print("%s: latencies ms: %s" % (mode, " ".join("%.0f" % x for x in latencies)))
            p50, p99 = percentiles(latencies)
            results[mode] = {"medianMs": p50, "p99Ms": p99, "maxMs": latencies[-1]}
        finally:
            cmcd.cleanup()
    return results


def detection(args):
    """IPMI + Redfish blades at the default settings: with the BMCs' SSE event
    streams (a power event makes the blade's next IPMI and SEL polls
    immediate) and with polling alone, in the same run."""
    sim = Sim(blades=16, speed=20)
    try:
        results = events_against_polling(sim, sim.manifest_path, 16, args.injections, max_phase=0.5, seed=1)
        for mode in ("events", "polling"):
            r = results[mode]
            print("detection latency, power loss -> Failed, %d injections, default settings (IPMI poll 250 ms, SEL 1 s), "
                  "%s: median %.0f ms, p99 %.0f ms, max %.0f ms"
                  % (args.injections, "with BMC SSE events" if mode == "events" else "polling alone", r["medianMs"],
                     r["p99Ms"], r["maxMs"]))
        print(json.dumps({"bench": "cmcd-detection", "injections": args.injections, **results}))
    finally:
        sim.stop()


def detection_events(args):
    """Redfish-only blades over HTTPS (the manifest without its ipmi entries)."""
    import copy
    sim = Sim(blades=8, speed=20, extra=["--redfish-scheme", "https"])
    manifest = copy.deepcopy(sim.manifest)
    for b in manifest["blades"]:
        b.pop("ipmi", None)
    path = os.path.join(sim.tmp.name, "redfish-only.json")
    with open(path, "w") as f:
        json.dump(manifest, f)
    try:
        results = events_against_polling(sim, path, 8, args.injections, max_phase=1.0, seed=2)
        for mode in ("events", "polling"):
            r = results[mode]
            print("detection, power loss -> Failed, Redfish-only blades over HTTPS, %d injections, %s: "
                  "median %.0f ms, p99 %.0f ms, max %.0f ms (unexpectedOffMs 500 included)"
                  % (args.injections, "SSE events + 1 s poll" if mode == "events" else "1 s poll alone",
                     r["medianMs"], r["p99Ms"], r["maxMs"]))
        print(json.dumps({"bench": "cmcd-detection-events", "injections": args.injections, **results}))
    finally:
        sim.stop()


def false_positives(args):
    sim = Sim(blades=args.blades, speed=args.speed)
    cmcd = Cmcd(manifest=sim.manifest_path)
    try:
        wait_until(lambda: cmcd.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]["IpmiPolls"] > args.blades * 4,
                   timeout=120, what="monitoring running")
        for s in range(1, args.blades + 1):
            sim.inject(s, "mgmt-packet-loss", percent=args.loss)
        start = cmcd.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]
        real_seconds = args.minutes * 60 / args.speed
        time.sleep(real_seconds)
        end = cmcd.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]
        states = {}
        for s in range(1, args.blades + 1):
            st = cmcd.health(s)
            states[st] = states.get(st, 0) + 1
        log = cmcd.read_log()
        failed = len(set(re.findall(r"blade=(\d+) health \w+ -> Failed", log)))
        unreachable = len(set(re.findall(r"blade=(\d+) health \w+ -> BmcUnreachable", log)))
        polls = end["IpmiPolls"] - start["IpmiPolls"]
        lost = end["IpmiPollFailures"] - start["IpmiPollFailures"]
        print("false positives: %d blades, %g%% packet loss on every BMC for %g simulated minutes (%.0f s real): "
              "%d blades ever confirmed Failed, %d ever BmcUnreachable; %d IPMI polls, %d (%.2f%%) unanswered; states now %s"
              % (args.blades, args.loss, args.minutes, real_seconds, failed, unreachable, polls, lost,
                 100.0 * lost / max(polls, 1), states))
        print(json.dumps({"bench": "cmcd-false-positives", "blades": args.blades, "lossPercent": args.loss,
                          "simMinutes": args.minutes, "failed": failed, "bmcUnreachable": unreachable,
                          "ipmiPolls": polls, "ipmiUnanswered": lost, "states": states}))
    finally:
        cmcd.cleanup()
        sim.stop()


def scale(args):
    sim = Sim(blades=args.blades, speed=1)
    # A shorter IPMI interval on N blades is the IPMI polling load of N * 250 / interval blades at 250 ms.
    cmcd = Cmcd(manifest=sim.manifest_path, config={"monitor": {"ipmiIntervalMs": args.ipmi_interval_ms}})
    try:
        t0 = time.monotonic()
        wait_until(lambda: sum(1 for s in range(1, args.blades + 1, max(1, args.blades // 50)) if cmcd.health(s) == "Healthy")
                   == len(range(1, args.blades + 1, max(1, args.blades // 50))), timeout=300, interval=0.5, what="healthy")
        ready = time.monotonic() - t0
        time.sleep(5)  # let inventory reads settle
        m0 = cmcd.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]
        c0, w0 = cpu_seconds(cmcd.proc.pid), time.monotonic()
        time.sleep(args.seconds)
        c1, w1 = cpu_seconds(cmcd.proc.pid), time.monotonic()
        m1 = cmcd.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]
        rss = rss_mib(cmcd.proc.pid)
        cpu_share = (c1 - c0) / (w1 - w0)
        polls = (m1["IpmiPolls"] - m0["IpmiPolls"]) / (w1 - w0)
        target = args.blades * 1000.0 / args.ipmi_interval_ms
        cpu_per_poll_us = (c1 - c0) / max(m1["IpmiPolls"] - m0["IpmiPolls"], 1) * 1e6
        sustainable = int(1e6 / cpu_per_poll_us / 4) if cpu_per_poll_us > 0 else 0
        print("scale: cmcd monitoring %d blades (IPMI %d ms, SEL 1 s, Redfish 5 s, fabric 0.5 s): all healthy after %.1f s; "
              "%.1f%% of one core, RSS %.1f MiB, %.0f IPMI polls/s (target %.0f, i.e. %.0f blades at 250 ms), "
              "%.1f us cmcd CPU per IPMI poll (all polling included); blades sustainable at 250 ms on one core, "
              "extrapolated: %d"
              % (args.blades, args.ipmi_interval_ms, ready, cpu_share * 100, rss, polls, target, polls / 4.0,
                 cpu_per_poll_us, sustainable))
        print(json.dumps({"bench": "cmcd-scale", "blades": args.blades, "ipmiIntervalMs": args.ipmi_interval_ms,
                          "equivalentBladesAt250ms": polls / 4.0, "cpuShare": cpu_share, "rssMiB": rss,
                          "ipmiPollsPerSecond": polls, "cpuUsPerPoll": cpu_per_poll_us,
                          "sustainableBladesExtrapolated": sustainable, "readySeconds": ready}))
    finally:
        cmcd.cleanup()
        sim.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("detection")
    d.add_argument("--injections", type=int, default=50)
    de = sub.add_parser("detection-events")
    de.add_argument("--injections", type=int, default=20)
    f = sub.add_parser("false-positives")
    f.add_argument("--blades", type=int, default=1000)
    f.add_argument("--loss", type=float, default=5)
    f.add_argument("--minutes", type=float, default=10)
    f.add_argument("--speed", type=float, default=1)
    s = sub.add_parser("scale")
    s.add_argument("--blades", type=int, default=1000)
    s.add_argument("--seconds", type=float, default=60)
    s.add_argument("--ipmi-interval-ms", type=int, default=250,
                   help="IPMI poll interval (shorter: the polling load of more blades at 250 ms)")
    args = ap.parse_args()
    {"detection": detection, "detection-events": detection_events, "false-positives": false_positives, "scale": scale}[args.cmd](args)


if __name__ == "__main__":
    main()
