"""Logical servers over cmcd's northbound Redfish API: composed ComputerSystems
(create from identity pools, bind to a blade, delete), the CompositionService
with ResourceBlocks (blades) and ResourceZones (spare pools), and the Task of
each binding. A real cmcsim rack (its SAN holds the boot volumes) and a real
cmcd process; plain HTTP clients."""
import base64
import json
import unittest
import urllib.request

from cmcdlib import ADMIN, FAST, Cmcd, Sim, http_call, wait_until
from simlib import assert_dmtf_error

SYSTEMS = "/redfish/v1/Systems"
BLOCKS = "/redfish/v1/CompositionService/ResourceBlocks"
ZONES = "/redfish/v1/CompositionService/ResourceZones"

POOLS = [
    {"name": "macs", "kind": "MAC", "first": "02:00:0a:00:00:01", "last": "02:00:0a:00:00:40"},
    {"name": "wwpns", "kind": "WWPN", "first": "20:00:00:25:b5:00:00:01", "last": "20:00:00:25:b5:00:00:40"},
    {"name": "ips", "kind": "IPv4", "first": "10.0.0.11", "last": "10.0.0.60", "subnet": "10.0.0.0/24",
     "gateway": "10.0.0.1"},
    {"name": "uuids", "kind": "UUID", "prefix": "4f70656e-434d-4300-8000", "first": 1, "last": 4096},
]
CONFIG = dict(FAST)
CONFIG.update({
    "identityPools": POOLS,
    "sparePools": [{"name": "spares", "members": [{"slot": 4, "kind": "Cold"}]}],
    "logicalServers": [{
        "name": "web01", "blade": 1, "uuidPool": "uuids",
        "vnics": [{"name": "eth0", "macPool": "macs", "ipPool": "ips", "vlan": 100}],
        "vhbas": [{"name": "fc0", "wwpnPool": "wwpns"}],
        "bootVolume": {"volume": "web01-boot", "lun": 0},
        "failover": {"sparePool": "spares", "priority": 1, "automatic": True},
    }],
    # A blade keeps answering 1 s (cmcd's default 3 s) before a bind or move completes: no
    # assertion here depends on that window (test_failover's FlappingSpareTest tests it).
    "failover": {"holdMs": 0, "verifyStableMs": 1000},
})


def create_body(name, blade=None, **oem):
    body = {"Name": name, "Oem": {"OpenCMC": {
        "UuidPool": "uuids",
        "VNICs": [{"Name": "eth0", "MACPool": "macs", "IPv4Pool": "ips"}],
        "VHBAs": [{"Name": "fc0", "WWPNPool": "wwpns"}],
        "BootVolume": {"Volume": name + "-boot", "LUN": 0},
        "FailoverPolicy": {"SparePool": "spares", "Priority": 0, "Automatic": True},
    }}}
    body["Oem"]["OpenCMC"].update(oem)
    if blade:
        body["Links"] = {"ResourceBlocks": [{"@odata.id": "%s/blade-%d" % (BLOCKS, blade)}]}
    return body


class Rack:
    """A 4-blade cmcsim rack with the servers' boot volumes, and cmcd declaring web01 on blade 1
    with blade 4 a spare; helpers for the tests."""

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=20)
        try:
            for vol in ("web01-boot", "web05-boot"):  # the SAN volumes the servers boot from
                status, _, body = cls.sim.api("POST", "/sim/v1/volumes", {"name": vol, "lun": 0})
                assert status in (200, 201), body
            cls.cmcd = Cmcd(manifest=cls.sim.manifest_path, config=CONFIG)
            # Discovery done: every blade's inventory read and the pool's blade a Spare.
            wait_until(lambda: all(cls.cmcd.blade(s)["Oem"]["OpenCMC"]["Inventory"]["CpuCount"] for s in range(1, 5)),
                       timeout=60, what="inventory read")
            wait_until(lambda: cls.cmcd.json(BLOCKS + "/blade-4")["Oem"]["OpenCMC"]["Role"] == "Spare",
                       timeout=30, what="blade 4 a Spare")
        except BaseException:
            cls.sim.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cmcd.cleanup()
        cls.sim.stop()

    # ---- helpers
    def call(self, method, path, body=None, raw=None, auth=ADMIN, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.cmcd.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        return http_call(req, 15)

    def members(self, path):
        return [m["@odata.id"] for m in self.cmcd.json(path)["Members"]]

    def pool_used(self, name):
        pools = self.cmcd.json("/redfish/v1/CompositionService")["Oem"]["OpenCMC"]["IdentityPools"]
        return next(p["Used"] for p in pools if p["Name"] == name)

    def wait_running(self, name, timeout=90):
        def running():
            s = self.cmcd.json(SYSTEMS + "/" + name)
            return s if s["Oem"]["OpenCMC"]["State"] == "Running" and s["PowerState"] == "On" else None
        return wait_until(running, timeout=timeout, interval=0.2, what="%s Running" % name)

    def assert_error(self, status, body, want_status, message_id):
        self.assertEqual(want_status, status, body)
        assert_dmtf_error(self, body, message_id)


class CompositionTest(Rack, unittest.TestCase):
    def test_service_root_links_the_composition_resources(self):
        root = self.cmcd.json("/redfish/v1")
        self.assertEqual(SYSTEMS, root["Systems"]["@odata.id"])
        self.assertEqual("/redfish/v1/CompositionService", root["CompositionService"]["@odata.id"])
        self.assertEqual("/redfish/v1/TaskService", root["Tasks"]["@odata.id"])
        ts = self.cmcd.json("/redfish/v1/TaskService")
        self.assertTrue(ts["ServiceEnabled"])
        self.assertEqual("Oldest", ts["CompletedTaskOverWritePolicy"])
        self.assertEqual("/redfish/v1/TaskService/Tasks", ts["Tasks"]["@odata.id"])

    def test_declared_server_is_a_composed_system_bound_to_its_blade(self):
        self.assertIn(SYSTEMS + "/web01", self.members(SYSTEMS))
        s = self.wait_running("web01")
        self.assertEqual("Composed", s["SystemType"])
        self.assertEqual("web01", s["Id"])
        self.assertEqual({"State": "Enabled", "Health": "OK"}, s["Status"])
        self.assertTrue(s["UUID"].startswith("4f70656e-434d-4300-8000-"), s["UUID"])
        self.assertEqual("RemoteDrive", s["Boot"]["BootSourceOverrideTarget"])
        self.assertEqual([{"@odata.id": "/redfish/v1/Chassis/blade-1"}], s["Links"]["Chassis"])
        self.assertEqual([{"@odata.id": BLOCKS + "/blade-1"}], s["Links"]["ResourceBlocks"])
        self.assertEqual(["On", "ForceOff", "GracefulShutdown"],
                         s["Actions"]["#ComputerSystem.Reset"]["ResetType@Redfish.AllowableValues"])
        self.assertIn("#OpenCMC.Migrate", s["Actions"]["Oem"])
        oem = s["Oem"]["OpenCMC"]
        self.assertEqual("web01-boot", oem["BootVolume"]["Volume"])
        self.assertEqual("spares", oem["FailoverPolicy"]["SparePool"])
        self.assertEqual("config", oem["Origin"])
        mac = oem["VNICs"][0]["MACAddress"]
        self.assertTrue(mac.startswith("02:00:0a:00:00:"), mac)
        self.assertTrue(oem["VHBAs"][0]["WWPN"].startswith("20:00:00:25:b5:00:00:"))
        # The vNIC as an EthernetInterface: the virtual MAC, the pool's address and VLAN.
        self.assertEqual([SYSTEMS + "/web01/EthernetInterfaces/eth0"], self.members(SYSTEMS + "/web01/EthernetInterfaces"))
        eth = self.cmcd.json(SYSTEMS + "/web01/EthernetInterfaces/eth0")
        self.assertEqual(mac, eth["MACAddress"])
        self.assertEqual({"VLANEnable": True, "VLANId": 100}, eth["VLAN"])
        v4 = eth["IPv4Addresses"][0]
        self.assertEqual(oem["VNICs"][0]["IPv4Address"], v4["Address"])
        self.assertEqual("255.255.255.0", v4["SubnetMask"])
        self.assertEqual("10.0.0.1", v4["Gateway"])
        status, _, body = self.cmcd.get(SYSTEMS + "/web01/EthernetInterfaces/eth9")
        self.assertEqual(404, status, body)
        # The identity is real on the hardware: blade 1's NIC carries the virtual MAC, it
        # booted from the server's volume, and the logical IP answers from it.
        ip = oem["VNICs"][0]["IPv4Address"]
        sb = wait_until(lambda: (lambda b: b if b["nics"][0]["mac"] == mac else None)(self.sim.blade(1)),
                        timeout=30, what="blade 1's NIC carries %s" % mac)
        self.assertEqual("web01-boot", sb["bootVolume"], sb)
        self.assertEqual(oem["VHBAs"][0]["WWPN"], sb["hbas"][0]["wwpn"])
        target = wait_until(lambda: next((t for t in self.sim.get("/sim/v1/probe")["targets"]
                                          if t["ip"] == ip and t["reachable"]), None),
                            timeout=30, what="%s reachable" % ip)
        self.assertIn(1, [target["answeredBy"]] if not isinstance(target["answeredBy"], list) else target["answeredBy"],
                      target)

    def test_resource_blocks_and_zones(self):
        self.wait_running("web01")
        self.assertEqual([BLOCKS + "/blade-%d" % s for s in range(1, 5)], self.members(BLOCKS))
        b1 = self.cmcd.json(BLOCKS + "/blade-1")
        self.assertEqual(["Compute"], b1["ResourceBlockType"])
        self.assertEqual("Composed", b1["CompositionStatus"]["CompositionState"])
        self.assertEqual([{"@odata.id": SYSTEMS + "/web01"}], b1["Links"]["ComputerSystems"])
        self.assertEqual([{"@odata.id": "/redfish/v1/Chassis/blade-1"}], b1["Links"]["Chassis"])
        self.assertEqual("Active", b1["Oem"]["OpenCMC"]["Role"])
        self.assertEqual("web01", b1["Oem"]["OpenCMC"]["WhatIf"]["Server"])
        b4 = self.cmcd.json(BLOCKS + "/blade-4")
        self.assertEqual("Unused", b4["CompositionStatus"]["CompositionState"])
        self.assertEqual("Spare", b4["Oem"]["OpenCMC"]["Role"])
        self.assertEqual("Cold", b4["Oem"]["OpenCMC"]["SpareKind"])
        self.assertEqual([{"@odata.id": ZONES + "/spares"}], b4["Links"]["Zones"])
        self.assertEqual([ZONES + "/spares"], self.members(ZONES))
        z = self.cmcd.json(ZONES + "/spares")
        self.assertEqual("ZoneOfResourceBlocks", z["ZoneType"])
        self.assertEqual([{"@odata.id": BLOCKS + "/blade-4"}], z["Links"]["ResourceBlocks"])
        self.assertEqual(4, z["Oem"]["OpenCMC"]["Members"][0]["Slot"])
        self.assertIn("web01", [s["Name"] for s in z["Oem"]["OpenCMC"]["Servers"]])
        for missing in (BLOCKS + "/blade-9", BLOCKS + "/blade-01", BLOCKS + "/chassis", ZONES + "/nope"):
            status, _, body = self.cmcd.get(missing)
            self.assert_error(status, body, 404, "ResourceNotFound")
        cs = self.cmcd.json("/redfish/v1/CompositionService")
        self.assertFalse(cs["AllowOverprovisioning"])
        self.assertFalse(cs["Oem"]["OpenCMC"]["Storm"]["Tripped"])
        cov = {c["Server"]: c for c in cs["Oem"]["OpenCMC"]["Coverage"]}
        self.assertEqual(1, cov["web01"]["Blade"])
        kinds = {p["Name"]: p["Kind"] for p in cs["Oem"]["OpenCMC"]["IdentityPools"]}
        self.assertEqual({"macs": "MAC", "wwpns": "WWPN", "ips": "IPv4", "uuids": "UUID"}, kinds)
        self.assertGreaterEqual(self.pool_used("macs"), 1)

    def test_maintenance_makes_a_spare_unavailable(self):
        act = BLOCKS + "/blade-4/Actions/Oem/OpenCMC.SetMaintenance"
        status, _, body = self.call("POST", act, {"Enabled": "yes"})
        self.assert_error(status, body, 400, "ActionParameterValueTypeError")
        status, _, body = self.call("POST", act, {})
        self.assert_error(status, body, 400, "ActionParameterMissing")
        status, _, body = self.call("POST", act, {"Enabled": True})
        self.assertEqual(200, status, body)
        try:
            b4 = self.cmcd.json(BLOCKS + "/blade-4")
            self.assertTrue(b4["Oem"]["OpenCMC"]["Maintenance"])
            self.assertEqual("Unavailable", b4["CompositionStatus"]["CompositionState"])
        finally:
            status, _, body = self.call("POST", act, {"Enabled": False})
            self.assertEqual(200, status, body)
        self.assertFalse(self.cmcd.json(BLOCKS + "/blade-4")["Oem"]["OpenCMC"]["Maintenance"])
        # Repair of a blade that is not Failed or Quarantined (blade 1 runs web01) is refused.
        self.wait_running("web01")
        status, _, body = self.call("POST", BLOCKS + "/blade-1/Actions/Oem/OpenCMC.Repair")
        self.assert_error(status, body, 409, "ResourceInUse")

    def test_create_bind_task_and_delete(self):
        macs_before = self.pool_used("macs")
        status, headers, body = self.call("POST", SYSTEMS, create_body("web05", blade=2))
        self.assertEqual(201, status, body)
        self.assertEqual(SYSTEMS + "/web05", headers["Location"])
        self.assertEqual("web05", body["Id"])
        self.assertEqual(macs_before + 1, self.pool_used("macs"))
        task = body["Oem"]["OpenCMC"]["ActiveFailover"]
        self.assertIsNotNone(task, body)
        self.assertIn(SYSTEMS + "/web05", self.members(SYSTEMS))
        # The binding is a Task: it runs through the phases and completes.
        t = self.cmcd.json(task["@odata.id"])
        self.assertEqual("Bind", t["Oem"]["OpenCMC"]["Kind"])
        self.assertEqual("web05", t["Oem"]["OpenCMC"]["ServerName"])
        self.assertIn(task["@odata.id"], self.members("/redfish/v1/TaskService/Tasks"))
        done = wait_until(lambda: (lambda t: t if t["TaskState"] != "Running" else None)(
            self.cmcd.json(task["@odata.id"])), timeout=90, interval=0.2, what="bind task ends")
        self.assertEqual("Completed", done["TaskState"], done)
        self.assertEqual("OK", done["TaskStatus"])
        self.assertEqual(100, done["PercentComplete"])
        self.assertIn("EndTime", done)
        self.assertEqual({"@odata.id": BLOCKS + "/blade-2"}, done["Oem"]["OpenCMC"]["ToBlade"])
        phases = [m["MessageArgs"][2] for m in done["Messages"]]
        self.assertEqual("Completed", phases[-1], phases)
        self.assertIn("Verifying", phases)
        self.assertTrue(all(m["MessageId"].endswith(".FailoverPhaseChanged") for m in done["Messages"]))
        self.assertIsNotNone(done["Oem"]["OpenCMC"]["PhaseTimes"]["Verifying"])
        s = self.wait_running("web05")
        self.assertEqual([{"@odata.id": "/redfish/v1/Chassis/blade-2"}], s["Links"]["Chassis"])
        self.assertEqual("Composed", self.cmcd.json(BLOCKS + "/blade-2")["CompositionStatus"]["CompositionState"])
        self.assertEqual(task, s["Oem"]["OpenCMC"]["LastFailover"])

        # Reset's parameter is checked before anything is done.
        status, _, body = self.call("POST", SYSTEMS + "/web05/Actions/ComputerSystem.Reset", {"ResetType": "Bogus"})
        self.assert_error(status, body, 400, "ActionParameterValueNotInList")
        status, _, body = self.call("POST", SYSTEMS + "/web05/Actions/ComputerSystem.Reset", {"Reset": "On"})
        self.assert_error(status, body, 400, "ActionParameterUnknown")

        status, _, body = self.call("DELETE", SYSTEMS + "/web05")
        self.assertEqual(204, status, body)
        status, _, body = self.cmcd.get(SYSTEMS + "/web05")
        self.assert_error(status, body, 404, "ResourceNotFound")
        self.assertNotIn(SYSTEMS + "/web05", self.members(SYSTEMS))
        self.assertEqual(macs_before, self.pool_used("macs"))  # the identity went back to the pools
        status, _, body = self.call("DELETE", SYSTEMS + "/web05")
        self.assert_error(status, body, 404, "ResourceNotFound")

    def test_duplicate_name_is_a_conflict(self):
        status, _, body = self.call("POST", SYSTEMS, create_body("web01"))
        self.assert_error(status, body, 409, "ResourceAlreadyExists")

    def test_duplicate_explicit_mac_is_a_conflict_and_nothing_is_allocated(self):
        mac = self.cmcd.json(SYSTEMS + "/web01")["Oem"]["OpenCMC"]["VNICs"][0]["MACAddress"]
        before = {p: self.pool_used(p) for p in ("macs", "uuids", "wwpns", "ips")}
        body = create_body("web06", PowerState="Off")
        body["Oem"]["OpenCMC"]["VNICs"] = [{"Name": "eth0", "MACAddress": mac.upper()}]
        status, _, err = self.call("POST", SYSTEMS, body)
        self.assert_error(status, err, 409, "PropertyValueExternalConflict")
        related = err["error"]["@Message.ExtendedInfo"][0]["RelatedProperties"]
        self.assertEqual(["#/Oem/OpenCMC/VNICs/0/MACAddress"], related)
        self.assertEqual(before, {p: self.pool_used(p) for p in before})
        status, _, _ = self.cmcd.get(SYSTEMS + "/web06")
        self.assertEqual(404, status)

    def test_unknown_references_are_bad_requests(self):
        cases = [
            (create_body("web07", VNICs=[{"Name": "eth0", "MACPool": "nope"}]), "PropertyValueNotInList",
             "#/Oem/OpenCMC/VNICs/0/MACPool"),
            (create_body("web07", FailoverPolicy={"SparePool": "nope"}), "ResourceMissingAtURI",
             "#/Oem/OpenCMC/FailoverPolicy/SparePool"),
            (create_body("web07", blade=9), "ResourceMissingAtURI", "#/Links/ResourceBlocks/0"),
        ]
        for body, message, related in cases:
            status, _, err = self.call("POST", SYSTEMS, body)
            self.assert_error(status, err, 400, message)
            self.assertEqual([related], err["error"]["@Message.ExtendedInfo"][0]["RelatedProperties"], err)
        status, _, _ = self.cmcd.get(SYSTEMS + "/web07")
        self.assertEqual(404, status)

    def test_bad_bodies_get_dmtf_errors(self):
        status, _, body = self.call("POST", SYSTEMS, raw=b'{"Name": "web08", ')
        self.assert_error(status, body, 400, "MalformedJSON")
        status, _, body = self.call("POST", SYSTEMS, raw=b'["web08"]')
        self.assert_error(status, body, 400, "MalformedJSON")
        bad = create_body("web08", VNICs=[{"Name": "eth0", "MACPool": "macs", "VLAN": "ten"}])
        bad["Flavour"] = "large"
        bad["Oem"]["OpenCMC"]["BootVolume"]["LUN"] = -1
        status, _, body = self.call("POST", SYSTEMS, bad)
        self.assertEqual(400, status, body)
        ids = sorted(m["MessageId"].split(".")[-1] for m in body["error"]["@Message.ExtendedInfo"])
        self.assertEqual(["PropertyUnknown", "PropertyValueOutOfRange", "PropertyValueTypeError"], ids)
        status, _, body = self.call("POST", SYSTEMS, {"Oem": {"OpenCMC": {}}})
        self.assert_error(status, body, 400, "CreateFailedMissingReqProperties")
        status, _, body = self.call("POST", SYSTEMS, create_body("Not_A_Name"))
        self.assert_error(status, body, 400, "PropertyValueFormatError")
        status, _, body = self.call("POST", SYSTEMS, create_body("web08", VNICs=[{"Name": "eth0", "MACAddress": "zz"}]))
        self.assert_error(status, body, 400, "PropertyValueFormatError")
        status, _, _ = self.cmcd.get(SYSTEMS + "/web08")
        self.assertEqual(404, status)

    def test_patch_changes_policy_only(self):
        path = SYSTEMS + "/web01"
        status, _, body = self.call("PATCH", path, {"Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": 7},
                                                                         "Requirements": {"MinCpus": 1}}}})
        self.assertEqual(200, status, body)
        self.assertEqual(7, body["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"])
        self.assertEqual("spares", body["Oem"]["OpenCMC"]["FailoverPolicy"]["SparePool"])
        self.assertEqual(1, body["Oem"]["OpenCMC"]["Requirements"]["MinCpus"])
        self.assertEqual(7, self.cmcd.json(path)["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"])
        status, _, body = self.call("PATCH", path, {"UUID": "4f70656e-434d-4300-8000-000000000999"})
        self.assert_error(status, body, 400, "PropertyNotWritable")
        status, _, body = self.call("PATCH", path, {"Colour": "blue"})
        self.assert_error(status, body, 400, "PropertyUnknown")
        status, _, body = self.call("PATCH", path, {"Oem": {"OpenCMC": {"FailoverPolicy": {"SparePool": "nope"}}}})
        self.assert_error(status, body, 400, "ResourceMissingAtURI")
        status, _, body = self.call("PATCH", path, {"Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": 1}}}},
                                    headers={"If-Match": 'W/"0000000000000000"'})
        self.assert_error(status, body, 412, "PreconditionFailed")
        self.assertEqual(7, self.cmcd.json(path)["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"])
        status, _, body = self.call("PATCH", SYSTEMS + "/web99", {"Oem": {"OpenCMC": {"FailoverPolicy": {}}}})
        self.assert_error(status, body, 404, "ResourceNotFound")

    def test_credentials_are_required(self):
        for method, path, body in (("GET", SYSTEMS, None), ("GET", SYSTEMS + "/web01", None),
                                   ("POST", SYSTEMS, create_body("web09")), ("DELETE", SYSTEMS + "/web01", None),
                                   ("GET", "/redfish/v1/CompositionService", None),
                                   ("GET", "/redfish/v1/TaskService/Tasks", None)):
            status, _, err = self.call(method, path, body, auth=None)
            self.assert_error(status, err, 401, "NoValidSession")
            status, _, err = self.call(method, path, body, auth=(ADMIN[0], "wrong-password"))
            self.assertEqual(401, status, (method, path, err))
        self.assertIn(SYSTEMS + "/web01", self.members(SYSTEMS))  # the unauthenticated DELETE did nothing

    def test_unknown_tasks_are_not_found(self):
        for bad in ("abc", "0", "007", "99999999"):
            status, _, body = self.cmcd.get("/redfish/v1/TaskService/Tasks/" + bad)
            self.assert_error(status, body, 404, "ResourceNotFound")


class MigrateTest(Rack, unittest.TestCase):
    """A planned move on a rack of its own (a failed move would leave its spares quarantined)."""

    def test_migrate_moves_the_identity_to_the_target_blade(self):
        status, _, body = self.call("POST", SYSTEMS, create_body("web05", blade=2))
        self.assertEqual(201, status, body)
        self.wait_running("web05")
        # Migrate answers 202 with the task as Location; the identity moves from
        # blade 2 to blade 3 (fenced first).
        migrate = SYSTEMS + "/web05/Actions/Oem/OpenCMC.Migrate"
        status, _, body = self.call("POST", migrate, {"Target": BLOCKS + "/blade-9"})
        self.assert_error(status, body, 400, "ResourceMissingAtURI")
        status, _, body = self.call("POST", migrate, {"Target": BLOCKS + "/blade-3", "Speed": "fast"})
        self.assert_error(status, body, 400, "ActionParameterUnknown")
        status, headers, body = self.call("POST", migrate, {"Target": {"@odata.id": BLOCKS + "/blade-3"}})
        self.assertEqual(202, status, body)
        self.assertEqual(body["@odata.id"], headers["Location"])
        self.assertEqual("Migrate", body["Oem"]["OpenCMC"]["Kind"])
        status, _, again = self.call("POST", migrate, {})
        self.assert_error(status, again, 409, "ResourceInUse")  # one move at a time
        done = wait_until(lambda: (lambda t: t if t["TaskState"] != "Running" else None)(
            self.cmcd.json(headers["Location"])), timeout=90, interval=0.2, what="migrate task ends")
        # A spare given up on (released) is really off: it must not boot the server's volume.
        for tried in done["Oem"]["OpenCMC"]["TriedBlades"]:
            slot = int(tried["@odata.id"].rsplit("-", 1)[1])
            wait_until(lambda: self.sim.blade(slot)["power"] == "Off", timeout=10,
                       what="released blade %d powered off (%r)" % (slot, self.sim.blade(slot)))
        self.assertEqual("Completed", done["TaskState"], done)
        self.assertEqual({"@odata.id": BLOCKS + "/blade-2"}, done["Oem"]["OpenCMC"]["FromBlade"])
        self.assertEqual({"@odata.id": BLOCKS + "/blade-3"}, done["Oem"]["OpenCMC"]["ToBlade"])
        self.assertIn(done["Oem"]["OpenCMC"]["Fence"], ("PowerOff", "AlreadyOff"))
        s = self.wait_running("web05")
        self.assertEqual([{"@odata.id": "/redfish/v1/Chassis/blade-3"}], s["Links"]["Chassis"])
        mac = s["Oem"]["OpenCMC"]["VNICs"][0]["MACAddress"]
        self.assertEqual(mac, self.sim.blade(3)["nics"][0]["mac"])
        self.assertEqual([], self.sim.get("/sim/v1/invariants")["violations"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
