"""Helpers for the failover end-to-end tests: a 16-blade cmcsim rack with the
demo's volumes and a cmcd with the demo's declarations (12 logical servers on
blades 1-12, warm spares 13-14, cold spares 15-16), on free ports in a temporary
directory; and a TestCase base with the checks an operator makes after a
failover, read from the simulator's fabric and cmcd's Redfish API."""
import base64
import copy
import json
import os
import re
import subprocess
import sys
import time
import unittest
import urllib.request

from simlib import BIN, Sim, http_call

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "simulator", "demo"))
import demo_config  # noqa: E402

SPEED = 10  # simulated time runs 10x real time: a warm spare boots in 2 s real (osBootMs 20000)
ADMIN = ("admin", "failover-e2e-pw")
SERVERS = 12
WARM, COLD = (13, 14), (15, 16)
# Health thresholds in real ms (cmcd runs in real time): short enough that a
# dead BMC is confirmed in seconds, the defaults otherwise.
MONITOR = {"redfishIntervalMs": 500, "redfishLossThresholdMs": 2000, "heartbeatIntervalMs": 200}
# How long a spare must keep answering before its failover (and each bind at start-up)
# completes: 1 s real instead of cmcd's 3 s, which FlappingSpareTest keeps because the
# window is what it tests. No other assertion depends on its length: the outage ends
# when the spare first answers.
FAILOVER = {"holdMs": 100, "verifyStableMs": 1000}
# Outage bounds, in simulated ms as the probe records them (SPEED sim ms per real ms).
# A power loss is confirmed at once; the warm spare then boots its OS (20 s simulated).
WARM_OUTAGE_MS = 60000
# A hung OS is confirmed when its watchdog (30 s simulated countdown) expires.
HANG_OUTAGE_MS = 100000


def log(msg):
    print("  [failover] " + msg, file=sys.stderr, flush=True)


class Rack:
    """cmcsim (16 blades) with the demo's volumes, and cmcd with the demo's
    declarations, on free ports in the simulator's temporary directory."""

    def __init__(self, failover=None, monitor=None, declarations=None, redfish_only=(), servers=SERVERS):
        self.servers = servers
        self.sim = Sim(blades=16, speed=SPEED)
        self.cmcd = None
        self.log_file = None
        try:
            self._start(failover, monitor, declarations, redfish_only)
        except BaseException:
            self.stop()
            raise

    def _start(self, failover, monitor, declarations, redfish_only):
        for v in demo_config.volumes(self.servers):
            status, _, body = self.sim.api("POST", "/sim/v1/volumes", v)
            assert status in (200, 201), (v, status, body)
        self.dir = self.sim.tmp.name
        manifest = self.sim.manifest_path
        if redfish_only:
            # A manifest entry without "ipmi": cmcd manages that blade over Redfish alone.
            m = copy.deepcopy(self.sim.manifest)
            for b in m["blades"]:
                if b["slot"] in redfish_only:
                    b.pop("ipmi", None)
            manifest = os.path.join(self.dir, "rack-redfish-only.json")
            with open(manifest, "w") as f:
                json.dump(m, f)
        cfg = {"listen": "127.0.0.1:0", "admin": {"username": ADMIN[0], "password": ADMIN[1]},
               "failover": dict(FAILOVER, **(failover or {})),
               "monitor": dict(MONITOR, **(monitor or {}))}
        cfg.update(declarations or demo_config.declarations(self.servers, warm=WARM, cold=COLD))
        self.config = cfg
        cfg_path = os.path.join(self.dir, "cmcd.json")
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
        os.chmod(cfg_path, 0o600)
        self.log_path = os.path.join(self.dir, "cmcd.log")
        self.log_file = open(self.log_path, "w+")
        self.cmcd = subprocess.Popen([os.path.join(BIN, "cmcd"), "--config", cfg_path,
                                      "--db", os.path.join(self.dir, "cmc.db"), "--rack", manifest],
                                     stdout=self.log_file, stderr=subprocess.STDOUT)
        self.url = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self.url:
            if self.cmcd.poll() is not None:
                raise RuntimeError("cmcd exited %s:\n%s" % (self.cmcd.returncode, self.cmcd_log()))
            m = re.search(r"listening on (http://[0-9.:]+)/redfish/v1", self.cmcd_log())
            if m:
                self.url = m.group(1)
            else:
                time.sleep(0.02)
        if not self.url:
            raise RuntimeError("cmcd did not start:\n" + self.cmcd_log())

    def stop(self):
        if self.cmcd is not None and self.cmcd.poll() is None:
            self.cmcd.terminate()
            try:
                self.cmcd.wait(15)
            except subprocess.TimeoutExpired:
                self.cmcd.kill()
                self.cmcd.wait()
        if self.log_file:
            self.log_file.close()
            self.log_file = None
        self.sim.stop()

    def cmcd_log(self, tail=None):
        with open(self.log_path) as f:
            lines = f.read().splitlines()
        return "\n".join(lines[-tail:] if tail else lines)

    # ---- waiting, with the state that matters in the failure message
    def wait(self, fn, timeout, what, interval=0.05):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.cmcd.poll() is not None:
                raise AssertionError("cmcd exited (%s) while waiting for %s\n%s" % (
                    self.cmcd.returncode, what, self.cmcd_log(60)))
            last = fn()
            if last:
                return last
            time.sleep(interval)
        raise AssertionError("timed out after %ss waiting for %s (last: %r)\n--- cmcd log tail:\n%s" % (
            timeout, what, last, self.cmcd_log(40)))

    # ---- cmcd's Redfish API
    def redfish(self, path, method="GET", body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % ADMIN).encode()).decode())
        if data is not None:
            req.add_header("Content-Type", "application/json")
        return http_call(req)

    def rf(self, path):
        status, _, body = self.redfish(path)
        assert status == 200, (path, status, body)
        return body

    def has(self, path):
        """Whether cmcd serves this resource (the northbound grows part by part)."""
        return self.redfish(path)[0] == 200

    def events(self, key=None):
        """cmcd's event log, oldest first; with key, the entries whose MessageId ends in .key."""
        out, path = [], "/redfish/v1/Managers/cmc/LogServices/EventLog/Entries"
        while path:
            body = self.rf(path)
            out += body["Members"]
            path = body.get("Members@odata.nextLink")
        if key:
            out = [e for e in out if e["MessageId"].endswith("." + key)]
        return out

    def failovers(self, server, kind=None):
        """FailoverStarted args ([id, server, from, cause, by]) of a server; kind "policy" = automatic."""
        return [e["MessageArgs"] for e in self.events("FailoverStarted")
                if e["MessageArgs"][1] == server and (kind is None or e["MessageArgs"][4] == kind)]

    # ---- the simulator
    def blade(self, slot):
        return self.sim.blade(slot)

    def fabric(self):
        return self.sim.get("/sim/v1/fabric")

    def probe(self):
        return self.sim.get("/sim/v1/probe")

    def target(self, ip):
        return next(t for t in self.probe()["targets"] if t["ip"] == ip)

    def sim_now(self):
        return self.sim.get("/sim/v1")["simTimeMs"]

    def violations(self):
        return self.sim.get("/sim/v1/invariants")["violations"]

    def inject(self, slot, fault, **params):
        return self.sim.inject(slot, fault, **params)

    # ---- the set-up reached
    def wait_bound(self, timeout=60):
        """Every declared server bound to its blade and answering there; spares standing by."""
        names = demo_config.server_names(self.servers)

        state = {}

        def bound():
            done = {e["MessageArgs"][1] for e in self.events("FailoverCompleted")}
            state["not completed"] = sorted(set(names) - done)
            state["failed"] = [e["MessageArgs"] for e in self.events("FailoverFailed")]
            state["silent"] = [t["ip"] for t in self.probe()["targets"] if not t["reachable"]]
            return not state["not completed"] and not state["silent"]
        try:
            self.wait(bound, timeout, "all %d declared servers bound and answering" % self.servers, interval=0.1)
        except AssertionError as e:
            raise AssertionError("%s\n--- not bound: %r" % (e, state)) from None
        # The standby state of each spare: warm = on, held at firmware; cold = off.
        spares = [s for p in self.config["sparePools"] for s in (m["slot"] for m in p["members"])]
        kinds = {m["slot"]: m["kind"] for p in self.config["sparePools"] for m in p["members"]}

        def standing_by():
            for s in spares:
                b = self.blade(s)
                want = ("On", "Firmware") if kinds[s] == "Warm" else ("Off", "Off")
                if (b["power"], b["host"]) != want:
                    return False
            return True
        self.wait(standing_by, 30, "spares %r standing by (warm at firmware, cold off)" % spares)
        return {name: self.identity_on(i + 1) for i, name in enumerate(names)}

    def identity_on(self, slot):
        """The identity the fabric sees on a blade's first NIC and HBA."""
        b = self.blade(slot)
        return {"slot": slot, "mac": b["nics"][0]["mac"], "ip": b["nics"][0]["lease"],
                "wwpn": b["hbas"][0]["wwpn"], "volume": b["bootVolume"]}


class FailoverTestBase(unittest.TestCase):
    """One rack per test; with `shared`, one rack per class: the first test runs
    `scenario()` on it and every test of the class asserts on the outcome."""
    rack_options = {}
    shared = False

    def setUp(self):
        self.t0 = time.monotonic()
        cls = type(self)
        if not self.shared:
            self.rack = Rack(**self.rack_options)
            self.addCleanup(self.rack.stop)
            self.ids = self.rack.wait_bound()
            log("%s: rack bound in %.1f s" % (self._testMethodName, time.monotonic() - self.t0))
            return
        if "_scenario" not in cls.__dict__:
            cls._scenario = None
            cls._rack = self.rack = Rack(**self.rack_options)
            self.ids = self.rack.wait_bound()
            log("%s: rack bound in %.1f s" % (cls.__name__, time.monotonic() - self.t0))
            cls._scenario = (self.ids, self.scenario())
            log("%s: scenario ran in %.1f s" % (cls.__name__, time.monotonic() - self.t0))
        if cls._scenario is None:
            raise AssertionError("the scenario of %s failed in an earlier test" % cls.__name__)
        self.rack = cls._rack
        self.ids, self.outcome = cls._scenario

    @classmethod
    def tearDownClass(cls):
        if cls.__dict__.get("_rack"):
            cls._rack.stop()

    def tearDown(self):
        log("%s: %.1f s" % (self._testMethodName, time.monotonic() - self.t0))

    def log_failover(self, fid):
        """The phases of one failover, as cmcd's events tell them (for the test log)."""
        for e in self.rack.events("FailoverPhaseChanged"):
            a = e["MessageArgs"]
            if a[0] == str(fid):
                log("  failover %s %s %-11s blade=%s %s" % (fid, e["Created"][11:23], a[2], a[3], a[4]))

    # ---- what an operator checks
    def serving_slot(self, ip):
        t = self.rack.target(ip)
        return t["reachable"] and len(t["answeredBy"]) == 1 and t["answeredBy"][0]

    def wait_moved(self, name, old, timeout):
        """Waits until the server's failover completed and its IP answers through one other blade."""
        ip = self.ids[name]["ip"]

        def moved():
            done = [e["MessageArgs"] for e in self.rack.events("FailoverCompleted")
                    if e["MessageArgs"][1] == name and e["MessageArgs"][2] != str(old)]
            slot = self.serving_slot(ip)
            return done and slot and slot != old and (slot, done[-1])
        slot, completed = self.rack.wait(moved, timeout, "%s (%s) completed on a blade other than %d" % (
            name, ip, old))
        self.assertEqual(completed[2], str(slot), "FailoverCompleted names the blade that answers")
        return slot, completed

    def assert_serves(self, name, slot):
        """The server runs on `slot` with exactly the identity it had before."""
        want = self.ids[name]
        mac, ip, wwpn, volume = want["mac"], want["ip"], want["wwpn"], want["volume"]
        b = self.rack.blade(slot)
        self.assertEqual((b["power"], b["host"]), ("On", "Running"), "blade %d runs %s" % (slot, name))
        self.assertEqual(b["nics"][0]["mac"], mac, "blade %d carries %s's MAC" % (slot, name))
        self.assertEqual(b["nics"][0]["lease"], ip, "blade %d leased %s's IP" % (slot, name))
        self.assertEqual(b["hbas"][0]["wwpn"], wwpn, "blade %d carries %s's WWPN" % (slot, name))
        self.assertEqual(b["bootVolume"], volume, "blade %d booted %s's volume" % (slot, name))
        fab = self.rack.fabric()
        self.assertEqual([r["mac"] for r in fab["dhcp"]["reservations"] if r["ip"] == ip], [mac],
                         "the DHCP reservation of %s still names its MAC" % ip)
        self.assertEqual(sorted((e["slot"], e["port"]) for e in fab["switch"]["macTable"] if e["mac"] == mac),
                         [(slot, 1)], "MAC %s is live on exactly blade %d's first switch port" % (mac, slot))
        vol = next(v for v in fab["san"]["volumes"] if v["name"] == volume)
        self.assertEqual(vol["initiators"], [wwpn], "volume %s is masked to the WWPN alone" % volume)
        self.assertEqual(vol["logins"], [wwpn], "the SAN sees the WWPN logged in to %s" % volume)
        active = sorted(w["slot"] for w in fab["san"]["writers"] if w["volume"] == volume and w["active"])
        self.assertEqual(active, [slot], "only blade %d writes %s" % (slot, volume))
        t = self.rack.target(ip)
        self.assertTrue(t["reachable"], t)
        self.assertEqual(t["answeredBy"], [slot])
        self.assert_northbound_serves(name, slot, want)

    def assert_northbound_serves(self, name, slot, want):
        """Where cmcd has /Systems/{name}: it names the new blade and the same identity."""
        if not self.rack.has("/redfish/v1/Systems/" + name):
            return
        s = self.rack.rf("/redfish/v1/Systems/" + name)
        self.assertEqual([c["@odata.id"] for c in s["Links"]["Chassis"]], ["/redfish/v1/Chassis/blade-%d" % slot])
        oem = s["Oem"]["OpenCMC"]
        self.assertEqual(oem["State"], "Running")
        self.assertEqual((oem["VNICs"][0]["MACAddress"], oem["VNICs"][0]["IPv4Address"]), (want["mac"], want["ip"]))
        self.assertEqual(oem["VHBAs"][0]["WWPN"], want["wwpn"])
        self.assertEqual(oem["BootVolume"]["Volume"], want["volume"])

    def assert_fenced(self, slot, how=("off", "fabric")):
        """The old blade can no longer use the identity: powered off, or its ports disabled."""
        b = self.rack.blade(slot)
        off = b["power"] == "Off"
        disabled = {(p["fabric"], p["port"]) for p in self.rack.fabric()["disabledPorts"] if p["slot"] == slot}
        ports = {("switch", n["index"]) for n in b["nics"]} | {("san", h["index"]) for h in b["hbas"]}
        cut = ports <= disabled
        self.assertTrue(("off" in how and off) or ("fabric" in how and cut),
                        "blade %d is neither off nor cut off the fabric (power %s, disabled ports %r; wanted %r)" % (
                            slot, b["power"], sorted(disabled), how))
        return off, cut

    def assert_outage(self, ip, since_ms, bound_ms):
        """Exactly one outage of the IP since the fault, over, and no longer than bound_ms (simulated)."""
        outs = [o for o in self.rack.probe()["outages"] if o["ip"] == ip and o["startMs"] >= since_ms]
        self.assertEqual(len(outs), 1, "one outage of %s since the fault: %r" % (ip, outs))
        o = outs[0]
        self.assertFalse(o["ongoing"], o)
        self.assertLessEqual(o["durationMs"], bound_ms, "outage of %s: %r" % (ip, o))
        log("%s: outage of %s %d ms simulated (%.2f s real at speed %d)" % (
            self._testMethodName, ip, o["durationMs"], o["durationMs"] / SPEED / 1000.0, SPEED))
        return o["durationMs"]

    def assert_no_violations(self):
        self.assertEqual(self.rack.violations(), [], "the simulator's invariant monitor")

    def assert_spare_untouched(self, slot, kind):
        b = self.rack.blade(slot)
        want = ("On", "Firmware") if kind == "Warm" else ("Off", "Off")
        self.assertEqual((b["power"], b["host"]), want, "spare %d stands by as a %s spare" % (slot, kind))
        self.assertEqual([n["mac"] for n in b["nics"]], [n["permanentMac"] for n in b["nics"]],
                         "spare %d carries its burned-in MACs" % slot)
        self.assertEqual([h["wwpn"] for h in b["hbas"]], [h["permanentWwpn"] for h in b["hbas"]],
                         "spare %d carries its burned-in WWPNs" % slot)
        self.assertIsNone(b["bootVolume"])

    def role(self, slot):
        """Oem.OpenCMC.Role of the blade's resource block (else of its Chassis)."""
        path = "/redfish/v1/CompositionService/ResourceBlocks/blade-%d" % slot
        if self.rack.has(path):
            return self.rack.rf(path)["Oem"]["OpenCMC"]["Role"]
        return self.rack.rf("/redfish/v1/Chassis/blade-%d" % slot)["Oem"]["OpenCMC"]["Role"]

    def task(self, task_id):
        path = "/redfish/v1/TaskService/Tasks/%s" % task_id
        return self.rack.rf(path)["Oem"]["OpenCMC"] if self.rack.has(path) else None

    def event_id(self, e):
        return int(e["Id"])
