"""cmcd against a simulated rack: discovery and inventory, the health of each
fault kind read through cmcd's Redfish API, transient blips, recovery."""
import time
import unittest

from cmcdlib import FAST, Cmcd, Sim, wait_until
from simlib import boot_logical_server, reset, target


class CmcdMonitorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=16, speed=20)
        cls.cmcd = Cmcd(manifest=cls.sim.manifest_path, config=FAST)
        wait_until(lambda: all(cls.cmcd.health(s) == "Healthy" for s in range(1, 17)), timeout=60,
                   what="16 blades Healthy")

    @classmethod
    def tearDownClass(cls):
        cls.cmcd.cleanup()
        cls.sim.stop()

    def test_discovery_and_inventory(self):
        chassis = self.cmcd.json("/redfish/v1/Chassis")
        self.assertEqual(chassis["Members@odata.count"], 17)
        for slot in (1, 2, 16):
            m = self.sim.manifest["blades"][slot - 1]
            b = wait_until(lambda: (lambda b: b if b["Oem"]["OpenCMC"]["Inventory"]["CpuCount"] else None)(self.cmcd.blade(slot)),
                           what="Redfish inventory of slot %d" % slot)
            self.assertEqual(b["SerialNumber"], m["serialNumber"])
            self.assertEqual(b["Model"], m["model"])
            self.assertEqual(b["UUID"], m["uuid"])
            inv = b["Oem"]["OpenCMC"]["Inventory"]
            self.assertEqual([n["PermanentMACAddress"] for n in inv["Nics"]], [n["permanentMac"] for n in m["nics"]])
            self.assertEqual([h["PermanentWWPN"] for h in inv["Hbas"]], [h["permanentWwpn"] for h in m["hbas"]])
            self.assertGreater(inv["MemoryGiB"], 0)
        managers = self.cmcd.json("/redfish/v1/Managers")
        self.assertEqual(managers["Members@odata.count"], 17)
        bmc = self.cmcd.json("/redfish/v1/Managers/bmc-3")
        self.assertEqual(bmc["ManagerType"], "BMC")
        self.assertNotIn("password", str(bmc).lower())
        discovered = [e for e in self.cmcd.events() if e["MessageId"].endswith(".BladeDiscovered")]
        self.assertEqual(len(discovered), 16)

    def test_power_loss_is_failed_quickly(self):
        slot = 2
        reset(self.sim, slot, "On")
        wait_until(lambda: self.cmcd.blade(slot).get("PowerState") == "On", what="slot 2 seen on")
        self.sim.inject(slot, "power-loss")
        wait_until(lambda: self.cmcd.health(slot) == "Failed", timeout=10, what="Failed after power loss")
        h = self.cmcd.health_detail(slot)
        self.assertIn("power-fault", h["BadSignals"])
        # Whichever of the BMC's two reports cmcd reads first (chassis status or SEL) decides.
        self.assertIn(h["Reason"], ("main power fault reported by the BMC", "power input lost (SEL)"))
        # Failed by the BMC's power report, straight from Healthy: not by a management
        # loss threshold running out (that would pass through Suspect/BmcUnreachable).
        self.assertEqual((h["LastTransition"]["From"], h["LastTransition"]["To"]), ("Healthy", "Failed"))
        self.assertFalse(h["Signals"]["Ipmi"]["Bad"], "the BMC still answers")
        wait_until(lambda: "power-unit" in self.cmcd.health_detail(slot)["BadSignals"], timeout=10,
                   what="the SEL's power-unit record read")
        self.assertEqual(self.cmcd.blade(slot)["Status"]["Health"], "Critical")
        self.assertTrue(any(e["MessageId"].endswith(".BladeFailed") and e["MessageArgs"][0] == str(slot)
                            for e in self.cmcd.events()))
        # Recovery: fault cleared and power restored.
        self.sim.clear(slot, "power-loss")
        reset(self.sim, slot, "On")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", timeout=20, what="recovered")

    def test_bmc_unresponsive_with_host_serving_is_not_failed(self):
        slot = 3
        boot_logical_server(self.sim, slot, "mon-3", "02:00:0a:03:00:03", "20:00:00:25:b5:03:00:03", "10.3.0.3")
        wait_until(lambda: self.cmcd.blade(slot)["Oem"]["OpenCMC"]["Inventory"]["LogicalIPs"] == ["10.3.0.3"],
                   what="cmcd learns the logical IP")
        self.sim.inject(slot, "bmc-unresponsive")
        wait_until(lambda: self.cmcd.health(slot) == "BmcUnreachable", timeout=20, what="BmcUnreachable")
        h = self.cmcd.health_detail(slot)
        self.assertEqual(h["BadSignals"], ["ipmi", "redfish"])
        self.assertTrue(h["Reason"].startswith("BMC unreachable; the host still serves"), h["Reason"])
        self.assertEqual((h["Signals"]["Heartbeat"]["Known"], h["Signals"]["Heartbeat"]["Bad"]), (True, False))
        self.assertIn("no answer", h["Signals"]["Ipmi"]["Detail"])

        # The verdict holds over further IPMI polls and heartbeat probes: never Failed.
        def still_unreachable():
            self.assertEqual(self.cmcd.health(slot), "BmcUnreachable")
        self.cmcd.wait_polls(check=still_unreachable, IpmiPolls=128, FabricPolls=10)
        self.sim.clear(slot, "bmc-unresponsive")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", timeout=30, what="BMC back")

    def test_over_temperature_is_critical(self):
        slot = 4
        self.sim.inject(slot, "over-temperature", celsius=99)
        wait_until(lambda: self.cmcd.health(slot) == "Critical", timeout=20, what="Critical")
        wait_until(lambda: "thermal-critical" in self.cmcd.health_detail(slot)["BadSignals"], timeout=10,
                   what="the critical temperature itself among the bad signals")
        self.sim.clear(slot, "over-temperature")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", timeout=20, what="temperature back to normal")

    def test_host_hang_is_failed_by_watchdog(self):
        slot = 5
        boot_logical_server(self.sim, slot, "mon-5", "02:00:0a:03:00:05", "20:00:00:25:b5:03:00:05", "10.3.0.5")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", what="healthy while running")
        self.sim.inject(slot, "host-hang")
        wait_until(lambda: self.cmcd.health(slot) == "Failed", timeout=20, what="Failed by watchdog")
        self.assertIn("watchdog", self.cmcd.blade(slot)["Oem"]["OpenCMC"]["Health"]["BadSignals"])
        self.sim.clear(slot, "host-hang")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", timeout=30, what="host resumes")

    def test_short_network_blip_leaves_blade_healthy(self):
        slot = 6
        transitions_before = len([e for e in self.cmcd.events() if e["MessageArgs"][:1] == [str(slot)]])

        def healthy():
            self.assertEqual(self.cmcd.health(slot), "Healthy")
        ipmi = lambda: self.cmcd.health_detail(slot)["Signals"]["Ipmi"]
        self.sim.inject(slot, "mgmt-loss")
        t0 = time.monotonic()
        # cmcd notices the outage (its IPMI poll goes unanswered) but does not judge on it.
        wait_until(lambda: healthy() or "FailingForMs" in ipmi(), timeout=1.9, what="cmcd sees the IPMI outage")
        self.assertFalse(ipmi()["Bad"])
        time.sleep(max(0.0, 2.0 - (time.monotonic() - t0)))  # the blip lasts 2 s: below the 3 s IPMI loss threshold
        self.sim.clear(slot, "mgmt-loss")
        healthy()
        wait_until(lambda: healthy() or "FailingForMs" not in ipmi(), timeout=10, what="IPMI answers again")
        self.cmcd.wait_polls(check=healthy, IpmiPolls=64, RedfishPolls=32)
        after = len([e for e in self.cmcd.events() if e["MessageArgs"][:1] == [str(slot)]])
        self.assertEqual(after, transitions_before, "no event for a blip below the thresholds")

    def test_psu_fault_is_failed(self):
        slot = 7
        reset(self.sim, slot, "On")
        wait_until(lambda: self.cmcd.blade(slot).get("PowerState") == "On", what="slot 7 on")
        self.sim.inject(slot, "psu-fault")
        wait_until(lambda: self.cmcd.health(slot) == "Failed", timeout=10, what="Failed after PSU fault")
        self.assertIn(self.cmcd.health_detail(slot)["Reason"],
                      ("main power fault reported by the BMC", "power supply failure (SEL)"))
        wait_until(lambda: "power-supply" in self.cmcd.health_detail(slot)["BadSignals"], timeout=10,
                   what="the SEL's power-supply record read (a PSU failure, not lost input power)")
        self.assertNotIn("power-unit", self.cmcd.health_detail(slot)["BadSignals"])
        self.sim.clear(slot, "psu-fault")
        reset(self.sim, slot, "On")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", timeout=20, what="recovered")

    def test_nic_link_down_loses_heartbeat_only(self):
        slot = 8
        boot_logical_server(self.sim, slot, "mon-8", "02:00:0a:03:00:08", "20:00:00:25:b5:03:00:08", "10.3.0.8")
        wait_until(lambda: self.cmcd.blade(slot)["Oem"]["OpenCMC"]["Inventory"]["LogicalIPs"] == ["10.3.0.8"],
                   what="logical IP learned")
        self.sim.inject(slot, "nic-link-down", nic=1)
        wait_until(lambda: self.cmcd.health(slot) == "Suspect", timeout=20, what="Suspect: heartbeat lost, BMC fine")
        h = self.cmcd.health_detail(slot)
        self.assertEqual(h["BadSignals"], ["heartbeat"])
        self.assertEqual(h["Reason"], "logical IP silent")
        self.assertEqual(h["Signals"]["Heartbeat"]["Detail"], "logical IP does not answer")
        self.assertFalse(h["Signals"]["Ipmi"]["Bad"])
        self.sim.clear(slot, "nic-link-down")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", timeout=20, what="heartbeat back")

    def test_latency_and_packet_loss_below_thresholds_stay_healthy(self):
        slot = 9
        self.sim.inject(slot, "mgmt-latency", latencyMs=2000)  # 100 ms real at speed 20
        self.sim.inject(slot, "mgmt-packet-loss", percent=5)
        # Over about 5 s of polls (20 IPMI and 5 Redfish rounds of 16 blades), never worse than Suspect.
        self.cmcd.wait_polls(check=lambda: self.assertIn(self.cmcd.health(slot), ("Healthy", "Suspect")),
                             IpmiPolls=16 * 20, RedfishPolls=16 * 5)
        self.assertGreater(self.cmcd.json("/redfish/v1/Managers/bmc-%d" % slot)["Oem"]["OpenCMC"]["Ipmi"]["LastRoundTripMs"], 50)
        self.sim.clear(slot, "mgmt-latency")
        self.sim.clear(slot, "mgmt-packet-loss")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", timeout=20, what="healthy")

    def test_fail_after_boot_is_failed_by_watchdog(self):
        slot = 10
        boot_logical_server(self.sim, slot, "mon-10", "02:00:0a:03:00:0a", "20:00:00:25:b5:03:00:0a", "10.3.0.10")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", what="healthy while running")
        self.sim.inject(slot, "fail-after-boot", afterMs=2000)
        reset(self.sim, slot, "ForceRestart")
        wait_until(lambda: self.cmcd.health(slot) == "Failed", timeout=30, what="Failed after boot")
        h = self.cmcd.health_detail(slot)
        self.assertIn("watchdog", h["BadSignals"])
        self.assertEqual(h["Reason"], "host watchdog expired: the OS stopped petting it")
        self.sim.clear(slot, "fail-after-boot")

    def test_crash_loop_is_failed(self):
        slot = 11
        boot_logical_server(self.sim, slot, "mon-11", "02:00:0a:03:00:0b", "20:00:00:25:b5:03:00:0b", "10.3.0.11")
        wait_until(lambda: self.cmcd.health(slot) == "Healthy", what="healthy while running")
        self.sim.inject(slot, "host-crash", loop=True, afterMs=1000)
        wait_until(lambda: self.cmcd.health(slot) == "Failed", timeout=60, what="Failed by crash loop")
        self.assertIn("crash-loop", self.cmcd.blade(slot)["Oem"]["OpenCMC"]["Health"]["BadSignals"])
        self.sim.clear(slot, "host-crash")


if __name__ == "__main__":
    unittest.main(verbosity=2)
