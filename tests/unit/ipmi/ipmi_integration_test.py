#!/usr/bin/python3
"""Integration test: the real ipmitool and FreeIPMI against ipmi_test_bmc.

Usage: ipmi_integration_test.py /path/to/ipmi_test_bmc
Starts two BMCs on port 0, reads their ports, drives them with
`ipmitool -I lanplus` (with and without -C) and FreeIPMI (no workaround
flags), and checks the security refusals. Cleans up its process.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HOST_BIN = None
TIMEOUT = 60


class BmcHost:
    def __init__(self, binary, count=2):
        self.proc = subprocess.Popen([binary, "--count", str(count)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.ports = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("PORT "):
                self.ports.append(int(line.split()[1]))
            elif line.strip() == "READY":
                return
        self.stop()
        raise RuntimeError("ipmi_test_bmc did not start: " + self.proc.stderr.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run(args, timeout=TIMEOUT):
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


class IpmiIntegration(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.host = BmcHost(HOST_BIN)
        cls.port = cls.host.ports[0]
        cls.power_port = cls.host.ports[1]  # power tests change state: own BMC
        cls.cache = tempfile.mkdtemp(prefix="ipmi-sdr-")
        os.chmod(cls.cache, 0o700)

    @classmethod
    def tearDownClass(cls):
        cls.host.stop()
        shutil.rmtree(cls.cache, ignore_errors=True)

    def ipmitool(self, *args, user="admin", password="adminpass", port=None, extra=()):
        cmd = ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(port or self.port),
               "-U", user, "-P", password, *extra, *args]
        return run(cmd)

    def freeipmi(self, tool, *args, user="admin", password="adminpass", port=None):
        cmd = [tool, "-h", "127.0.0.1:%d" % (port or self.port), "-u", user, "-p", password, *args]
        if tool in ("ipmi-sensors", "ipmi-sel"):
            cmd += ["--sdr-cache-directory", self.cache]
        return run(cmd)

    def assertOk(self, result, *needles):
        rc, out = result
        self.assertEqual(rc, 0, out)
        for n in needles:
            self.assertIn(n, out)
        return out

    # --- ipmitool -------------------------------------------------------
    def test_mc_info_without_cipher_suite_is_fast(self):
        start = time.monotonic()
        self.assertOk(self.ipmitool("mc", "info"), "IPMI Version              : 2.0",
                      "Firmware Revision         : 1.23")
        self.assertLess(time.monotonic() - start, 3.0, "cipher suite discovery stalled")

    def test_mc_info_with_cipher_suite_3(self):
        self.assertOk(self.ipmitool("mc", "info", extra=("-C", "3")), "Device ID                 : 32")

    def test_chassis_status(self):
        self.assertOk(self.ipmitool("chassis", "status"), "System Power         :",
                      "Chassis Intrusion    : inactive")

    def test_power_on_off_cycle(self):
        p = self.power_port
        self.assertOk(self.ipmitool("chassis", "power", "on", port=p), "Up/On")
        self.assertOk(self.ipmitool("chassis", "power", "status", port=p), "Chassis Power is on")
        self.assertOk(self.ipmitool("chassis", "power", "cycle", port=p), "Cycle")
        self.assertOk(self.ipmitool("chassis", "power", "off", port=p), "Down/Off")
        self.assertOk(self.ipmitool("chassis", "power", "status", port=p), "Chassis Power is off")
        # FreeIPMI's ipmipower on the same BMC.
        self.assertOk(self.freeipmi("ipmipower", "--stat", port=p), "127.0.0.1: off")
        self.assertOk(self.freeipmi("ipmipower", "-D", "LAN_2_0", "--stat", port=p), "127.0.0.1: off")
        self.assertOk(self.freeipmi("ipmipower", "--on", port=p), "127.0.0.1: ok")
        self.assertOk(self.freeipmi("ipmipower", "--stat", port=p), "127.0.0.1: on")
        self.assertOk(self.freeipmi("ipmipower", "--off", port=p), "127.0.0.1: ok")
        self.assertOk(self.freeipmi("ipmipower", "--stat", port=p), "127.0.0.1: off")

    def test_bootdev_pxe_reads_back(self):
        self.assertOk(self.ipmitool("chassis", "bootdev", "pxe"), "Set Boot Device to pxe")
        self.assertOk(self.ipmitool("chassis", "bootparam", "get", "5"), "Boot Flag Valid",
                      "Boot Device Selector : Force PXE")

    def test_sdr_list_and_sensor_get(self):
        out = self.assertOk(self.ipmitool("sdr", "list"))
        self.assertRegex(out, r"CPU Temp\s+\| 45 degrees C\s+\| ok")
        self.assertRegex(out, r"12V Rail\s+\| 12\.\d+ Volts\s+\| ok")
        self.assertRegex(out, r"Fan 1\s+\| \d+ RPM\s+\| ok")
        out = self.assertOk(self.ipmitool("sensor", "get", "12V Rail"))
        self.assertRegex(out, r"Upper Critical\s+: 13\.\d+")
        self.assertRegex(out, r"Lower Critical\s+: 10\.\d+")

    def test_sel_list(self):
        self.assertOk(self.ipmitool("sel", "list"), "Temperature #0x01", "Upper Non-critical going high")

    def test_fru_print(self):
        self.assertOk(self.ipmitool("fru", "print", "0"), "Board Mfg             : OpenCMC",
                      "Product Serial        : SN0001", "Product Asset Tag     : ASSET-7")

    def test_watchdog_set_and_get(self):
        # Set: SMS/OS, hard reset, 10.0 s; then read back.
        self.assertOk(self.ipmitool("raw", "0x06", "0x24", "0x04", "0x01", "0x00", "0x00", "0x64", "0x00"))
        self.assertOk(self.ipmitool("mc", "watchdog", "get"), "Initial Countdown:      10.0 sec",
                      "Hard Reset")

    def test_user_list(self):
        out = self.assertOk(self.ipmitool("user", "list", "1"))
        self.assertRegex(out, r"2\s+admin\s+.*ADMINISTRATOR")
        self.assertRegex(out, r"3\s+operator\s+.*OPERATOR")
        self.assertRegex(out, r"4\s+user\s+.*USER")

    def test_channel_info_counts_the_session(self):
        self.assertOk(self.ipmitool("channel", "info"), "Channel Medium Type   : 802.3 LAN",
                      "Active Session Count  : 1")

    def test_oem_virtual_mac(self):
        self.assertOk(self.ipmitool("raw", "0x30", "0x01"), "02 01")
        self.assertOk(self.ipmitool("raw", "0x30", "0x02", "0x00", "0x00"),
                      "00 00 03 06 02 00 00 00 03 01 00 1b 21 aa 00 01")

    def test_unknown_command_is_c1(self):
        rc, out = self.ipmitool("raw", "0x06", "0x7f")
        self.assertNotEqual(rc, 0)
        self.assertIn("rsp=0xc1", out)

    # --- FreeIPMI (no workaround flags) ------------------------------------
    def test_freeipmi_sensors_sel_bmcinfo_chassis(self):
        for driver in ([], ["-D", "LAN_2_0"]):
            out = self.assertOk(self.freeipmi("ipmi-sensors", *driver))
            self.assertRegex(out, r"CPU Temp\s+\| Temperature\s+\| 45\.00\s+\| C")
            self.assertOk(self.freeipmi("ipmi-sel", *driver), "CPU Temp")
            self.assertOk(self.freeipmi("bmc-info", *driver), "IPMI Version          : 2.0")
            self.assertOk(self.freeipmi("ipmi-chassis", *driver, "--get-chassis-status"),
                          "Chassis intrusion                   : inactive")

    def test_freeipmi_user_level_reads(self):
        self.assertOk(self.freeipmi("ipmi-sensors", "-D", "LAN_2_0", "-l", "user", user="user",
                                    password="userpass"), "CPU Temp")

    # --- security ------------------------------------------------------------
    def test_cipher_suite_zero_refused(self):
        for password in ("adminpass", "anything"):
            rc, out = self.ipmitool("chassis", "power", "status", password=password, extra=("-C", "0"))
            self.assertNotEqual(rc, 0, out)
            self.assertIn("no matching cipher suite", out)

    def test_in_session_cipher_suite_list_excludes_suite_zero(self):
        out = self.assertOk(self.ipmitool("channel", "getciphers", "ipmi", "1"))
        ids = [line.split()[0] for line in out.splitlines()[1:] if line.strip()]
        self.assertEqual(ids, ["1", "2", "3"])

    def test_unsupported_cipher_suite_17_refused(self):
        rc, out = self.ipmitool("mc", "info", extra=("-C", "17"))
        self.assertNotEqual(rc, 0, out)
        self.assertIn("no matching cipher suite", out)

    def test_null_and_anonymous_user_refused(self):
        for user, password in (("", ""), ("", "adminpass")):
            rc, out = self.ipmitool("chassis", "power", "status", user=user, password=password)
            self.assertNotEqual(rc, 0, out)
            self.assertNotIn("Chassis Power is", out)

    def test_wrong_password_refused(self):
        rc, out = self.ipmitool("chassis", "power", "status", password="wrong")
        self.assertNotEqual(rc, 0, out)
        self.assertNotIn("Chassis Power is", out)
        rc, out = self.freeipmi("ipmipower", "--stat", "--session-timeout=2000", password="wrong")
        self.assertNotIn(": on", out)
        self.assertNotIn(": off", out)

    def test_user_cannot_power_control(self):
        p = self.power_port
        before = self.assertOk(self.ipmitool("chassis", "power", "status", port=p, user="user",
                                             password="userpass", extra=("-L", "USER")))
        rc, out = self.ipmitool("chassis", "power", "on", port=p, user="user", password="userpass",
                                extra=("-L", "USER"))
        self.assertNotEqual(rc, 0, out)
        self.assertIn("Insufficient privilege level", out)
        # Asking for more than the account has fails at session setup.
        rc, out = self.ipmitool("chassis", "power", "on", port=p, user="user", password="userpass",
                                extra=("-L", "ADMINISTRATOR"))
        self.assertNotEqual(rc, 0, out)
        rc, out = self.freeipmi("ipmipower", "--on", port=p, user="user", password="userpass")
        self.assertIn("privilege level cannot be obtained", out)
        after = self.assertOk(self.ipmitool("chassis", "power", "status", port=p, user="user",
                                            password="userpass", extra=("-L", "USER")))
        self.assertEqual(before, after)

    def test_operator_can_power_control(self):
        self.assertOk(self.ipmitool("chassis", "power", "status", port=self.power_port, user="operator",
                                    password="operpass", extra=("-L", "OPERATOR")), "Chassis Power is")
        self.assertOk(self.ipmitool("chassis", "identify", "5", port=self.power_port, user="operator",
                                    password="operpass", extra=("-L", "OPERATOR")))


if __name__ == "__main__":
    HOST_BIN = sys.argv.pop(1)
    unittest.main(verbosity=2)
