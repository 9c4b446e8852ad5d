"""cmcd with cmcsim's BMCs over HTTPS (per-blade self-signed certificates,
fingerprints pinned from the manifest), subscribed to each BMC's EventService
SSE stream: events reach cmcd's health state without waiting for a poll."""
import copy
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cmcdlib import Cmcd, Sim, wait_until  # noqa: E402
from simlib import reset  # noqa: E402


def redfish_only(sim, path):
    """The simulator's manifest with every blade's IPMI entry removed."""
    m = copy.deepcopy(sim.manifest)
    for b in m["blades"]:
        b.pop("ipmi", None)
    with open(path, "w") as f:
        json.dump(m, f)
    return path


class BmcEventsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=20, extra=["--redfish-scheme", "https"])

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def test_https_bmcs_with_pinned_fingerprints_and_event_streams(self):
        for b in self.sim.manifest["blades"]:
            self.assertTrue(b["redfish"]["url"].startswith("https://"))
            self.assertRegex(b["redfish"]["tls"]["fingerprintSha256"], r"^([0-9A-F]{2}:){31}[0-9A-F]{2}$")
        c = Cmcd(manifest=self.sim.manifest_path, config={"monitor": {"redfishIntervalMs": 500}})
        try:
            wait_until(lambda: all(c.blade(s)["Oem"]["OpenCMC"]["ManagementPaths"]["EventStream"]
                                   for s in range(1, 5)), timeout=30, what="every blade's event stream")
            wait_until(lambda: all(c.health(s) == "Healthy" for s in range(1, 5)), timeout=30, what="healthy")
            b = c.blade(1)
            self.assertTrue(b["Oem"]["OpenCMC"]["ManagementPaths"]["Ipmi"])
            self.assertTrue(b["Oem"]["OpenCMC"]["ManagementPaths"]["Redfish"].startswith("https://"))
            self.assertEqual(b["Oem"]["OpenCMC"]["ManagementPaths"]["RedfishSystem"], "/redfish/v1/Systems/1")
            self.assertEqual(b["Oem"]["OpenCMC"]["Health"]["Signals"]["Redfish"]["Bad"], False)
            # Current against permanent addresses read over HTTPS.
            nics = b["Oem"]["OpenCMC"]["Inventory"]["Nics"]
            self.assertEqual([n["PermanentMACAddress"] for n in nics],
                             [n["permanentMac"] for n in self.sim.manifest["blades"][0]["nics"]])
            self.assertNotIn("TLS handshake failed", c.read_log())
        finally:
            c.cleanup()

    def test_power_event_reaches_a_redfish_only_blade_before_its_next_poll(self):
        path = redfish_only(self.sim, os.path.join(self.sim.tmp.name, "redfish-only.json"))
        # A poll once a minute: a failure confirmed within the wait below came from the event stream.
        c = Cmcd(manifest=path, config={"monitor": {"redfishOnlyIntervalMs": 60000}})
        try:
            for s in range(1, 5):
                reset(self.sim, s, "On")
            wait_until(lambda: all(c.blade(s)["Oem"]["OpenCMC"]["ManagementPaths"]["EventStream"]
                                   for s in range(1, 5)), timeout=30, what="event streams")
            wait_until(lambda: c.blade(2).get("PowerState") == "On", timeout=30, what="slot 2 seen on")
            self.assertFalse(c.blade(2)["Oem"]["OpenCMC"]["ManagementPaths"]["Ipmi"])
            polls = c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]["RedfishPolls"]
            self.sim.inject(2, "power-loss")
            wait_until(lambda: c.health(2) == "Failed", timeout=20, what="slot 2 Failed from the BMC's event")
            log = c.read_log()
            self.assertRegex(log, r"blade=2 BMC event ResourceEvent\.1\.\d+\.ResourcePoweredOff")
            mon = c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]
            self.assertGreater(mon["BmcEvents"], 0)
            # Only the polls the event itself asked for (one per blade at most), not the schedule.
            self.assertLessEqual(mon["RedfishPolls"] - polls, 4)
            first_event = re.search(r"blade=2 BMC event \S+ResourcePoweredOff", log).start()
            failed = re.search(r"blade=2 health \w+ -> Failed", log).start()
            self.assertLess(first_event, failed)
            self.sim.clear(2, "power-loss")
        finally:
            c.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
