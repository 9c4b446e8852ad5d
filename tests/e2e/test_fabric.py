"""Identity becomes real through the fabric: a volume masked to a WWPN and a
logical IP reserved for a MAC; the invariant monitor catches duplicates."""
import unittest

from simlib import (Sim, boot_logical_server, program_identity, reset, target, wait_until)

MAC, WWPN, IP = "02:00:0a:00:00:11", "20:00:00:25:b5:aa:00:01", "10.0.0.11"


class FabricTest(unittest.TestCase):
    def setUp(self):
        self.sim = Sim(blades=4, speed=50)

    def tearDown(self):
        self.sim.stop()

    def test_identity_boots_and_probe_reaches_ip_through_blade_port(self):
        boot_logical_server(self.sim, 1, "web1-boot", MAC, WWPN, IP)
        blade = self.sim.blade(1)
        self.assertEqual(blade["bootVolume"], "web1-boot")
        self.assertEqual(blade["nics"][0]["lease"], IP)
        t = wait_until(lambda: (lambda t: t if t["reachable"] else None)(target(self.sim, IP)), what="probe reaches IP")
        self.assertEqual(t["answeredBy"], [1])
        fabric = self.sim.get("/sim/v1/fabric")
        self.assertIn({"mac": MAC, "slot": 1, "port": 1}, [{k: e[k] for k in ("mac", "slot", "port")} for e in fabric["switch"]["macTable"]])
        self.assertTrue(any(w["volume"] == "web1-boot" and w["slot"] == 1 and w["active"] for w in fabric["san"]["writers"]))
        # The outage that started when the target was registered ended when the host came up.
        outages = [o for o in self.sim.get("/sim/v1/probe")["outages"] if o["ip"] == IP]
        self.assertEqual(len(outages), 1)
        self.assertFalse(outages[0]["ongoing"])
        self.assertEqual(self.sim.get("/sim/v1/invariants")["violations"], [])

        # Fencing at the switch cuts users off: a new outage starts.
        status, _, _ = self.sim.api("POST", "/sim/v1/fabric/ports", {"fabric": "switch", "slot": 1, "port": 1, "enabled": False})
        self.assertEqual(status, 200)
        wait_until(lambda: not target(self.sim, IP)["reachable"], what="outage after switch port disabled")
        ongoing = [o for o in self.sim.get("/sim/v1/probe")["outages"] if o["ip"] == IP and o["ongoing"]]
        self.assertEqual(len(ongoing), 1)

    def test_blade_without_visible_volume_stays_at_firmware(self):
        reset(self.sim, 2, "On")
        wait_until(lambda: self.sim.blade(2)["host"] == "Firmware", what="slot 2 held at firmware")
        self.assertIsNone(self.sim.blade(2)["bootVolume"])

    def test_duplicate_mac_volume_and_ip_are_violations(self):
        boot_logical_server(self.sim, 1, "web1-boot", MAC, WWPN, IP)
        # The same MAC on a second powered blade: a duplicate-MAC violation.
        program_identity(self.sim, 3, MAC, "20:00:00:25:b5:aa:00:99")
        reset(self.sim, 3, "On")
        v = wait_until(lambda: [x for x in self.sim.get("/sim/v1/invariants")["violations"] if x["kind"] == "duplicate-mac"],
                       what="duplicate-mac violation")
        self.assertEqual(v[0]["subject"], MAC)
        self.assertTrue(v[0]["active"])
        self.assertEqual(sorted(p["slot"] for p in v[0]["parties"]), [1, 3])

        # The same WWPN too: blade 3 boots the same volume and answers the same IP.
        program_identity(self.sim, 3, MAC, WWPN)
        reset(self.sim, 3, "ForceRestart")
        kinds = lambda: {x["kind"] for x in self.sim.get("/sim/v1/invariants")["violations"] if x["active"]}
        wait_until(lambda: {"shared-volume-writer", "duplicate-ip"} <= kinds(), what="volume and IP violations")

        # Fencing blade 3 ends every violation (recorded with an end time).
        reset(self.sim, 3, "ForceOff")
        wait_until(lambda: not kinds(), what="violations closed")
        for x in self.sim.get("/sim/v1/invariants")["violations"]:
            self.assertIsNotNone(x["endMs"])
            self.assertGreaterEqual(x["endMs"], x["startMs"])

    def test_san_port_disable_hides_volume(self):
        boot_logical_server(self.sim, 1, "web1-boot", MAC, WWPN, IP)
        status, _, _ = self.sim.api("POST", "/sim/v1/fabric/ports", {"fabric": "san", "slot": 1, "port": 1, "enabled": False})
        self.assertEqual(status, 200)
        wait_until(lambda: not any(w["active"] for w in self.sim.get("/sim/v1/fabric")["san"]["writers"]),
                   what="blade 1 no longer writes its volume")
        self.assertEqual(self.sim.blade(1)["hbas"][0]["visibleVolumes"], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
