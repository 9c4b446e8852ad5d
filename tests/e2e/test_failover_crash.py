"""Invariant 6 end to end: cmcd killed at each failover phase boundary and
restarted on the same database loses nothing and leaves nothing half-done.

For each phase P (Detected, Fencing, Allocating, Programming, PoweringOn,
Verifying, Completed), on a fresh 16-blade cmcsim rack with the demo's
declarations (12 logical servers on blades 1-12, warm spares 13-14, cold
spares 15-16):
  1. cmcd binds the 12 servers and is stopped (SIGTERM), so that the kill below
     hits web01's failover and not one of the start-up binds;
  2. cmcd is started on the same database with "failover": {"debugKillAt": P};
     web01's blade loses power; cmcd must SIGKILL itself right after it
     journals web01's failover entering P;
  3. cmcd is started again on the same database without debugKillAt: the
     failover is resumed at P (its record and the event log say so) and
     completes on a spare: web01 answers at its IP through one spare blade
     with its MAC, WWPN and boot volume, the old blade is off, no second
     failover was started, the other spares are untouched, and the
     simulator's invariant monitor (polled all along) saw no violation.
"""
import base64
import json
import os
import re
import signal
import sys
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "cmcd"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "simulator", "demo"))

from cmcdlib import ADMIN, Cmcd  # noqa: E402
from simlib import Sim, http_call  # noqa: E402
import demo_config  # noqa: E402

SPEED = 20  # simulated time runs 20x real time: a warm spare's 20 s OS boot takes 1 s real
SERVERS = 12
WARM, COLD = (13, 14), (15, 16)
SPARES = WARM + COLD
# A spare must keep answering 1 s (cmcd's default is 3 s) before a failover completes:
# what is tested here is the resumption, not that window (test_failover's FlappingSpareTest).
FAILOVER = {"holdMs": 100, "verifyStableMs": 1000}
PHASES = ["Detected", "Fencing", "Allocating", "Programming", "PoweringOn", "Verifying", "Completed"]


def log(msg):
    print("  [failover-crash] " + msg, file=sys.stderr, flush=True)


class InvariantWatch:
    """Polls the simulator's invariant monitor every 50 ms from start to stop;
    keeps every violation it ever saw (the monitor also keeps ended ones)."""

    def __init__(self, sim):
        self.sim, self.seen, self.polls, self.errors = sim, {}, 0, []
        self.done = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.done.is_set():
            try:
                for v in self.sim.get("/sim/v1/invariants")["violations"]:
                    self.seen[v["id"]] = v
                self.polls += 1
            except Exception as e:  # the simulator going away at the end
                self.errors.append(repr(e))
            self.done.wait(0.05)

    def stop(self):
        self.done.set()
        self.t.join(5)
        return list(self.seen.values())


class CrashRack:
    """One cmcsim rack and the successive cmcd processes on one database."""

    def __init__(self):
        self.sim = Sim(blades=16, speed=SPEED)
        self.cmcd = None
        self.first = None
        self.all = []
        self.logs = []  # (label, path) of every cmcd run
        self.watch = InvariantWatch(self.sim)
        for v in demo_config.volumes(SERVERS):
            status, _, body = self.sim.api("POST", "/sim/v1/volumes", v)
            assert status in (200, 201), (v, status, body)

    def config(self, kill_at=None):
        fo = dict(FAILOVER)
        if kill_at:
            fo["debugKillAt"] = kill_at
        return {"failover": fo, **demo_config.declarations(SERVERS, warm=WARM, cold=COLD)}

    def start(self, label, kill_at=None):
        """A cmcd on the rack's database (the first one creates it)."""
        if self.cmcd is None:
            self.cmcd = Cmcd(manifest=self.sim.manifest_path, config=self.config(kill_at))
            self.first = self.cmcd
        else:
            self.cmcd = Cmcd(manifest=self.sim.manifest_path, config=self.config(kill_at),
                             db=self.first.db, workdir=self.first.dir)
        self.all.append(self.cmcd)
        self.logs.append((label, self.cmcd.log_path))
        return self.cmcd

    def stop(self):
        violations = self.watch.stop()
        for c in self.all:
            c.stop()
        if self.first:
            self.first.cleanup()
        self.sim.stop()
        return violations

    def logs_text(self, tail=40):
        out = []
        for label, path in self.logs:
            try:
                with open(path) as f:
                    lines = f.read().splitlines()
            except OSError:
                continue
            lines = [ln for ln in lines if "ipmi-client" not in ln]
            out.append("--- cmcd log (%s), last %d lines:\n%s" % (label, tail, "\n".join(lines[-tail:])))
        return "\n".join(out)

    def wait(self, fn, timeout, what, interval=0.05, alive=True):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if alive and self.cmcd.proc.poll() is not None:
                raise AssertionError("cmcd exited (%s) while waiting for %s\n%s" % (
                    self.cmcd.proc.returncode, what, self.logs_text()))
            last = fn()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError("timed out after %ss waiting for %s (last: %r)\n%s" % (
            timeout, what, last, self.logs_text()))

    # ---- cmcd's Redfish API
    def redfish(self, path):
        req = urllib.request.Request(self.cmcd.url + path, method="GET")
        req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % ADMIN).encode()).decode())
        return http_call(req)

    def events(self, key=None):
        """cmcd's event log, oldest first (persisted: it spans every cmcd run on the database)."""
        out, path = [], "/redfish/v1/Managers/cmc/LogServices/EventLog/Entries"
        while path:
            status, _, body = self.redfish(path)
            assert status == 200, (path, status, body)
            out += body["Members"]
            path = body.get("Members@odata.nextLink")
        if key:
            out = [e for e in out if e["MessageId"].endswith("." + key)]
        return out

    # ---- the simulator
    def blade(self, slot):
        return self.sim.blade(slot)

    def fabric(self):
        return self.sim.get("/sim/v1/fabric")

    def target(self, ip):
        return next((t for t in self.sim.get("/sim/v1/probe")["targets"] if t["ip"] == ip), None)

    def identity_on(self, slot):
        b = self.blade(slot)
        return {"slot": slot, "mac": b["nics"][0]["mac"], "ip": b["nics"][0]["lease"],
                "wwpn": b["hbas"][0]["wwpn"], "volume": b["bootVolume"]}

    def standing_by(self):
        for s in SPARES:
            b = self.blade(s)
            want = ("On", "Firmware") if s in WARM else ("Off", "Off")
            if (b["power"], b["host"]) != want:
                return False
        return True


class FailoverCrashTest(unittest.TestCase):
    def setUp(self):
        self.t0 = time.monotonic()
        self.rack = CrashRack()
        self.violations = None
        self.addCleanup(self.cleanup)

    def cleanup(self):
        v = self.rack.stop()
        if self.violations is None:
            self.violations = v
        log("%s: %.1f s" % (self._testMethodName, time.monotonic() - self.t0))

    def bind(self):
        """cmcd binds the declared servers; then it is stopped (SIGTERM)."""
        rack = self.rack
        cmcd = rack.start("binding")
        names = demo_config.server_names(SERVERS)

        def bound():
            done = {e["MessageArgs"][1] for e in rack.events("FailoverCompleted")}
            up = [t for t in rack.sim.get("/sim/v1/probe")["targets"] if t["reachable"]]
            return set(names) <= done and len(up) == SERVERS
        rack.wait(bound, 60, "the 12 declared servers bound and answering", interval=0.1)
        rack.wait(rack.standing_by, 30, "spares standing by (warm at firmware, cold off)")
        ids = {name: rack.identity_on(i + 1) for i, name in enumerate(names)}
        cmcd.stop()
        self.assertEqual(cmcd.proc.returncode, 0, "cmcd stops cleanly on SIGTERM")
        return ids

    def run_phase(self, phase):
        rack = self.rack
        ids = self.bind()
        web01 = ids["web01"]
        self.assertEqual((web01["slot"], web01["volume"]), (1, "web01-boot"), web01)

        # --- cmcd with debugKillAt: up and watching every blade, then web01's blade loses power.
        doomed = rack.start("debugKillAt " + phase, kill_at=phase)
        rack.wait(lambda: "failover orchestrator starts" in doomed.read_log(), 30, "the orchestrator to start")
        rack.wait(lambda: all(doomed.health(s) == "Healthy" for s in range(1, 17))
                  and re.search(r"blade=1 health \w+ -> Healthy", doomed.read_log()), 30,
                  "every blade judged Healthy by this cmcd")
        first_event = int(rack.events()[-1]["Id"])
        rack.wait(rack.standing_by, 30, "spares standing by")
        since_sim = rack.sim.get("/sim/v1")["simTimeMs"]
        rack.sim.inject(1, "power-loss")
        t_fault = time.monotonic()

        # --- it must die by its own SIGKILL right after journaling web01's failover in `phase`.
        def dead_or_done():
            if doomed.proc.poll() is not None:
                return "dead"
            if re.search(r"failover \d+ server=web01 phase (Completed|Failed)", doomed.read_log()):
                return "done"
            return False
        state = rack.wait(dead_or_done, 30, "cmcd to kill itself at %s" % phase, alive=False)
        if state == "done":
            # Give it a moment: a kill right after journaling Completed would land now.
            try:
                doomed.proc.wait(2)
            except Exception:
                pass
        log_b = doomed.read_log()
        self.assertIsNotNone(doomed.proc.returncode,
                             "debugKillAt %s: cmcd did not kill itself; web01's failover ran to its end and "
                             "cmcd kept running (log lines of the failover:\n%s)" % (
                                 phase, "\n".join(ln for ln in log_b.splitlines() if "server=web01" in ln)))
        self.assertEqual(doomed.proc.returncode, -signal.SIGKILL, "killed by SIGKILL\n" + rack.logs_text())
        m = re.search(r"cmcd: failover (\d+) server=web01 phase", log_b)
        self.assertIsNotNone(m, "web01's failover started before the kill\n" + rack.logs_text())
        fid = m.group(1)
        self.assertIn("cmcd: debugKillAt %s: SIGKILL after journaling failover %s" % (phase, fid), log_b,
                      "the kill hit web01's failover %s in phase %s\n%s" % (fid, phase, rack.logs_text()))
        phases_before = re.findall(r"failover %s server=web01 phase (\w+)" % fid, log_b)
        self.assertEqual(phases_before[-1], phase, "the last phase journaled before the kill")
        log("%s: cmcd killed %.2f s after the fault; failover %s went through %s" % (
            phase, time.monotonic() - t_fault, fid, " ".join(phases_before)))
        # cmcd is down for a moment: nothing moves by itself meanwhile.
        time.sleep(0.3)

        # --- restart on the same database, no debugKillAt.
        resumed = rack.start("restarted")
        log_c = lambda: resumed.read_log()  # noqa: E731
        terminal = phase in ("Completed", "Failed")
        if not terminal:
            rack.wait(lambda: ("failover %s of web01 was interrupted in phase %s; resuming" % (fid, phase)) in log_c(),
                      30, "cmcd to resume failover %s at %s" % (fid, phase))

        def completed():
            done = [e["MessageArgs"] for e in rack.events("FailoverCompleted") if e["MessageArgs"][0] == fid]
            t = rack.target(web01["ip"])
            return done and t and t["reachable"] and len(t["answeredBy"]) == 1 and t["answeredBy"][0] != 1 \
                and (done, t["answeredBy"][0])
        done, slot = rack.wait(completed, 40, "failover %s to complete and %s to answer through a spare" % (
            fid, web01["ip"]))
        log("%s: web01 answers through blade %d %.2f s after the fault" % (phase, slot, time.monotonic() - t_fault))
        self.assertEqual(len(done), 1, "failover %s completed once: %r" % (fid, done))
        self.assertEqual(done[0][2], str(slot), "FailoverCompleted names the blade that answers: %r" % done)
        self.assertIn(done[0][3], ("AlreadyOff", "PowerOff"), "blade 1 was fenced by power: %r" % done)
        self.assertIn(slot, WARM, "a warm spare took web01")

        # --- the identity moved whole, once.
        self.assert_serves(web01, slot)
        b1 = rack.blade(1)
        self.assertEqual(b1["power"], "Off", "the failed blade stays off (fenced)")
        for s in SPARES:
            if s != slot:
                self.assert_spare_untouched(s)
        for name, ident in ids.items():
            if name != "web01":
                t = rack.target(ident["ip"])
                self.assertEqual((t["reachable"], t["answeredBy"]), (True, [ident["slot"]]),
                                 "%s still answers on blade %d" % (name, ident["slot"]))

        # --- one failover, resumed, in the record.
        events = rack.events()
        after = [e for e in events if int(e["Id"]) > first_event]
        started = [e["MessageArgs"] for e in after if e["MessageId"].endswith(".FailoverStarted")]
        self.assertEqual(started, [started[0]] if started else [],
                         "exactly one failover started after the fault: %r" % started)
        self.assertEqual(len(started), 1, "a failover of web01 started: %r" % started)
        self.assertEqual(started[0][:3], [fid, "web01", "1"], started)
        failed = [e["MessageArgs"] for e in after if e["MessageId"].endswith(".FailoverFailed")]
        self.assertEqual(failed, [], "no failover failed")
        notes = [(e["MessageArgs"][2], e["MessageArgs"][4]) for e in after
                 if e["MessageId"].endswith(".FailoverPhaseChanged") and e["MessageArgs"][0] == fid]
        if not terminal:
            self.assertTrue(any(n.startswith("resumed after a restart") for _, n in notes),
                            "the failover's record says it was resumed: %r" % notes)
        self.assertNotIn("was interrupted", log_c().replace(
            "failover %s of web01 was interrupted" % fid, ""), "no other failover was left unfinished")
        self.assert_task(fid, slot, resumed=not terminal)
        self.assert_northbound(web01, slot)

        # --- and the invariant monitor saw nothing, at any time.
        self.violations = rack.watch.stop()
        self.assertGreater(rack.watch.polls, 20, "the invariant monitor was polled all along")
        self.assertEqual(self.violations, [], "the simulator's invariant monitor")
        self.assertEqual(rack.sim.get("/sim/v1/invariants")["violations"], [])
        outs = [o for o in rack.sim.get("/sim/v1/probe")["outages"]
                if o["ip"] == web01["ip"] and o["startMs"] >= since_sim]
        self.assertEqual(len(outs), 1, "one outage of web01 since the fault: %r" % outs)
        self.assertFalse(outs[0]["ongoing"], outs)
        log("%s: outage of web01 %.1f s simulated (%.2f s real)" % (
            phase, outs[0]["durationMs"] / 1000.0, outs[0]["durationMs"] / 1000.0 / SPEED))

    def assert_serves(self, want, slot):
        rack = self.rack
        mac, ip, wwpn, volume = want["mac"], want["ip"], want["wwpn"], want["volume"]
        b = rack.blade(slot)
        self.assertEqual((b["power"], b["host"]), ("On", "Running"), "blade %d runs web01" % slot)
        self.assertEqual(b["nics"][0]["mac"], mac, "blade %d carries web01's MAC" % slot)
        self.assertEqual(b["nics"][0]["lease"], ip, "blade %d leased web01's IP" % slot)
        self.assertEqual(b["hbas"][0]["wwpn"], wwpn, "blade %d carries web01's WWPN" % slot)
        self.assertEqual(b["bootVolume"], volume, "blade %d booted web01's volume" % slot)
        fab = rack.fabric()
        self.assertEqual(sorted((e["slot"], e["port"]) for e in fab["switch"]["macTable"] if e["mac"] == mac),
                         [(slot, 1)], "MAC %s is live on blade %d's first switch port alone" % (mac, slot))
        vol = next(v for v in fab["san"]["volumes"] if v["name"] == volume)
        self.assertEqual(vol["initiators"], [wwpn], "volume %s is masked to web01's WWPN alone" % volume)
        active = sorted(w["slot"] for w in fab["san"]["writers"] if w["volume"] == volume and w["active"])
        self.assertEqual(active, [slot], "only blade %d writes %s" % (slot, volume))
        self.assertEqual([r["mac"] for r in fab["dhcp"]["reservations"] if r["ip"] == ip], [mac])

    def assert_spare_untouched(self, slot):
        b = self.rack.blade(slot)
        want = ("On", "Firmware") if slot in WARM else ("Off", "Off")
        self.assertEqual((b["power"], b["host"]), want, "spare %d still stands by" % slot)
        self.assertEqual([n["mac"] for n in b["nics"]], [n["permanentMac"] for n in b["nics"]],
                         "spare %d carries its burned-in MACs" % slot)
        self.assertEqual([h["wwpn"] for h in b["hbas"]], [h["permanentWwpn"] for h in b["hbas"]],
                         "spare %d carries its burned-in WWPNs" % slot)

    def assert_northbound(self, want, slot):
        """Where cmcd serves them: web01's ComputerSystem names the spare, the blades' roles moved."""
        rack = self.rack
        status, _, system = rack.redfish("/redfish/v1/Systems/web01")
        if status == 200:
            self.assertEqual([c["@odata.id"] for c in system["Links"]["Chassis"]],
                             ["/redfish/v1/Chassis/blade-%d" % slot], "web01 runs on blade %d" % slot)
            oem = system["Oem"]["OpenCMC"]
            self.assertEqual(oem["State"], "Running", oem)
            self.assertIsNone(oem.get("ActiveFailover"), "no failover of web01 is still running")
            self.assertEqual((oem["VNICs"][0]["MACAddress"], oem["VNICs"][0]["IPv4Address"], oem["VHBAs"][0]["WWPN"]),
                             (want["mac"], want["ip"], want["wwpn"]))
        roles = {}
        for s in (1, slot):
            status, _, block = rack.redfish("/redfish/v1/CompositionService/ResourceBlocks/blade-%d" % s)
            if status != 200:
                return
            roles[s] = block["Oem"]["OpenCMC"]["Role"]
        self.assertEqual(roles, {1: "Failed", slot: "Active"}, "roles of the failed blade and of the spare")

    def assert_task(self, fid, slot, resumed):
        """Where cmcd serves failovers as Tasks: Completed on the spare, the resumption in its messages."""
        status, _, task = self.rack.redfish("/redfish/v1/TaskService/Tasks/%s" % fid)
        if status == 404 and self.rack.redfish("/redfish/v1/TaskService")[0] == 404:
            return  # no TaskService in this cmcd yet: the event log above is the record
        self.assertEqual(status, 200, task)
        oem = task["Oem"]["OpenCMC"]
        self.assertEqual((oem["Phase"], oem["Kind"]), ("Completed", "Automatic"), oem)
        self.assertEqual(task["TaskState"], "Completed", task)
        self.assertEqual(oem["ToBlade"]["@odata.id"], "/redfish/v1/CompositionService/ResourceBlocks/blade-%d" % slot)
        if resumed:
            notes = [m["MessageArgs"][4] for m in task.get("Messages", []) if len(m.get("MessageArgs", [])) > 4]
            self.assertTrue(any(n.startswith("resumed after a restart") for n in notes),
                            "task %s's messages say it was resumed: %r" % (fid, notes))


def make_test(phase):
    def test(self):
        self.run_phase(phase)
    test.__doc__ = "cmcd killed right after journaling %s, restarted: the failover resumes and completes" % phase
    return test


for _i, _phase in enumerate(PHASES):
    setattr(FailoverCrashTest, "test_%d_kill_at_%s" % (_i, _phase), make_test(_phase))


if __name__ == "__main__":
    unittest.main(verbosity=2)
