"""Warm spares: a blade that is powered on and held at firmware (no bootable
device after POST) retries boot-device selection at once, without POST, when it
is asked to power on again, through Redfish ComputerSystem.Reset "On" or IPMI
chassis power on. Power-on of a blade in any other host state changes nothing."""
import subprocess
import time
import unittest

from simlib import Sim, boot_logical_server, make_logical_server, program_identity, reset, target, wait_until

SYSTEM = "/redfish/v1/Systems/1"
# Far longer than any wait below (72 s of real time at speed 50): a blade that
# ran POST again could neither boot nor be back at firmware within the test.
LONG_POST = {"postMs": 3600000}


class WarmSpareTest(unittest.TestCase):
    def setUp(self):
        self.sim = Sim(blades=4, speed=50)

    def tearDown(self):
        self.assertTrue(self.sim.alive())
        self.sim.stop()

    def host(self, slot):
        return self.sim.blade(slot)["host"]

    def warm_spare(self, slot, mac, wwpn):
        """Programs an identity whose volume does not exist yet, powers on: held at firmware."""
        program_identity(self.sim, slot, mac, wwpn)
        reset(self.sim, slot, "On")
        wait_until(lambda: self.host(slot) == "Firmware", what="slot %d held at firmware" % slot)
        status, _, body = self.sim.api("PATCH", "/sim/v1/timings", LONG_POST)
        self.assertEqual(status, 200, body)

    def ipmitool(self, slot, *args):
        b = self.sim.manifest["blades"][slot - 1]
        cmd = ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(b["ipmi"]["port"]),
               "-U", b["ipmi"]["username"], "-P", b["ipmi"]["password"], *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_redfish_on_boots_a_warm_spare_without_post(self):
        mac, wwpn, ip = "02:00:0a:02:00:01", "20:00:00:25:b5:02:00:01", "10.2.0.1"
        self.warm_spare(1, mac, wwpn)
        bmc = self.sim.bmc(1)
        boots = self.sim.blade(1)["bootCount"]

        # Nothing visible to its WWPN yet: On leaves it at firmware, and does not POST.
        reset(self.sim, 1, "On")
        self.assertEqual(self.host(1), "Firmware")
        self.assertEqual(bmc.get(SYSTEM)["BootProgress"]["LastState"], "SystemHardwareInitializationComplete")
        time.sleep(0.2)
        self.assertEqual(self.host(1), "Firmware")

        # The SAN masks a volume to the spare's WWPN: On now boots it at once.
        make_logical_server(self.sim, "spare-boot", mac, wwpn, ip)
        reset(self.sim, 1, "On")
        self.assertIn(self.host(1), ("BootingOs", "Running"), "booting without POST")
        wait_until(lambda: self.host(1) == "Running", timeout=20, what="warm spare running")
        blade = self.sim.blade(1)
        self.assertEqual(blade["power"], "On")
        self.assertEqual(blade["bootVolume"], "spare-boot")
        self.assertEqual(blade["bootCount"], boots + 1)
        self.assertEqual(bmc.get(SYSTEM)["BootProgress"]["LastState"], "OSRunning")
        wait_until(lambda: target(self.sim, ip)["reachable"], what="probe reaches the spare's IP")
        self.assertEqual(target(self.sim, ip)["answeredBy"], [1])

    def test_ipmi_power_on_boots_a_warm_spare_without_post(self):
        mac, wwpn, ip = "02:00:0a:02:00:02", "20:00:00:25:b5:02:00:02", "10.2.0.2"
        self.warm_spare(2, mac, wwpn)
        self.ipmitool(2, "chassis", "power", "on")
        self.assertEqual(self.host(2), "Firmware", "no volume yet: still at firmware")
        make_logical_server(self.sim, "spare-boot-2", mac, wwpn, ip)
        self.ipmitool(2, "chassis", "power", "on")
        self.assertIn(self.host(2), ("BootingOs", "Running"), "booting without POST")
        wait_until(lambda: self.host(2) == "Running", timeout=20, what="warm spare running")
        self.assertEqual(self.sim.blade(2)["bootVolume"], "spare-boot-2")

    def test_on_changes_nothing_in_other_host_states(self):
        # Running: no reboot.
        boot_logical_server(self.sim, 3, "run-boot", "02:00:0a:02:00:03", "20:00:00:25:b5:02:00:03", "10.2.0.3")
        boots = self.sim.blade(3)["bootCount"]
        reset(self.sim, 3, "On")
        time.sleep(0.3)
        blade = self.sim.blade(3)
        self.assertEqual((blade["host"], blade["bootCount"]), ("Running", boots))

        # In POST (now very long): On does not cut POST short, even with a volume visible.
        status, _, body = self.sim.api("PATCH", "/sim/v1/timings", LONG_POST)
        self.assertEqual(status, 200, body)
        make_logical_server(self.sim, "post-boot", "02:00:0a:02:00:04", "20:00:00:25:b5:02:00:04", "10.2.0.4")
        program_identity(self.sim, 4, "02:00:0a:02:00:04", "20:00:00:25:b5:02:00:04")
        reset(self.sim, 4, "On")
        wait_until(lambda: self.host(4) == "Post", what="slot 4 in POST")
        reset(self.sim, 4, "On")
        time.sleep(0.3)
        self.assertEqual(self.host(4), "Post")


if __name__ == "__main__":
    unittest.main(verbosity=2)
