"""Blade Redfish BMC, driven with real clients (redfishtool, python3-sushy)
against blade 2 of a 4-blade cmcsim."""
import json
import subprocess
import sys
import unittest

from simlib import PYTHON, Sim, assert_dmtf_error, wait_until

SUSHY_SCRIPT = r"""
import json, sys, time
import sushy
url, user, password, action = sys.argv[1:5]
s = sushy.Sushy(url + '/redfish/v1', username=user, password=password)
system = s.get_system('/redfish/v1/Systems/1')
out = {}
if action == 'read':
    out = {'power': str(system.power_state.value), 'uuid': system.uuid,
           'boot_target': str(system.boot.target.value if system.boot.target else None),
           'manufacturer': system.manufacturer}
elif action == 'off':
    system.reset_system(sushy.RESET_FORCE_OFF)
elif action == 'on':
    system.reset_system(sushy.RESET_ON)
elif action == 'boot':
    system.set_system_boot_options(target=sushy.BOOT_SOURCE_TARGET_PXE,
                                   enabled=sushy.BOOT_SOURCE_ENABLED_ONCE)
    system.refresh()
    out = {'target': str(system.boot.target.value), 'enabled': str(system.boot.enabled.value)}
print(json.dumps(out))
"""


class BladeRedfishTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=50)
        cls.bmc = cls.sim.bmc(2)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def redfishtool(self, *args):
        b = self.bmc
        cmd = ["redfishtool", "-r", b.hostport, "-u", b.username, "-p", b.password, "-S", "Never", *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, "redfishtool %s failed: %s %s" % (args, r.stdout, r.stderr))
        return r.stdout

    def sushy(self, action):
        b = self.bmc
        r = subprocess.run([PYTHON, "-c", SUSHY_SCRIPT, b.url, b.username, b.password, action],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, "sushy %s failed: %s" % (action, r.stderr))
        return json.loads(r.stdout)

    def power(self):
        return self.bmc.get("/redfish/v1/Systems/1")["PowerState"]

    def test_redfishtool_reads_system_and_controls_power(self):
        system = json.loads(self.redfishtool("Systems", "get"))
        inv = self.sim.blade(2)
        self.assertEqual(system["UUID"], inv["uuid"])
        self.assertEqual(system["SerialNumber"], inv["serialNumber"])
        self.redfishtool("Systems", "reset", "On")
        wait_until(lambda: self.sim.blade(2)["power"] == "On", what="blade 2 on (control API)")
        self.assertEqual(json.loads(self.redfishtool("Systems", "get"))["PowerState"], "On")
        self.redfishtool("Systems", "reset", "ForceOff")
        self.assertEqual(self.sim.blade(2)["power"], "Off")
        self.assertEqual(json.loads(self.redfishtool("Systems", "get"))["PowerState"], "Off")

    def test_redfishtool_boot_override_and_virtual_addresses(self):
        self.redfishtool("Systems", "setBootOverride", "Once", "Pxe")
        boot = self.bmc.get("/redfish/v1/Systems/1")["Boot"]
        self.assertEqual((boot["BootSourceOverrideEnabled"], boot["BootSourceOverrideTarget"]), ("Once", "Pxe"))
        self.assertEqual(self.sim.blade(2)["bootOverride"], {"enabled": "Once", "target": "Pxe"})

        nic = "/redfish/v1/Chassis/1/NetworkAdapters/NIC/NetworkDeviceFunctions/1"
        self.redfishtool("raw", "PATCH", nic, "-d", json.dumps({"Ethernet": {"MACAddress": "02:00:0A:00:00:21"}}))
        eth = self.bmc.get(nic)["Ethernet"]
        self.assertEqual(eth["MACAddress"], "02:00:0a:00:00:21")
        self.assertEqual(eth["PermanentMACAddress"], self.sim.manifest["blades"][1]["nics"][0]["permanentMac"])
        self.assertNotEqual(eth["MACAddress"], eth["PermanentMACAddress"])

        hba = "/redfish/v1/Chassis/1/NetworkAdapters/HBA/NetworkDeviceFunctions/1"
        self.redfishtool("raw", "PATCH", hba, "-d", json.dumps({"FibreChannel": {"WWPN": "20:00:00:25:B5:AA:00:21"}}))
        fc = self.bmc.get(hba)["FibreChannel"]
        self.assertEqual(fc["WWPN"], "20:00:00:25:b5:aa:00:21")
        self.assertEqual(fc["PermanentWWPN"], self.sim.manifest["blades"][1]["hbas"][0]["permanentWwpn"])
        self.assertEqual(fc["WWNSource"], "ConfiguredLocally")
        # The hardware (control API) carries the programmed addresses.
        blade = self.sim.blade(2)
        self.assertEqual(blade["nics"][0]["mac"], "02:00:0a:00:00:21")
        self.assertEqual(blade["hbas"][0]["wwpn"], "20:00:00:25:b5:aa:00:21")

    def test_sushy_reads_powers_and_sets_boot(self):
        info = self.sushy("read")
        self.assertEqual(info["uuid"], self.sim.blade(2)["uuid"])
        self.sushy("on")
        wait_until(lambda: self.power() == "On", what="power on via sushy")
        self.sushy("off")
        wait_until(lambda: self.power() == "Off", what="power off via sushy")
        self.assertEqual(self.sushy("read")["power"], "Off")
        boot = self.sushy("boot")
        self.assertEqual((boot["target"], boot["enabled"]), ("Pxe", "Once"))

    def test_collections_and_odata(self):
        for path in ["/redfish/v1/Systems", "/redfish/v1/Chassis", "/redfish/v1/Managers",
                     "/redfish/v1/Chassis/1/NetworkAdapters", "/redfish/v1/Chassis/1/Sensors",
                     "/redfish/v1/Managers/bmc/LogServices/SEL/Entries"]:
            c = self.bmc.get(path)
            self.assertEqual(c["@odata.id"], path)
            self.assertIn("@odata.type", c)
            self.assertEqual(c["Members@odata.count"], len(c["Members"]))
        root = self.bmc.call("GET", "/redfish/v1", auth=False)
        self.assertEqual(root[0], 200, "service root needs no authentication")

    def test_etag_and_if_match(self):
        path = "/redfish/v1/Systems/1"
        status, headers, _ = self.bmc.call("GET", path)
        etag = headers["ETag"]
        status, _, body = self.bmc.call("PATCH", path, {"Boot": {"BootSourceOverrideTarget": "Hdd"}},
                                        headers={"If-Match": 'W/"0000000000000000"'})
        self.assertEqual(status, 412)
        assert_dmtf_error(self, body, "PreconditionFailed")
        status, headers, _ = self.bmc.call("GET", path)
        status, _, body = self.bmc.call("PATCH", path, {"Boot": {"BootSourceOverrideTarget": "Hdd"}},
                                        headers={"If-Match": headers["ETag"]})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["Boot"]["BootSourceOverrideTarget"], "Hdd")
        self.assertNotEqual(etag, self.bmc.call("GET", path)[1]["ETag"])

    def test_method_not_allowed_has_allow(self):
        status, headers, body = self.bmc.call("DELETE", "/redfish/v1/Systems/1")
        self.assertEqual(status, 405)
        self.assertIn("PATCH", headers["Allow"])
        assert_dmtf_error(self, body, "OperationNotAllowed")

    def test_sessions(self):
        status, headers, body = self.bmc.call("POST", "/redfish/v1/SessionService/Sessions",
                                              {"UserName": self.bmc.username, "Password": self.bmc.password}, auth=False)
        self.assertEqual(status, 201, body)
        token, location = headers["X-Auth-Token"], headers["Location"]
        status, _, _ = self.bmc.call("GET", "/redfish/v1/Systems/1", auth=False, headers={"X-Auth-Token": token})
        self.assertEqual(status, 200)
        status, _, _ = self.bmc.call("DELETE", location, auth=False, headers={"X-Auth-Token": token})
        self.assertEqual(status, 200)
        status, _, body = self.bmc.call("GET", "/redfish/v1/Systems/1", auth=False, headers={"X-Auth-Token": token})
        self.assertEqual(status, 401)
        assert_dmtf_error(self, body, "NoValidSession")

    def test_readonly_role_cannot_write(self):
        ro = self.sim.bmc(2, "ReadOnly")
        self.assertEqual(ro.call("GET", "/redfish/v1/Systems/1")[0], 200)
        status, _, body = ro.call("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {"ResetType": "On"})
        self.assertEqual(status, 403)
        assert_dmtf_error(self, body, "InsufficientPrivilege")
        op = self.sim.bmc(2, "Operator")
        status, _, body = op.call("PATCH", "/redfish/v1/Systems/1", {"Boot": {"BootSourceOverrideEnabled": "Disabled"}})
        self.assertEqual(status, 200, body)

    def test_sel_log_service_and_clear(self):
        self.sim.inject(2, "over-temperature", celsius=99)
        entries = wait_until(lambda: self.bmc.get("/redfish/v1/Managers/bmc/LogServices/SEL/Entries")["Members"],
                             what="SEL entries")
        self.assertTrue(any("CPU Temp" in e["Message"] and e["Severity"] == "Critical" for e in entries), entries)
        self.sim.clear(2, "over-temperature")
        status, _, _ = self.bmc.call("POST", "/redfish/v1/Managers/bmc/LogServices/SEL/Actions/LogService.ClearLog", {})
        self.assertEqual(status, 200)
        self.assertEqual(self.bmc.get("/redfish/v1/Managers/bmc/LogServices/SEL/Entries")["Members@odata.count"], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
