"""Operator actions through the failover machine, over cmcd's Redfish API on a
real cmcsim rack: a planned power-off that is never read as a failure,
evacuating a blade, failing a server back to its repaired blade, and the
storm breaker acknowledged by an operator. Each asserts what the fabric shows
(which blade answers for the server's IP with which MAC) and that the
simulator's invariant monitor saw nothing."""
import base64
import copy
import json
import os
import sys
import time
import unittest
import urllib.request

from cmcdlib import ADMIN, FAST, Cmcd, Sim, http_call, wait_until

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "simulator", "demo"))
import demo_config  # noqa: E402

SYSTEMS = "/redfish/v1/Systems"
BLOCKS = "/redfish/v1/CompositionService/ResourceBlocks"


class Rack:
    """8 blades: web01, web02, web03 on blades 1-3; spares 6 (warm), 7 (warm), 8 (cold)."""
    servers = 3
    failover = {}

    def declarations(self):
        return demo_config.declarations(servers=self.servers, warm=(6, 7), cold=(8,))

    def setUp(self):
        self.sim = Sim(blades=8, speed=20)
        self.cmcd = None
        try:
            for v in demo_config.volumes(self.servers):
                self.sim.api("POST", "/sim/v1/volumes", v)
            cfg = copy.deepcopy(FAST)
            cfg.update(self.declarations())
            # A spare keeps answering 1 s (cmcd's default 3 s) before a move completes: no
            # assertion here depends on that window (test_failover's FlappingSpareTest tests it).
            cfg["failover"] = {"holdMs": 0, "verifyTimeoutMs": 30000, "verifyStableMs": 1000, **self.failover}
            self.cmcd = Cmcd(manifest=self.sim.manifest_path, config=cfg)
            for n in demo_config.server_names(self.servers):
                self.wait_running(n)
        except BaseException:
            if self.cmcd:
                self.cmcd.cleanup()
            self.sim.stop()
            raise

    def tearDown(self):
        self.cmcd.cleanup()
        self.sim.stop()

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.cmcd.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % ADMIN).encode()).decode())
        return http_call(req, 15)

    def system(self, name):
        return self.cmcd.json(SYSTEMS + "/" + name)

    def wait_running(self, name, timeout=60):
        def running():
            status, _, s = self.call("GET", SYSTEMS + "/" + name)  # declared servers appear once cmcd has started
            return s if status == 200 and s["Oem"]["OpenCMC"]["State"] == "Running" and s["PowerState"] == "On" else None
        return wait_until(running, timeout=timeout, interval=0.1, what="%s Running" % name)

    def blade_of(self, name):
        links = self.system(name)["Links"].get("Chassis") or []
        return int(links[0]["@odata.id"].rsplit("-", 1)[1]) if links else None

    def answering(self, ip):
        t = next(t for t in self.sim.get("/sim/v1/probe")["targets"] if t["ip"] == ip)
        return t["answeredBy"] if t["reachable"] else []

    def wait_task(self, location, timeout=60):
        return wait_until(lambda: (lambda t: t if t["TaskState"] != "Running" else None)(self.cmcd.json(location)),
                          timeout=timeout, interval=0.1, what="task %s ends" % location)

    def failovers(self):
        return [e for e in self.cmcd.events() if e["MessageId"].endswith(".FailoverStarted")]

    def assert_no_violations(self):
        self.assertEqual([], self.sim.get("/sim/v1/invariants")["violations"])


class PlannedPowerOffTest(Rack, unittest.TestCase):
    def test_a_planned_power_off_is_not_a_failure(self):
        before = len(self.failovers())
        status, _, body = self.call("POST", SYSTEMS + "/web02/Actions/ComputerSystem.Reset",
                                    {"ResetType": "GracefulShutdown"})
        self.assertIn(status, (200, 202, 204), body)
        wait_until(lambda: self.sim.blade(2)["power"] == "Off", timeout=30, what="blade 2 off")
        # Well past the unexpected-off and heartbeat thresholds: no failure, no failover.
        time.sleep(4)
        self.assertEqual(len(self.failovers()), before, "a planned power-off started a failover")
        self.assertNotEqual("Failed", self.cmcd.health(2))
        self.assertEqual("Stopped", self.system("web02")["Oem"]["OpenCMC"]["State"])
        status, _, body = self.call("POST", SYSTEMS + "/web02/Actions/ComputerSystem.Reset", {"ResetType": "On"})
        self.assertIn(status, (200, 202, 204), body)
        wait_until(lambda: self.answering("10.0.0.12") == [2], timeout=30, what="web02 answers on blade 2 again")
        self.assert_no_violations()


class EvacuateAndFailbackTest(Rack, unittest.TestCase):
    def test_evacuate_moves_the_server_off_the_blade(self):
        mac = self.system("web02")["Oem"]["OpenCMC"]["VNICs"][0]["MACAddress"]
        status, headers, body = self.call("POST", BLOCKS + "/blade-2/Actions/Oem/OpenCMC.Evacuate")
        self.assertEqual(202, status, body)
        task = self.wait_task(headers["Location"])
        self.assertEqual("Completed", task["TaskState"], task)
        self.assertEqual("Evacuate", task["Oem"]["OpenCMC"]["Kind"])
        to = self.blade_of("web02")
        self.assertIn(to, (6, 7), "a warm spare took web02")
        self.assertEqual(self.answering("10.0.0.12"), [to])
        self.assertEqual(self.sim.blade(to)["nics"][0]["mac"], mac)
        # The evacuated blade was shut down and got its burned-in MAC back.
        wait_until(lambda: self.sim.blade(2)["power"] == "Off", timeout=10, what="blade 2 off")
        wait_until(lambda: self.sim.blade(2)["nics"][0]["mac"] == self.sim.blade(2)["nics"][0]["permanentMac"],
                   timeout=10, what="blade 2's burned-in MAC restored")
        self.assert_no_violations()

    def test_failback_after_repair(self):
        self.sim.inject(1, "power-loss")
        wait_until(lambda: self.blade_of("web01") in (6, 7) and self.answering("10.0.0.11") == [self.blade_of("web01")],
                   timeout=60, interval=0.1, what="web01 failed over to a warm spare")
        status, _, body = self.call("POST", SYSTEMS + "/web01/Actions/Oem/OpenCMC.Failback")
        self.assertEqual(409, status, body)  # blade 1 is Failed: not a target until repaired
        # The blade comes back and an operator marks it repaired.
        self.sim.clear(1, "power-loss")
        status, _, body = self.call("POST", BLOCKS + "/blade-1/Actions/Oem/OpenCMC.Repair")
        if status == 409:  # its health may still be settling after the power came back
            wait_until(lambda: self.call("POST", BLOCKS + "/blade-1/Actions/Oem/OpenCMC.Repair")[0] == 200,
                       timeout=30, interval=0.5, what="blade 1 repaired")
        else:
            self.assertEqual(200, status, body)
        self.assertEqual("Unassigned", self.cmcd.json(BLOCKS + "/blade-1")["Oem"]["OpenCMC"]["Role"])
        status, headers, body = self.call("POST", SYSTEMS + "/web01/Actions/Oem/OpenCMC.Failback")
        self.assertEqual(202, status, body)
        task = self.wait_task(headers["Location"])
        self.assertEqual("Completed", task["TaskState"], task)
        self.assertEqual("Failback", task["Oem"]["OpenCMC"]["Kind"])
        self.assertEqual(self.blade_of("web01"), 1)
        wait_until(lambda: self.answering("10.0.0.11") == [1], timeout=30, what="web01 answers on blade 1")
        self.assert_no_violations()


class StormAcknowledgeTest(Rack, unittest.TestCase):
    failover = {"holdMs": 1500, "storm": {"maxFraction": 0.2, "minFailures": 2, "windowMs": 600000}}

    def test_storm_pauses_until_acknowledged(self):
        self.sim.inject(1, "power-loss")
        self.sim.inject(2, "power-loss")
        wait_until(lambda: any(e["MessageId"].endswith(".StormBreakerTripped") for e in self.cmcd.events()),
                   timeout=30, what="storm breaker tripped")
        time.sleep(2)  # past the hold: nothing moves while it is tripped
        self.assertEqual([], [e for e in self.failovers() if e["MessageArgs"][4] == "policy"])
        comp = self.cmcd.json("/redfish/v1/CompositionService")["Oem"]["OpenCMC"]["Storm"]
        self.assertTrue(comp["Tripped"], comp)
        for slot in (6, 7, 8):
            self.assertEqual("Spare", self.cmcd.json(BLOCKS + "/blade-%d" % slot)["Oem"]["OpenCMC"]["Role"])
        status, _, body = self.call("POST", "/redfish/v1/CompositionService/Actions/Oem/OpenCMC.AcknowledgeStorm")
        self.assertEqual(200, status, body)
        # Acknowledged: the servers of both failed blades move now.
        wait_until(lambda: self.blade_of("web01") in (6, 7, 8) and self.blade_of("web02") in (6, 7, 8),
                   timeout=60, interval=0.2, what="web01 and web02 on spares")
        self.assertNotEqual(self.blade_of("web01"), self.blade_of("web02"))
        wait_until(lambda: self.answering("10.0.0.11") and self.answering("10.0.0.12"), timeout=60,
                   what="both answer")
        self.assert_no_violations()


class PoolStormTest(Rack, unittest.TestCase):
    """Two spare pools: web01 and web02 fail over into 'a' (spare 6), web03 and web04 into 'b'
    (spares 7, 8). Two failures are a quarter of the chassis (no chassis storm) but two of
    pool a's three blades: pool a's breaker holds its servers back, pool b still works."""
    servers = 4
    failover = {"holdMs": 1000, "storm": {"maxFraction": 0.5, "minFailures": 2, "windowMs": 600000}}

    def declarations(self):
        d = demo_config.declarations(servers=4, warm=(), cold=())
        d["sparePools"] = [{"name": "a", "members": [{"slot": 6, "kind": "Warm"}]},
                           {"name": "b", "members": [{"slot": 7, "kind": "Warm"}, {"slot": 8, "kind": "Cold"}]}]
        for s in d["logicalServers"]:
            s["failover"]["sparePool"] = "a" if s["name"] in ("web01", "web02") else "b"
        return d

    def test_a_pool_storm_holds_only_that_pool(self):
        self.sim.inject(1, "power-loss")
        self.sim.inject(2, "power-loss")
        wait_until(lambda: any(e["MessageId"].endswith(".StormBreakerTripped") and "spare pool a" in e["Message"]
                               for e in self.cmcd.events()), timeout=30, what="pool a's breaker tripped")
        self.sim.inject(3, "power-loss")
        wait_until(lambda: self.blade_of("web03") in (7, 8), timeout=60, interval=0.2,
                   what="web03 moved within pool b")
        self.assertEqual(self.blade_of("web01"), 1)  # not moved: held back by pool a's breaker
        self.assertEqual(self.blade_of("web02"), 2)
        self.assertEqual("Spare", self.cmcd.json(BLOCKS + "/blade-6")["Oem"]["OpenCMC"]["Role"])
        paused = {e["MessageArgs"][0] for e in self.cmcd.events() if e["MessageId"].endswith(".FailoverPaused")}
        self.assertEqual({"web01", "web02"}, paused)
        self.assert_no_violations()


if __name__ == "__main__":
    unittest.main(verbosity=2)
