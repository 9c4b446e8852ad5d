"""Every fault kind of the simulator, injected at runtime and observed through
the blade's Redfish BMC or the control API, then cleared."""
import socket
import time
import unittest
import urllib.error

from simlib import NIC1, Sim, boot_logical_server, reset, target, wait_until

SEL = "/redfish/v1/Managers/bmc/LogServices/SEL/Entries"


def sel_messages(bmc):
    return [e["Message"] for e in bmc.get(SEL)["Members"]]


def times_out(bmc, timeout=0.5):
    try:
        bmc.call("GET", "/redfish/v1/Systems/1", timeout=timeout)
        return False
    except (socket.timeout, TimeoutError, urllib.error.URLError):
        return True


class FaultTest(unittest.TestCase):
    slot_counter = 0

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=16, speed=50)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def running_blade(self):
        """A fresh blade running a logical server of its own."""
        FaultTest.slot_counter += 1
        n = FaultTest.slot_counter
        ip = "10.1.0.%d" % n
        mac = "02:00:0a:01:00:%02x" % n
        wwpn = "20:00:00:25:b5:01:00:%02x" % n
        boot_logical_server(self.sim, n, "vol-%d" % n, mac, wwpn, ip)
        wait_until(lambda: target(self.sim, ip)["reachable"], what="probe reaches " + ip)
        return n, ip

    def test_power_loss(self):
        slot, ip = self.running_blade()
        bmc = self.sim.bmc(slot)
        self.sim.inject(slot, "power-loss")
        system = bmc.get("/redfish/v1/Systems/1")
        self.assertEqual(system["PowerState"], "Off")
        self.assertEqual(system["Status"]["Health"], "Critical")
        self.assertTrue(any("AC lost" in m for m in sel_messages(bmc)))
        self.assertTrue(self.sim.blade(slot)["powerFault"])
        wait_until(lambda: not target(self.sim, ip)["reachable"], what="outage")
        status, _, body = bmc.call("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {"ResetType": "On"})
        self.assertEqual(status, 409, body)
        self.sim.clear(slot, "power-loss")
        reset(self.sim, slot, "On")
        wait_until(lambda: target(self.sim, ip)["reachable"], what="back after power restored")

    def test_psu_fault(self):
        slot, _ = self.running_blade()
        bmc = self.sim.bmc(slot)
        self.sim.inject(slot, "psu-fault")
        self.assertEqual(bmc.get("/redfish/v1/Systems/1")["PowerState"], "Off")
        self.assertTrue(any("Power Supply" in m for m in sel_messages(bmc)))
        self.assertEqual(bmc.get("/redfish/v1/Chassis/1/Sensors/vrm-12v")["Status"]["Health"], "Critical")
        self.sim.clear(slot, "psu-fault")
        self.assertFalse(self.sim.blade(slot)["powerFault"])

    def test_chassis_power_supplies(self):
        status, _, _ = self.sim.api("POST", "/sim/v1/chassis/faults", {"fault": "psu-fault", "psu": 2})
        self.assertEqual(status, 201)
        self.assertEqual(self.sim.get("/sim/v1/chassis")["redundancy"], "Degraded")
        self.assertFalse(self.sim.blade(16)["powerFault"], "N+1: one failed supply is tolerated")
        status, _, _ = self.sim.api("DELETE", "/sim/v1/chassis/faults/psu-fault")
        self.assertEqual(status, 200)
        self.assertEqual(self.sim.get("/sim/v1/chassis")["redundancy"], "N+1")

    def test_bmc_unresponsive(self):
        slot = 15
        bmc = self.sim.bmc(slot)
        self.sim.inject(slot, "bmc-unresponsive")
        self.assertTrue(times_out(bmc))
        self.assertTrue(self.sim.blade(slot)["managementLink"]["bmcHung"])
        # Clients that give up close their connections; the hung BMC must notice
        # (no pile-up of abandoned connections that would end in 503s).
        for _ in range(80):
            self.assertTrue(times_out(bmc, timeout=0.05))
        self.sim.clear(slot, "bmc-unresponsive")
        self.assertEqual(bmc.call("GET", "/redfish/v1/Systems/1")[0], 200)

    def test_bmc_slow(self):
        slot = 15
        bmc = self.sim.bmc(slot)
        self.sim.inject(slot, "bmc-slow", delayMs=25000)  # 0.5 s of real time at speed 50
        t0 = time.monotonic()
        self.assertEqual(bmc.call("GET", "/redfish/v1/Systems/1", timeout=10)[0], 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.45)
        self.sim.clear(slot, "bmc-slow")

    def test_host_hang_stops_ip_and_expires_watchdog(self):
        slot, ip = self.running_blade()
        bmc = self.sim.bmc(slot)
        self.assertTrue(bmc.get("/redfish/v1/Systems/1")["HostWatchdogTimer"]["FunctionEnabled"])
        self.sim.inject(slot, "host-hang")
        self.assertEqual(self.sim.blade(slot)["host"], "Hung")
        wait_until(lambda: not target(self.sim, ip)["reachable"], what="hung host stops answering")
        wait_until(lambda: any("Watchdog" in m for m in sel_messages(bmc)), what="watchdog expiry in SEL")
        self.sim.clear(slot, "host-hang")
        wait_until(lambda: target(self.sim, ip)["reachable"], what="host answers again")

    def test_host_crash_and_loop(self):
        slot, ip = self.running_blade()
        bmc = self.sim.bmc(slot)
        boots = self.sim.blade(slot)["bootCount"]
        self.sim.inject(slot, "host-crash")
        self.assertTrue(any("OS critical stop" in m for m in sel_messages(bmc)))
        wait_until(lambda: self.sim.blade(slot)["bootCount"] > boots and self.sim.blade(slot)["host"] == "Running",
                   what="host rebooted after the crash")
        self.sim.inject(slot, "host-crash", loop=True, afterMs=1000)
        boots = self.sim.blade(slot)["bootCount"]
        wait_until(lambda: self.sim.blade(slot)["bootCount"] >= boots + 3, what="crash loop")
        self.assertGreaterEqual(sum("OS critical stop" in m for m in sel_messages(bmc)), 3)
        self.sim.clear(slot, "host-crash")

    def test_over_temperature(self):
        slot = 14
        bmc = self.sim.bmc(slot)
        self.sim.inject(slot, "over-temperature", celsius=101)
        sensor = bmc.get("/redfish/v1/Chassis/1/Sensors/cpu-temp")
        self.assertGreaterEqual(sensor["Reading"], 100)
        self.assertEqual(sensor["Status"]["Health"], "Critical")
        self.assertEqual(bmc.get("/redfish/v1/Systems/1")["Status"]["Health"], "Critical")
        self.sim.clear(slot, "over-temperature")
        self.assertEqual(bmc.get("/redfish/v1/Chassis/1/Sensors/cpu-temp")["Status"]["Health"], "OK")

    def test_nic_link_down(self):
        slot, ip = self.running_blade()
        bmc = self.sim.bmc(slot)
        self.sim.inject(slot, "nic-link-down", nic=1)
        port = bmc.get("/redfish/v1/Chassis/1/NetworkAdapters/NIC/Ports/1")
        self.assertEqual(port["LinkStatus"], "LinkDown")
        self.assertEqual(bmc.get(NIC1)["Status"]["Health"], "Warning")
        wait_until(lambda: not target(self.sim, ip)["reachable"], what="IP unreachable with link down")
        self.sim.clear(slot, "nic-link-down")
        wait_until(lambda: target(self.sim, ip)["reachable"], what="IP back with link up")

    def test_management_network_loss_latency_and_packet_loss(self):
        slot = 13
        bmc = self.sim.bmc(slot)
        self.sim.inject(slot, "mgmt-loss")
        self.assertTrue(times_out(bmc))
        self.assertFalse(self.sim.blade(slot)["managementLink"]["up"])
        self.sim.clear(slot, "mgmt-loss")

        self.sim.inject(slot, "mgmt-latency", latencyMs=20000)  # 0.4 s real
        t0 = time.monotonic()
        self.assertEqual(bmc.call("GET", "/redfish/v1/Systems/1")[0], 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.35)
        self.sim.clear(slot, "mgmt-latency")

        self.sim.inject(slot, "mgmt-packet-loss", percent=50)
        results = [times_out(bmc, timeout=0.3) for _ in range(24)]
        self.assertTrue(any(results), "some requests are lost")
        self.assertFalse(all(results), "some requests get through")
        self.sim.clear(slot, "mgmt-packet-loss")

    def test_fail_after_boot(self):
        slot, ip = self.running_blade()
        self.sim.inject(slot, "fail-after-boot", afterMs=2000)
        reset(self.sim, slot, "ForceRestart")
        wait_until(lambda: self.sim.blade(slot)["host"] == "Hung", what="hang right after boot")
        # The probe sees it at its next check (every 100 ms simulated).
        wait_until(lambda: not target(self.sim, ip)["reachable"], what="the logical IP silent after the hang")
        self.sim.clear(slot, "fail-after-boot")

    def test_spare_fails_verification(self):
        slot, ip = self.running_blade()
        self.sim.inject(slot, "fail-verification")
        reset(self.sim, slot, "ForceRestart")
        wait_until(lambda: self.sim.blade(slot)["host"] == "Running", what="host boots")
        wait_until(lambda: not target(self.sim, ip)["reachable"], what="no answer at the logical IP")
        self.assertFalse(self.sim.blade(slot)["watchdog"]["running"], "the agent never arms the watchdog")
        self.sim.clear(slot, "fail-verification")
        wait_until(lambda: target(self.sim, ip)["reachable"], what="answers once the agent runs")

    def test_fault_catalogue_lists_every_kind(self):
        names = {f["fault"] for f in self.sim.get("/sim/v1/faults")["faults"]}
        self.assertEqual(names, {"power-loss", "psu-fault", "bmc-unresponsive", "bmc-slow", "host-hang", "host-crash",
                                 "over-temperature", "nic-link-down", "mgmt-loss", "mgmt-latency", "mgmt-packet-loss",
                                 "fail-after-boot", "fail-verification"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
