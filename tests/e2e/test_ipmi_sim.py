"""The blade BMCs of cmcsim over IPMI 2.0, driven with the real ipmitool and
FreeIPMI; every state change is read back through the simulator's control API
and the blade's Redfish BMC."""
import subprocess
import unittest

from simlib import Sim, boot_logical_server, wait_until

TIMEOUT = 60


class IpmiOnSimTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=50)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def account(self, slot, role):
        b = self.sim.manifest["blades"][slot - 1]
        a = next(a for a in b["accounts"] if a["role"] == role)
        return b["ipmi"]["port"], a["username"], a["password"]

    def ipmitool(self, slot, *args, role="Administrator", cipher=None):
        port, user, password = self.account(slot, role)
        cmd = ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(port), "-U", user, "-P", password]
        if cipher is not None:
            cmd += ["-C", str(cipher)]
        r = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=TIMEOUT)
        return r.returncode, r.stdout + r.stderr

    def freeipmi(self, slot, tool, *args, role="Administrator"):
        port, user, password = self.account(slot, role)
        r = subprocess.run([tool, "-h", "127.0.0.1:%d" % port, "-u", user, "-p", password, *args],
                           capture_output=True, text=True, timeout=TIMEOUT)
        return r.returncode, r.stdout + r.stderr

    def ok(self, result, *needles):
        rc, out = result
        self.assertEqual(rc, 0, out)
        for n in needles:
            self.assertIn(n, out)
        return out

    def redfish_power(self, slot):
        return self.sim.bmc(slot).get("/redfish/v1/Systems/1")["PowerState"]

    def test_ipmitool_power_read_back_through_control_api_and_redfish(self):
        slot = 1
        self.ok(self.ipmitool(slot, "chassis", "power", "status"), "Chassis Power is off")
        self.ok(self.ipmitool(slot, "chassis", "power", "on"))
        wait_until(lambda: self.sim.blade(slot)["power"] == "On", what="on (control API)")
        self.assertEqual(self.redfish_power(slot), "On")
        self.ok(self.ipmitool(slot, "chassis", "power", "status", cipher=3), "Chassis Power is on")
        self.ok(self.ipmitool(slot, "chassis", "power", "cycle"))
        wait_until(lambda: self.sim.blade(slot)["power"] == "On", what="back on after the cycle")
        self.ok(self.ipmitool(slot, "chassis", "power", "off"))
        wait_until(lambda: self.sim.blade(slot)["power"] == "Off", what="off (control API)")
        self.assertEqual(self.redfish_power(slot), "Off")

    def test_ipmitool_bootdev_pxe_reads_back_in_redfish(self):
        slot = 2
        self.ok(self.ipmitool(slot, "chassis", "bootdev", "pxe"))
        boot = self.sim.bmc(slot).get("/redfish/v1/Systems/1")["Boot"]
        self.assertEqual(boot["BootSourceOverrideTarget"], "Pxe")
        self.assertEqual(self.sim.blade(slot)["bootOverride"]["target"], "Pxe")
        self.ok(self.ipmitool(slot, "chassis", "bootparam", "get", "5"), "PXE")

    def test_sel_after_over_temperature_and_sensors(self):
        slot = 3
        self.sim.inject(slot, "over-temperature", celsius=99)
        out = self.ok(self.ipmitool(slot, "sel", "list"))
        self.assertIn("Temperature", out)
        self.ok(self.ipmitool(slot, "sdr", "list"), "CPU Temp", "Inlet Temp")
        self.ok(self.ipmitool(slot, "sensor", "get", "CPU Temp"), "Sensor Reading")
        self.ok(self.freeipmi(slot, "ipmi-sel"), "Temperature")
        self.ok(self.freeipmi(slot, "ipmi-sensors"), "CPU Temp")
        self.sim.clear(slot, "over-temperature")

    def test_fru_matches_manifest_and_watchdog_of_running_host(self):
        slot = 4
        self.ok(self.ipmitool(slot, "fru", "print"), self.sim.manifest["blades"][slot - 1]["serialNumber"])
        boot_logical_server(self.sim, slot, "ipmi-4", "02:00:0a:04:00:04", "20:00:00:25:b5:04:00:04", "10.4.0.4")
        out = self.ok(self.ipmitool(slot, "mc", "watchdog", "get"), "Watchdog Timer Is")
        self.assertIn("Started", out, "the host agent armed the watchdog")

    def test_freeipmi_power_and_status(self):
        slot = 1
        self.ok(self.freeipmi(slot, "ipmipower", "--on"), "ok")
        wait_until(lambda: self.sim.blade(slot)["power"] == "On", what="on via ipmipower")
        self.ok(self.freeipmi(slot, "ipmipower", "--stat"), ": on")
        self.ok(self.freeipmi(slot, "ipmi-chassis", "--get-chassis-status"), "System Power")
        self.ok(self.freeipmi(slot, "bmc-info"), "Firmware Revision")
        self.ok(self.freeipmi(slot, "ipmipower", "--off"), "ok")
        wait_until(lambda: self.sim.blade(slot)["power"] == "Off", what="off via ipmipower")

    def test_readonly_account_cannot_control_power(self):
        slot = 2
        # A User-level session (ipmitool asks for Administrator unless told -L USER).
        rc, out = self.ipmitool(slot, "-L", "USER", "chassis", "power", "on", role="ReadOnly")
        self.assertNotEqual(rc, 0, out)
        self.assertIn("Insufficient privilege", out)
        self.assertEqual(self.sim.blade(slot)["power"], "Off")
        self.ok(self.ipmitool(slot, "-L", "USER", "chassis", "power", "status", role="ReadOnly"), "Chassis Power is off")
        rc, out = self.ipmitool(slot, "chassis", "power", "status", role="ReadOnly")
        self.assertNotEqual(rc, 0, "a User account gets no Administrator session: " + out)

    def test_fault_makes_bmc_silent(self):
        slot = 2
        self.sim.inject(slot, "bmc-unresponsive")
        port, user, password = self.account(slot, "Administrator")
        r = subprocess.run(["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(port), "-U", user, "-P", password,
                            "-N", "1", "-R", "1", "chassis", "power", "status"], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertNotEqual(r.returncode, 0)
        self.sim.clear(slot, "bmc-unresponsive")
        self.ok(self.ipmitool(slot, "chassis", "power", "status"), "Chassis Power is")


if __name__ == "__main__":
    unittest.main(verbosity=2)
