"""cmcd's resource completeness: the ServiceRoot and what a client discovers
from it (the OData service document, the CSDL $metadata with our OEM
namespaces, the Base and OEM registries, the OEM JSON schemas), the
enclosure's power supplies, fans and sensors as the seat reads them (a PSU
fault injected in cmcsim shows within seconds), each blade's network device
functions with current and permanent addresses, the managers (a BMC's own
Redfish service, cmcd's event and audit logs). Every resource validates
against DMTF's schema at the version it declares, and that version is listed
in $metadata. A real cmcsim rack and a real cmcd."""
import base64
import json
import os
import re
import unittest
import urllib.request
import xml.etree.ElementTree as ET

import jsonschema

from cmcdlib import ADMIN, FAST, Cmcd, Sim, http_call, wait_until
from test_cmcd_schemas import COMPOSED, DMTF_DIR, OEM_DIR, dmtf_validator

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "..", "shared", "redfish")


def beside_schemas(kind):
    """DMTF's CSDL or registries: beside the JSON schemas in use, else in ../shared."""
    here = os.path.join(os.path.dirname(os.path.abspath(DMTF_DIR)), kind)
    return here if os.path.isdir(here) else os.path.join(SHARED, kind)


CSDL_DIR = beside_schemas("csdl")
REGISTRY_DIR = beside_schemas("registries")
EDMX = "{http://docs.oasis-open.org/odata/ns/edmx}"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
ENCL = "/redfish/v1/Chassis/chassis"
AUDIT = "/redfish/v1/Managers/cmc/LogServices/AuditLog"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def create_body(name, blade):
    return {"Name": name,
            "Links": {"ResourceBlocks": [{"@odata.id": "/redfish/v1/CompositionService/ResourceBlocks/blade-%d" % blade}]},
            "Oem": {"OpenCMC": {
                "UuidPool": "uuids",
                "VNICs": [{"Name": "eth0", "MACPool": "macs", "IPv4Pool": "ips"}],
                "VHBAs": [{"Name": "fc0", "WWPNPool": "wwpns"}],
                "BootVolume": {"Volume": name + "-boot", "LUN": 0},
                "FailoverPolicy": {"SparePool": "spares", "Priority": 0, "Automatic": False}}}}


class ResourcesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=20)
        try:
            for vol in ("web01-boot", "web03-boot"):
                status, _, body = cls.sim.api("POST", "/sim/v1/volumes", {"name": vol, "lun": 0})
                assert status in (200, 201), body
            cls.cmcd = Cmcd(manifest=cls.sim.manifest_path, config=COMPOSED)
            wait_until(lambda: all(cls.cmcd.blade(s)["Oem"]["OpenCMC"]["Inventory"]["CpuCount"] for s in range(1, 5)),
                       timeout=60, what="inventory read")
            wait_until(lambda: cls.cmcd.get("/redfish/v1/Systems/web01")[0] == 200 and
                       cls.cmcd.json("/redfish/v1/Systems/web01")["Oem"]["OpenCMC"]["State"] == "Running",
                       timeout=60, what="web01 running")
            wait_until(lambda: len(cls.cmcd.json(ENCL + "/PowerSubsystem/PowerSupplies")["Members"]) == 4,
                       timeout=15, what="the enclosure's power supplies read")
        except BaseException:
            cls.sim.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cmcd.cleanup()
        cls.sim.stop()

    def call(self, method, path, body=None, auth=ADMIN):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.cmcd.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        return http_call(req, 15)

    def raw(self, path, auth=ADMIN):
        """(status, content type, body bytes) without JSON decoding."""
        req = urllib.request.Request(self.cmcd.url + path, method="GET")
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read()

    def metadata(self):
        status, ctype, body = self.raw("/redfish/v1/$metadata", auth=None)
        self.assertEqual(200, status, body[:300])
        self.assertTrue(ctype.startswith("application/xml"), ctype)
        return ET.fromstring(body)

    def declared_namespaces(self):
        return {inc.get("Namespace") for ref in self.metadata().iter(EDMX + "Reference")
                for inc in ref.iter(EDMX + "Include")}

    def validate(self, path, body=None):
        """Validates against DMTF's schema of the declared version; that version is in $metadata."""
        body = body if body is not None else self.cmcd.json(path)
        m = re.match(r"^#(\w+)\.(v\d+_\d+_\d+\.)?(\w+)$", body["@odata.type"])
        self.assertTrue(m, body["@odata.type"])
        ns, version, definition = m.group(1), m.group(2), m.group(3)
        schema_file = ns + ("." + version[:-1] if version else "") + ".json"
        if not os.path.exists(os.path.join(DMTF_DIR, schema_file)):
            self.fail("%s declares %s: no such DMTF schema in %s" % (path, body["@odata.type"], DMTF_DIR))
        errors = sorted(dmtf_validator(schema_file, definition).iter_errors(body), key=lambda e: list(e.path))
        self.assertEqual([], ["%s: %s" % (list(e.path), e.message) for e in errors], path)
        wanted = ns + ("." + version[:-1] if version else "")
        self.assertIn(wanted, self.namespaces, "%s declares %s, which $metadata does not include" % (path, wanted))
        return body

    @classmethod
    def ns_cache(cls, test):
        if not hasattr(cls, "_ns"):
            cls._ns = test.declared_namespaces()
        return cls._ns

    @property
    def namespaces(self):
        return self.ns_cache(self)

    # ---- ServiceRoot, odata, $metadata

    def test_service_root_links_every_service(self):
        status, _, root = self.call("GET", "/redfish/v1", auth=None)
        self.assertEqual(200, status)
        self.validate("/redfish/v1", root)
        for key, uri in {"Systems": "/redfish/v1/Systems", "Chassis": "/redfish/v1/Chassis",
                         "Managers": "/redfish/v1/Managers", "CompositionService": "/redfish/v1/CompositionService",
                         "Tasks": "/redfish/v1/TaskService", "SessionService": "/redfish/v1/SessionService",
                         "AccountService": "/redfish/v1/AccountService", "EventService": "/redfish/v1/EventService",
                         "Registries": "/redfish/v1/Registries", "JsonSchemas": "/redfish/v1/JsonSchemas",
                         "CertificateService": "/redfish/v1/CertificateService"}.items():
            self.assertEqual(uri, root[key]["@odata.id"], key)
        self.assertEqual("/redfish/v1/SessionService/Sessions", root["Links"]["Sessions"]["@odata.id"])
        self.assertRegex(root["UUID"], UUID_RE)
        # The same service UUID every time, and the one the manager hosting the service reports.
        self.assertEqual(root["UUID"], self.call("GET", "/redfish/v1", auth=None)[2]["UUID"])
        self.assertEqual(root["UUID"], self.cmcd.json("/redfish/v1/Managers/cmc")["ServiceEntryPointUUID"])
        pf = root["ProtocolFeaturesSupported"]
        self.assertEqual({"ExpandAll": True, "Levels": True, "Links": True, "NoLinks": True, "MaxLevels": 3},
                         pf["ExpandQuery"])
        self.assertEqual((True, True, False, True, False), (pf["SelectQuery"], pf["TopSkipQuery"],
                                                             pf["FilterQuery"], pf["OnlyMemberQuery"],
                                                             pf["ExcerptQuery"]))
        status, _, body = self.call("GET", "/redfish", auth=None)
        self.assertEqual((200, {"v1": "/redfish/v1/"}), (status, body))

    def test_odata_service_document_is_public_and_lists_every_top_level_resource(self):
        status, _, doc = self.call("GET", "/redfish/v1/odata", auth=None)
        self.assertEqual(200, status, doc)
        self.assertEqual("/redfish/v1/$metadata", doc["@odata.context"])
        urls = {v["name"]: v["url"] for v in doc["value"]}
        root = self.cmcd.json("/redfish/v1")
        for key, link in root.items():
            if isinstance(link, dict) and "@odata.id" in link:
                self.assertEqual(link["@odata.id"], urls.get(key), key)
        self.assertEqual("/redfish/v1/", urls["Service"])
        for name, url in urls.items():
            self.assertEqual("Singleton", next(v["kind"] for v in doc["value"] if v["name"] == name))
            status, _, body = self.call("GET", url)
            self.assertEqual(200, status, (url, body))

    def test_metadata_is_public_csdl_with_our_oem_namespaces(self):
        root = self.metadata()
        self.assertEqual(EDMX + "Edmx", root.tag)
        self.assertEqual("4.0", root.get("Version"))
        refs = {ref.get("Uri"): [i.get("Namespace") for i in ref.iter(EDMX + "Include")]
                for ref in root.iter(EDMX + "Reference")}
        oem_files = sorted(f for f in os.listdir(OEM_DIR) if re.match(r"^OpenCMC\w+\.v\d+_\d+_\d+\.json$", f))
        self.assertTrue(oem_files)
        for f in oem_files:
            family, version = f[:-len(".json")].split(".", 1)
            uri = "/redfish/v1/Schemas/%s_v1.xml" % family
            self.assertIn(uri, refs)
            self.assertIn(family, refs[uri])
            self.assertIn("%s.%s" % (family, version), refs[uri])
        # Each DMTF reference names a namespace DMTF publishes in that file.
        for uri, includes in refs.items():
            if not uri.startswith("http://redfish.dmtf.org/schemas/v1/"):
                continue
            path = os.path.join(CSDL_DIR, uri.rsplit("/", 1)[-1])
            if not os.path.exists(path):
                self.skipTest("DMTF CSDL not found at %s" % CSDL_DIR)
            published = {s.get("Namespace") for s in ET.parse(path).getroot().iter(EDM + "Schema")}
            for ns in includes:
                self.assertIn(ns, published, uri)
        container = [c for c in root.iter(EDM + "EntityContainer")]
        self.assertEqual(1, len(container))
        self.assertTrue(container[0].get("Extends").startswith("ServiceRoot.v1_"))
        # The OEM CSDL it references is served (with credentials only), well-formed,
        # and holds the versioned namespaces.
        status, _, _ = self.raw("/redfish/v1/Schemas/OpenCMCChassis_v1.xml", auth=None)
        self.assertEqual(401, status)
        for uri, includes in refs.items():
            if not uri.startswith("/redfish/v1/Schemas/"):
                continue
            status, ctype, body = self.raw(uri)
            self.assertEqual(200, status, uri)
            self.assertTrue(ctype.startswith("application/xml"), ctype)
            served = {s.get("Namespace") for s in ET.fromstring(body).iter(EDM + "Schema")}
            self.assertEqual(set(includes), served, uri)

    def test_oem_csdl_is_generated_from_the_json_schemas(self):
        import subprocess
        gen = os.path.join(OEM_DIR, "csdl", "generate_csdl.py")
        r = subprocess.run(["/usr/bin/python3", gen, "--check"], capture_output=True, text=True)
        self.assertEqual(0, r.returncode, r.stdout + r.stderr)

    # ---- Registries and JsonSchemas

    def test_registries_serve_base_and_oem(self):
        self.assertEqual(401, self.call("GET", "/redfish/v1/Registries", auth=None)[0])
        coll = self.validate("/redfish/v1/Registries")
        ids = [m["@odata.id"] for m in coll["Members"]]
        self.assertEqual(["/redfish/v1/Registries/Base.1.22.1", "/redfish/v1/Registries/OpenCMC.1.0.0"], ids)
        for uri in ids:
            f = self.validate(uri)
            loc = f["Location"][0]
            reg = self.cmcd.json(loc["Uri"])
            self.assertEqual(f["Id"], reg["Id"])
            self.assertEqual(f["Registry"], "%s.%s" % (reg["RegistryPrefix"], reg["RegistryVersion"].rsplit(".", 1)[0]))
        base = self.cmcd.json("/redfish/v1/Registries/Base.1.22.1")
        self.assertEqual("https://redfish.dmtf.org/registries/Base.1.22.1.json", base["Location"][0]["PublicationUri"])
        served = self.cmcd.json(base["Location"][0]["Uri"])
        shared = os.path.join(REGISTRY_DIR, "Base.1.22.1.json")
        if os.path.exists(shared):
            with open(shared) as fh:
                self.assertEqual(json.load(fh), served)  # DMTF's file, unchanged
        # The error bodies' MessageIds are in the served registry.
        status, _, err = self.call("GET", "/redfish/v1/Chassis/nope")
        self.assertEqual(404, status)
        msg = err["error"]["@Message.ExtendedInfo"][0]["MessageId"]
        self.assertTrue(msg.startswith("Base.1.22."), msg)
        self.assertIn(msg.rsplit(".", 1)[-1], served["Messages"])
        self.assertEqual(404, self.call("GET", "/redfish/v1/Registries/Base.1.22.1/Registry")[0])

    def test_json_schemas_serve_every_oem_schema(self):
        self.assertEqual(401, self.call("GET", "/redfish/v1/JsonSchemas", auth=None)[0])
        coll = self.validate("/redfish/v1/JsonSchemas")
        oem_files = sorted(f for f in os.listdir(OEM_DIR) if re.match(r"^OpenCMC\w+\.v\d+_\d+_\d+\.json$", f))
        self.assertEqual(["/redfish/v1/JsonSchemas/" + f[:-5] for f in oem_files],
                         [m["@odata.id"] for m in coll["Members"]])
        for f in oem_files:
            entry = self.validate("/redfish/v1/JsonSchemas/" + f[:-5])
            family = f.split(".")[0]
            self.assertEqual("#%s.%s" % (f[:-5], family[len("OpenCMC"):]), entry["Schema"])
            with open(os.path.join(OEM_DIR, f)) as fh:
                self.assertEqual(json.load(fh), self.cmcd.json(entry["Location"][0]["Uri"]))
        self.assertEqual(404, self.call("GET", "/redfish/v1/JsonSchemas/Nope.v1_0_0")[0])
        self.assertEqual(404, self.call("GET", "/redfish/v1/Schemas/..%2F..%2Fetc%2Fpasswd")[0])

    # ---- the enclosure

    def test_enclosure_power_thermal_and_sensors(self):
        encl = self.validate(ENCL)
        self.assertEqual("Enclosure", encl["ChassisType"])
        power = self.validate(encl["PowerSubsystem"]["@odata.id"])
        self.assertEqual("NPlusM", power["PowerSupplyRedundancy"][0]["RedundancyType"])
        supplies = self.validate(power["PowerSupplies"]["@odata.id"])
        self.assertEqual(4, supplies["Members@odata.count"])
        for m in supplies["Members"]:
            psu = self.validate(m["@odata.id"])
            self.assertGreater(psu["PowerCapacityWatts"], 0)
            metrics = self.validate(psu["Metrics"]["@odata.id"])
            self.assertIsInstance(metrics["OutputPowerWatts"]["Reading"], (int, float))
            self.validate(metrics["OutputPowerWatts"]["DataSourceUri"])
        thermal = self.validate(encl["ThermalSubsystem"]["@odata.id"])
        fans = self.validate(thermal["Fans"]["@odata.id"])
        self.assertEqual(6, fans["Members@odata.count"])
        for m in fans["Members"]:
            fan = self.validate(m["@odata.id"])
            self.assertGreater(fan["SpeedPercent"]["SpeedRPM"], 0)
            self.assertIsNone(fan["SpeedPercent"]["Reading"])  # no rating from the seat: not made up
        tm = self.validate(thermal["ThermalMetrics"]["@odata.id"])
        self.assertEqual(22.0, tm["TemperatureSummaryCelsius"]["Intake"]["Reading"])
        sensors = self.validate(encl["Sensors"]["@odata.id"])
        ids = [m["@odata.id"].rsplit("/", 1)[-1] for m in sensors["Members"]]
        self.assertIn("InletTemp", ids)
        self.assertIn("TotalPower", ids)
        self.assertEqual(2 + 4 + 6, len(ids))
        for m in sensors["Members"]:
            self.validate(m["@odata.id"])
        inlet = self.cmcd.json(ENCL + "/Sensors/InletTemp")
        self.assertEqual(("Temperature", "Cel", 22.0), (inlet["ReadingType"], inlet["ReadingUnits"], inlet["Reading"]))
        total = self.cmcd.json(ENCL + "/Sensors/TotalPower")
        self.assertEqual("W", total["ReadingUnits"])
        self.assertGreater(total["Reading"], 0)
        self.assertEqual(404, self.call("GET", ENCL + "/PowerSubsystem/PowerSupplies/9")[0])
        self.assertEqual(404, self.call("GET", ENCL + "/PowerSubsystem/PowerSupplies/02")[0])
        self.assertEqual(404, self.call("GET", ENCL + "/Sensors/Bogus")[0])

    def test_psu_fault_shows_within_seconds(self):
        psu2 = ENCL + "/PowerSubsystem/PowerSupplies/2"
        self.assertEqual("OK", self.cmcd.json(psu2)["Status"]["Health"])
        status, _, body = self.sim.api("POST", "/sim/v1/chassis/faults", {"fault": "psu-fault", "psu": 2})
        self.assertIn(status, (200, 201), body)
        try:
            wait_until(lambda: self.cmcd.json(psu2)["Status"]["Health"] == "Critical", timeout=8, interval=0.1,
                       what="PowerSupply 2 Critical")
            self.validate(psu2)
            self.assertEqual("OK", self.cmcd.json(ENCL + "/PowerSubsystem/PowerSupplies/1")["Status"]["Health"])
            power = self.validate(ENCL + "/PowerSubsystem")
            self.assertEqual("Warning", power["PowerSupplyRedundancy"][0]["Status"]["Health"])
            self.assertEqual(0, self.cmcd.json(psu2 + "/Metrics")["OutputPowerWatts"]["Reading"])
            self.assertEqual("Warning", self.cmcd.json(ENCL)["Status"]["HealthRollup"])
        finally:
            self.sim.api("DELETE", "/sim/v1/chassis/faults/psu-fault")
        wait_until(lambda: self.cmcd.json(psu2)["Status"]["Health"] == "OK", timeout=8, interval=0.1,
                   what="PowerSupply 2 OK again")

    def test_unread_seat_shows_null_not_made_up_values(self):
        # A cmcd whose seat does not answer (nothing listens there): the sensors exist
        # with null readings, no supply or fan is invented, and all of it still validates.
        other = Cmcd(config={"fabricUrl": "http://127.0.0.1:9"})
        try:
            wait_until(lambda: "enclosure readings unavailable" in other.read_log(), timeout=10,
                       what="the failed enclosure read")
            for path in (ENCL, ENCL + "/PowerSubsystem", ENCL + "/PowerSubsystem/PowerSupplies",
                         ENCL + "/ThermalSubsystem", ENCL + "/ThermalSubsystem/Fans",
                         ENCL + "/ThermalSubsystem/ThermalMetrics", ENCL + "/Sensors", ENCL + "/Sensors/InletTemp",
                         ENCL + "/Sensors/TotalPower"):
                status, _, body = http_call(urllib.request.Request(
                    other.url + path, headers={"Authorization": "Basic " + base64.b64encode(
                        ("%s:%s" % ADMIN).encode()).decode()}), 10)
                self.assertEqual(200, status, (path, body))
                self.validate(path, body)
                if path.endswith(("PowerSupplies", "Fans")):
                    self.assertEqual(0, body["Members@odata.count"], path)
                if "/Sensors/" in path:
                    self.assertIsNone(body["Reading"], path)
                    self.assertIsNone(body["Status"]["Health"], path)
                if path.endswith("PowerSubsystem"):
                    self.assertIsNone(body["Status"]["Health"])
                    self.assertIsNone(body["CapacityWatts"])
        finally:
            other.cleanup()

    # ---- blades

    def test_blade_functions_show_current_beside_permanent_addresses(self):
        blade = self.validate("/redfish/v1/Chassis/blade-1")
        self.assertEqual("Slot", blade["Location"]["PartLocation"]["LocationType"])
        self.assertEqual(ENCL, blade["Links"]["ContainedBy"]["@odata.id"])
        adapters = self.validate(blade["NetworkAdapters"]["@odata.id"])
        self.assertEqual(["NIC", "HBA"], [m["@odata.id"].rsplit("/", 1)[-1] for m in adapters["Members"]])
        for m in adapters["Members"]:
            self.validate(m["@odata.id"])
            self.validate(m["@odata.id"] + "/NetworkDeviceFunctions")
        nic = self.validate(blade["NetworkAdapters"]["@odata.id"] + "/NIC/NetworkDeviceFunctions/1")
        eth0 = self.cmcd.json("/redfish/v1/Systems/web01/EthernetInterfaces/eth0")
        self.assertEqual(eth0["MACAddress"].lower(), nic["Ethernet"]["MACAddress"].lower())
        self.assertTrue(nic["Ethernet"]["MACAddress"].lower().startswith("02:00:0a:00:00:"), nic)
        self.assertNotEqual(nic["Ethernet"]["MACAddress"].lower(), nic["Ethernet"]["PermanentMACAddress"].lower())
        hba = self.validate(blade["NetworkAdapters"]["@odata.id"] + "/HBA/NetworkDeviceFunctions/1")
        self.assertTrue(hba["FibreChannel"]["WWPN"].lower().startswith("20:00:00:25:b5:00:00:"), hba)
        self.assertNotEqual(hba["FibreChannel"]["WWPN"].lower(), hba["FibreChannel"]["PermanentWWPN"].lower())
        # A blade that runs no server: current equals permanent.
        spare = self.cmcd.json("/redfish/v1/Chassis/blade-2/NetworkAdapters/NIC/NetworkDeviceFunctions/1")
        self.assertEqual(spare["Ethernet"]["PermanentMACAddress"], spare["Ethernet"]["MACAddress"])
        for bad in ("/redfish/v1/Chassis/blade-1/NetworkAdapters/GPU",
                    "/redfish/v1/Chassis/blade-1/NetworkAdapters/NIC/NetworkDeviceFunctions/0",
                    "/redfish/v1/Chassis/blade-1/NetworkAdapters/NIC/NetworkDeviceFunctions/99",
                    "/redfish/v1/Chassis/blade-9/NetworkAdapters",
                    "/redfish/v1/Chassis/chassis/NetworkAdapters"):
            self.assertEqual(404, self.call("GET", bad)[0], bad)

    # ---- managers

    def test_managers_bmc_remote_service_and_cmc_logs(self):
        coll = self.validate("/redfish/v1/Managers")
        self.assertEqual(5, coll["Members@odata.count"])
        cmc = self.validate("/redfish/v1/Managers/cmc")
        self.assertEqual("EnclosureManager", cmc["ManagerType"])
        self.assertEqual(ENCL, cmc["Links"]["ManagerForChassis"][0]["@odata.id"])
        self.assertEqual(4, len(cmc["Links"]["ManagerForManagers"]))
        with open(self.sim.manifest_path) as fh:
            manifest = json.load(fh)
        for entry in manifest["blades"]:
            bmc = self.validate("/redfish/v1/Managers/bmc-%d" % entry["slot"])
            self.assertEqual("BMC", bmc["ManagerType"])
            url = entry["redfish"]["url"].rstrip("/")
            self.assertEqual(url + "/redfish/v1", bmc["RemoteRedfishServiceUri"])
            text = json.dumps(bmc)
            self.assertNotIn(entry["redfish"]["password"], text)
            self.assertNotIn("@" + url.split("://", 1)[1], text)
        services = self.validate("/redfish/v1/Managers/cmc/LogServices")
        self.assertEqual(["/redfish/v1/Managers/cmc/LogServices/EventLog", AUDIT],
                         [m["@odata.id"] for m in services["Members"]])
        self.validate("/redfish/v1/Managers/cmc/LogServices/EventLog")
        audit = self.validate(AUDIT)
        self.assertEqual("OEM", audit["LogEntryType"])

    def test_audit_log_lists_a_logical_server_creation(self):
        status, _, body = self.call("POST", "/redfish/v1/Systems", create_body("web03", blade=3))
        self.assertIn(status, (201, 202), body)

        def created():
            entries = self.cmcd.json(AUDIT + "/Entries")["Members"]
            return [e for e in entries if e["Oem"]["OpenCMC"]["Audit"]["Action"] == "CreateLogicalServer" and
                    e["Oem"]["OpenCMC"]["Audit"]["Subject"] == "web03"]
        found = wait_until(created, timeout=10, what="the creation of web03 in the audit log")
        e = found[0]
        self.assertEqual("admin", e["Oem"]["OpenCMC"]["Audit"]["Who"])
        self.assertEqual("admin", e["Username"])
        self.assertEqual("Oem", e["EntryType"])
        self.assertIn("web03", e["Message"])
        self.validate(e["@odata.id"])
        with open(os.path.join(OEM_DIR, "OpenCMCLogEntry.v1_1_0.json")) as fh:
            jsonschema.validate(e["Oem"]["OpenCMC"], json.load(fh))
        self.assertEqual(e, self.cmcd.json(e["@odata.id"]))
        # $top/$skip like the event log.
        page = self.validate(AUDIT + "/Entries?$top=1&$skip=0")
        total = page["Members@odata.count"]
        self.assertGreaterEqual(total, 1)
        self.assertEqual(1, len(page["Members"]))
        if total > 1:
            self.assertEqual(AUDIT + "/Entries?$skip=1&$top=1", page["Members@odata.nextLink"])
        last = self.cmcd.json(AUDIT + "/Entries?$skip=%d" % (total - 1))
        self.assertEqual(1, len(last["Members"]))
        self.assertNotIn("Members@odata.nextLink", last)
        self.assertEqual(400, self.call("GET", AUDIT + "/Entries?$top=x")[0])
        self.assertEqual(404, self.call("GET", AUDIT + "/Entries/999999")[0])
        self.assertEqual(404, self.call("GET", AUDIT + "/Entries/abc")[0])
        self.assertEqual(401, self.call("GET", AUDIT + "/Entries", auth=None)[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
