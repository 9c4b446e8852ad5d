"""cmcd's northbound resources validate against DMTF's Redfish 2025.4 JSON
schemas (../shared/redfish, skipped when absent) and their Oem.OpenCMC objects
against the OEM schemas in schemas/redfish/."""
import json
import os
import unittest

import jsonschema

from cmcdlib import FAST, Cmcd, Sim, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
OEM_DIR = os.path.join(HERE, "..", "..", "..", "schemas", "redfish")
DMTF_DIR = os.environ.get("CMC_REDFISH_SCHEMAS", os.path.join(HERE, "..", "..", "..", "..", "shared", "redfish", "json-schema"))


def dmtf_validator(versioned_file, definition):
    """A validator for #/definitions/<definition> of a DMTF versioned schema, with every
    http://redfish.dmtf.org/schemas/v1/ reference served from the local copy."""
    store = {}
    for name in os.listdir(DMTF_DIR):
        if name.endswith(".json"):
            with open(os.path.join(DMTF_DIR, name)) as f:
                doc = json.load(f)
            store["http://redfish.dmtf.org/schemas/v1/" + name] = doc
            if "$id" in doc:
                store[doc["$id"]] = doc
    latest = {}
    for name in sorted(os.listdir(DMTF_DIR)):
        if ".v" in name and name.endswith(".json"):
            latest[name.split(".v", 1)[0]] = name  # sorted: the last is the newest of equal-length versions

    def fetch(url):
        # The bundle holds the newest version of each schema; older versioned
        # files are subsets of it (DMTF keeps definitions backward compatible).
        name = url.rsplit("/", 1)[-1]
        if url in store:
            return store[url]
        stem = name.split(".v", 1)[0].split(".json")[0]
        if stem in latest:
            return store["http://redfish.dmtf.org/schemas/v1/" + latest[stem]]
        raise KeyError("schema %s is not in %s" % (url, DMTF_DIR))

    base = "http://redfish.dmtf.org/schemas/v1/" + versioned_file
    resolver = jsonschema.RefResolver(base, store[base], store=store, handlers={"http": fetch, "https": fetch})
    return jsonschema.Draft7Validator({"$ref": base + "#/definitions/" + definition}, resolver=resolver)


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=20)
        cls.cmcd = Cmcd(manifest=cls.sim.manifest_path, config=FAST)
        wait_until(lambda: all(cls.cmcd.blade(s)["Oem"]["OpenCMC"]["Inventory"]["CpuCount"] for s in range(1, 5)),
                   timeout=60, what="inventory read")
        cls.sim.inject(2, "power-loss")  # a Failed blade with a last transition and bad signals
        wait_until(lambda: cls.cmcd.health(2) == "Failed", timeout=20, what="slot 2 failed")

    @classmethod
    def tearDownClass(cls):
        cls.cmcd.cleanup()
        cls.sim.stop()

    def oem(self, name, obj):
        with open(os.path.join(OEM_DIR, name + ".v1_0_0.json")) as f:
            jsonschema.validate(obj, json.load(f))

    def test_oem_objects_match_the_oem_schemas(self):
        for slot in (1, 2):
            self.oem("OpenCMCChassis", self.cmcd.blade(slot)["Oem"]["OpenCMC"])
        self.oem("OpenCMCChassis", self.cmcd.json("/redfish/v1/Chassis/chassis")["Oem"]["OpenCMC"])
        self.oem("OpenCMCManager", self.cmcd.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"])
        self.oem("OpenCMCManager", self.cmcd.json("/redfish/v1/Managers/bmc-1")["Oem"]["OpenCMC"])
        self.oem("OpenCMCServiceRoot", self.cmcd.json("/redfish/v1")["Oem"]["OpenCMC"])
        entries = self.sim.bmc(2).get("/redfish/v1/Managers/bmc/LogServices/SEL/Entries")["Members"]
        self.assertTrue(entries)
        for e in entries:
            self.oem("OpenCMCLogEntry", e["Oem"]["OpenCMC"])

    def test_oem_schema_rejects_an_unknown_health_state(self):
        obj = self.cmcd.blade(1)["Oem"]["OpenCMC"]
        obj["Health"]["State"] = "Fine"
        with self.assertRaises(jsonschema.ValidationError):
            self.oem("OpenCMCChassis", obj)

    def test_resources_match_dmtf_schemas(self):
        if not os.path.isdir(DMTF_DIR):
            self.skipTest("DMTF Redfish schemas not found at %s (../shared absent)" % DMTF_DIR)
        cases = [
            ("ServiceRoot.v1_20_0.json", "ServiceRoot", "/redfish/v1"),
            ("Chassis.v1_28_0.json", "Chassis", "/redfish/v1/Chassis/chassis"),
            ("Chassis.v1_28_0.json", "Chassis", "/redfish/v1/Chassis/blade-1"),
            ("Chassis.v1_28_0.json", "Chassis", "/redfish/v1/Chassis/blade-2"),
            ("Manager.v1_24_0.json", "Manager", "/redfish/v1/Managers/cmc"),
            ("Manager.v1_24_0.json", "Manager", "/redfish/v1/Managers/bmc-1"),
        ]
        entries = self.cmcd.json("/redfish/v1/Managers/cmc/LogServices/EventLog/Entries")["Members"]
        for e in entries[:5]:
            cases.append(("LogEntry.v1_21_0.json", "LogEntry", e["@odata.id"]))
        for schema_file, definition, path in cases:
            body = self.cmcd.json(path)
            errors = sorted(dmtf_validator(schema_file, definition).iter_errors(body), key=lambda e: list(e.path))
            self.assertEqual([], ["%s: %s" % (list(e.path), e.message) for e in errors], path)
        # The validation has teeth: a wrong enumeration value is caught.
        broken = self.cmcd.json("/redfish/v1/Chassis/blade-1")
        broken["ChassisType"] = "Toaster"
        self.assertTrue(list(dmtf_validator("Chassis.v1_28_0.json", "Chassis").iter_errors(broken)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
