"""cmcd against Redfish BMCs we did not write: DMTF's public mockups served by
mockup_bmc.py (plain, mangled with nulls / removed properties / wrong types,
and over HTTPS), managed over Redfish alone (no IPMI)."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cmcdlib import Cmcd, wait_until  # noqa: E402
from mockup_bmc import MockupBmc  # noqa: E402

BLADED = ["/redfish/v1/Systems/529QB945%dR6" % i for i in range(4)]
# Four blades behind one service all going silent would otherwise read as cmcd's
# own network failing (networkMinimumBlades 4): these tests judge blades one by one.
FAST = {"monitor": {"redfishOnlyIntervalMs": 200, "redfishOnlyLossThresholdMs": 1000, "networkMinimumBlades": 8}}


def manifest(path, blades, chassis=None):
    doc = {"chassis": chassis or {"id": "mockup", "name": "DMTF mockup enclosure", "slots": len(blades)},
           "blades": blades}
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def redfish_blade(slot, bmc, system=None, tls=None, auth=None, password="mockup-pw"):
    rf = {"url": bmc.url, "username": "admin", "password": password}
    if system:
        rf["system"] = system
    if tls is not None:
        rf["tls"] = tls
    if auth:
        rf["auth"] = auth
    return {"slot": slot, "redfish": rf}


class SouthboundTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="cmcd-sb-")
        self.cleanups = []

    def tearDown(self):
        for c in reversed(self.cleanups):
            c()
        self.tmp.cleanup()

    def bmc(self, mockup, **kw):
        m = MockupBmc(mockup, **kw)
        self.cleanups.append(m.stop)
        return m

    def cmcd(self, blades, config=None, **kw):
        path = manifest(os.path.join(self.tmp.name, "rack-%d.json" % len(self.cleanups)), blades, **kw)
        c = Cmcd(manifest=path, config=config or FAST)
        self.cleanups.append(c.cleanup)
        return c

    def oem(self, c, slot):
        return c.blade(slot)["Oem"]["OpenCMC"]

    def test_bladed_mockup_over_redfish_alone(self):
        bmc = self.bmc("public-bladed")
        c = self.cmcd([redfish_blade(i + 1, bmc, BLADED[i]) for i in range(4)])
        wait_until(lambda: c.blade(1)["Model"] == "SX1000", timeout=20, what="Redfish inventory")
        b = c.blade(1)
        self.assertEqual(b["SerialNumber"], "529QB9450R6")
        self.assertEqual(b["Manufacturer"], "Contoso")
        self.assertEqual(b["PartNumber"], "166480-S23")
        inv = b["Oem"]["OpenCMC"]["Inventory"]
        self.assertEqual(inv["CpuCount"], 1)
        self.assertEqual(inv["MemoryGiB"], 64)
        self.assertEqual(inv["BiosVersion"], "P86 v1.58 (10/15/2015)")
        self.assertEqual(inv["BmcMACAddress"], "23:11:8a:38:c0:20")  # the manager's EthernetInterface
        paths = b["Oem"]["OpenCMC"]["ManagementPaths"]
        self.assertFalse(paths["Ipmi"])
        self.assertEqual(paths["RedfishSystem"], BLADED[0])
        # Each slot is its own system of the shared service.
        wait_until(lambda: c.blade(4)["SerialNumber"] == "529QB9453R6", timeout=20, what="slot 4")
        wait_until(lambda: c.health(1) == "Healthy", timeout=20, what="Healthy over Redfish alone")
        self.assertEqual(b["PowerState"], "On")
        # Session authentication: one login, then tokens.
        self.assertIn(("POST", "/redfish/v1/SessionService/Sessions"), bmc.requests)
        self.assertGreater(bmc.tokens.__len__(), 0)

        # Powered off behind cmcd's back: the power state polled over Redfish is the only signal.
        with bmc.lock:
            bmc.docs[BLADED[1]]["PowerState"] = "Off"
        wait_until(lambda: c.health(2) == "Failed", timeout=20, what="slot 2 Failed after power off")
        self.assertIn("powered off", self.oem(c, 2)["Health"]["Reason"])
        self.assertEqual(c.health(1), "Healthy")

        # The BMC stops answering: not Healthy, with a reason an operator can read.
        bmc.stop()
        self.cleanups.remove(bmc.stop)
        wait_until(lambda: c.health(1) == "BmcUnreachable", timeout=20, what="slot 1 BmcUnreachable")
        h = self.oem(c, 1)["Health"]
        self.assertIn("BMC unreachable", h["Reason"])
        self.assertIn("Redfish", h["Reason"])
        self.assertIn("cannot connect", h["Reason"])
        self.assertIn("redfish", h["BadSignals"])
        self.assertIsNone(c.proc.poll())

    def test_composability_mockup_macs_and_counted_summaries(self):
        bmc = self.bmc("public-composability")
        c = self.cmcd([redfish_blade(1, bmc, "/redfish/v1/Systems/SystemAfterResourceBlock", auth="basic")])
        wait_until(lambda: self.oem(c, 1)["Inventory"]["Nics"], timeout=20, what="NICs read")
        inv = self.oem(c, 1)["Inventory"]
        self.assertEqual(inv["Nics"], [{"PermanentMACAddress": "aa:bb:cc:dd:ee:fd", "MACAddress": "aa:bb:cc:dd:ee:fd"}])
        # No ProcessorSummary / MemorySummary in this mockup: counted from the collections.
        self.assertGreaterEqual(inv["CpuCount"], 1)
        self.assertGreaterEqual(inv["MemoryGiB"], 1)
        # Basic auth was asked for: no session was opened.
        self.assertNotIn(("POST", "/redfish/v1/SessionService/Sessions"), bmc.requests)

    def test_mangled_mockup_is_shown_as_unknown_and_cmcd_keeps_serving(self):
        good = self.bmc("public-bladed")
        bad = self.bmc("public-bladed", mangled=True)
        c = self.cmcd([redfish_blade(1, bad, BLADED[0]), redfish_blade(2, good, BLADED[1])])
        wait_until(lambda: c.blade(2)["Model"] == "SX1000", timeout=20, what="good blade read")
        wait_until(lambda: "Redfish " in c.read_log() and "blade=1 Redfish " + bad.url in c.read_log(),
                   timeout=20, what="mangled blade discovered")
        b = c.blade(1)
        self.assertIsNone(b["Model"])          # 5
        self.assertIsNone(b["SerialNumber"])   # removed
        self.assertIsNone(b["Manufacturer"])   # an array
        inv = b["Oem"]["OpenCMC"]["Inventory"]
        # ProcessorSummary.Count is "two": cmcd counts the Processors members instead.
        self.assertEqual(inv["CpuCount"], 1)
        self.assertIsNone(inv["MemoryGiB"])    # null
        self.assertIsNone(inv["BiosVersion"])  # false
        self.assertIsNone(inv["BmcMACAddress"])  # null / 12
        # Polls keep going and the process keeps serving both blades.
        n = c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]["RedfishPolls"]
        wait_until(lambda: c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]["RedfishPolls"] > n + 10,
                   timeout=20, what="polling continues")
        self.assertIsNone(c.proc.poll())
        self.assertEqual(c.blade(2)["SerialNumber"], "529QB9451R6")
        self.assertEqual(c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]["HandlerFailures"], 0)

    def test_https_pinned_fingerprint_ca_file_and_insecure(self):
        bmc = self.bmc("public-bladed", tls=True)
        wrong = bmc.fingerprint[:-2] + ("00" if not bmc.fingerprint.endswith("00") else "11")
        ca = os.path.join(self.tmp.name, "bmc-ca.pem")
        with open(ca, "w") as f, open(os.path.join(bmc.tmp.name, "cert.pem")) as cert:
            f.write(cert.read())
        c = self.cmcd([
            redfish_blade(1, bmc, BLADED[0], tls={"fingerprintSha256": bmc.fingerprint}),
            redfish_blade(2, bmc, BLADED[1], tls={"fingerprintSha256": wrong}),
            redfish_blade(3, bmc, BLADED[2], tls={"caFile": ca}),
            redfish_blade(4, bmc, BLADED[3], tls={"insecure": True}),
        ])
        wait_until(lambda: c.blade(1)["SerialNumber"] == "529QB9450R6", timeout=20, what="pinned blade read")
        wait_until(lambda: c.blade(3)["SerialNumber"] == "529QB9452R6", timeout=20, what="CA-file blade read")
        wait_until(lambda: c.blade(4)["SerialNumber"] == "529QB9453R6", timeout=20, what="insecure blade read")
        wait_until(lambda: c.health(2) == "BmcUnreachable", timeout=20, what="wrong pin refused")
        h = self.oem(c, 2)["Health"]
        self.assertIn("does not match the pinned", h["Reason"])
        self.assertIn(wrong.replace(":", "")[:8], h["Reason"].replace(":", ""))
        # Both the certificate seen and the pin refused are named in full.
        self.assertIn("SHA256 " + bmc.fingerprint, h["Reason"])
        self.assertIn("pinned " + wrong, h["Reason"])
        self.assertIsNone(c.blade(2)["SerialNumber"])
        self.assertIn("TLS handshake failed", c.read_log())

    def test_routes_decode_segments_and_derive_404_405_from_the_table(self):
        import base64
        import urllib.request
        from simlib import assert_dmtf_error, http_call
        bmc = self.bmc("public-bladed")
        c = self.cmcd([redfish_blade(1, bmc, BLADED[0])])
        wait_until(lambda: c.blade(1)["Model"] == "SX1000", timeout=20, what="inventory")
        auth = "Basic " + base64.b64encode(b"admin:integration-test-pw").decode()

        def call(method, path, authorized=True):
            req = urllib.request.Request(c.url + path, method=method, data=b"{}" if method in ("POST", "PATCH") else None)
            if authorized:
                req.add_header("Authorization", auth)
            req.add_header("Content-Type", "application/json")
            return http_call(req)

        # A %2F is part of one segment, not a separator: no such chassis.
        status, _, body = call("GET", "/redfish/v1/Chassis/blade-1%2Fx")
        self.assertEqual(status, 404)
        assert_dmtf_error(self, body, "ResourceNotFound")
        self.assertEqual(call("GET", "/redfish/v1/Chassis/blade-1/")[0], 200)  # a trailing slash is the same URI
        self.assertEqual(call("GET", "/redfish/v1//Chassis")[0], 404)
        # 405 with Allow, derived from the route table.
        status, headers, body = call("PATCH", "/redfish/v1/Chassis/blade-1")
        self.assertEqual(status, 405)
        self.assertEqual(headers.get("Allow"), "GET, HEAD")
        assert_dmtf_error(self, body, "OperationNotAllowed")
        status, headers, _ = call("DELETE", "/redfish/v1")
        self.assertEqual((status, headers.get("Allow")), (405, "GET, HEAD"))
        status, headers, _ = call("PUT", "/redfish/v1/SessionService/Sessions")
        self.assertEqual((status, headers.get("Allow")), (405, "GET, HEAD, POST"))
        # Public routes answer without credentials; the rest need them.
        self.assertEqual(call("GET", "/redfish/v1", authorized=False)[0], 200)
        self.assertEqual(call("GET", "/redfish", authorized=False)[0], 200)
        status, _, body = call("GET", "/redfish/v1/Chassis", authorized=False)
        self.assertEqual(status, 401)
        assert_dmtf_error(self, body, "NoValidSession")
        # An unknown path is 401 without credentials (an anonymous client cannot map what
        # exists), 404 with them.
        self.assertEqual(call("GET", "/redfish/v1/Nope", authorized=False)[0], 401)
        self.assertEqual(call("GET", "/redfish/v1/Nope")[0], 404)

    def test_ipmi_only_blade_on_openipmi_ipmi_sim(self):
        """An IPMI BMC we did not write: OpenIPMI's ipmi_sim, as a blade with IPMI alone."""
        import shutil
        import socket
        import subprocess
        sim_bin = shutil.which("ipmi_sim")
        if not sim_bin:
            self.skipTest("ipmi_sim not installed (Debian package openipmi)")
        d = os.path.join(self.tmp.name, "ipmisim")
        os.makedirs(os.path.join(d, "state"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        power = os.path.join(d, "power")
        with open(power, "w") as f:
            f.write("1\n")
        with open(os.path.join(d, "chassis.sh"), "w") as f:
            f.write('#!/bin/sh\ndir=$(dirname "$0")\nop=$1; shift 1\ncase $op in\n'
                    'get) for p in "$@"; do case $p in power) echo "power:$(cat "$dir/power")";; esac; done;;\n'
                    'set) while [ $# -gt 1 ]; do case $1 in power) echo "$2" > "$dir/power";; esac; shift 2; done;;\n'
                    'esac\nexit 0\n')
        os.chmod(os.path.join(d, "chassis.sh"), 0o755)
        with open(os.path.join(d, "lan.conf"), "w") as f:
            f.write('name "cmctest"\nset_working_mc 0x20\n  startlan 1\n    addr 127.0.0.1 %d\n'
                    '    priv_limit admin\n    allowed_auths_callback md5\n    allowed_auths_user md5\n'
                    '    allowed_auths_operator md5\n    allowed_auths_admin md5\n'
                    '    guid a123456789abcdefa123456789abcdef\n  endlan\n  chassis_control "%s/chassis.sh"\n'
                    'user 2 true "cmcadmin" "s3cret-pass" admin 10 md5\n' % (port, d))
        with open(os.path.join(d, "bmc.emu"), "w") as f:
            f.write("mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\n"
                    "sel_enable 0x20 1000 0x0a\nmc_enable 0x20\n")
        log = open(os.path.join(d, "ipmi_sim.log"), "w")
        proc = subprocess.Popen([sim_bin, "-c", os.path.join(d, "lan.conf"), "-f", os.path.join(d, "bmc.emu"),
                                 "-s", os.path.join(d, "state"), "-n"], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)

        def stop_sim():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
            log.close()
        self.cleanups.append(stop_sim)
        c = self.cmcd([{"slot": 1, "ipmi": {"host": "127.0.0.1", "port": port, "username": "cmcadmin",
                                            "password": "s3cret-pass"}}])
        wait_until(lambda: c.health(1) == "Healthy", timeout=30, what="ipmi_sim blade Healthy")
        b = c.blade(1)
        self.assertEqual(b["PowerState"], "On")
        self.assertTrue(b["Oem"]["OpenCMC"]["ManagementPaths"]["Ipmi"])
        self.assertIsNone(b["Oem"]["OpenCMC"]["ManagementPaths"]["Redfish"])
        self.assertEqual(b["Oem"]["OpenCMC"]["PowerIntent"]["Intent"], "On")
        self.assertTrue(b["Oem"]["OpenCMC"]["PowerIntent"]["Learned"])
        # Firmware revision from Get Device ID (ipmi_sim: 9.08).
        wait_until(lambda: c.json("/redfish/v1/Managers/bmc-1")["FirmwareVersion"], timeout=20, what="device id")
        # ipmi_sim has no FRU: cmcd says so once and asks again later, not on every 25 ms tick.
        polls = c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]["IpmiPolls"]
        wait_until(lambda: c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]["IpmiPolls"] > polls + 8,
                   timeout=20, what="two more seconds of polling")
        self.assertEqual(c.read_log().count("FRU read failed"), 1)
        # Powered off behind cmcd's back: the blade cmcd expects on has failed.
        with open(power, "w") as f:
            f.write("0\n")
        wait_until(lambda: c.health(1) == "Failed", timeout=20, what="Failed after power off")
        self.assertEqual(self.oem(c, 1)["Health"]["Reason"], "host powered off unexpectedly")
        self.assertIn("unexpected-power-off", self.oem(c, 1)["Health"]["BadSignals"])

    def test_bad_chassis_section_exits_2_naming_the_key(self):
        for chassis, key in (({"name": 5}, "chassis.name"), ({"slots": "many"}, "chassis.slots"),
                             ("enclosure", "chassis")):
            path = manifest(os.path.join(self.tmp.name, "bad.json"), [], chassis=chassis)
            c = Cmcd(manifest=path, expect_start=False)
            self.assertEqual(c.proc.wait(15), 2)
            self.assertIn("'%s'" % key, c.read_log())
            self.assertNotIn("terminate called", c.read_log())
            c.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
