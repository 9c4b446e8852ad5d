"""cmcd's northbound resources validate against DMTF's Redfish 2025.4 JSON
schemas (the vendored copy in tests/data/redfish-schemas) and their Oem.OpenCMC objects
against the OEM schemas in schemas/redfish/."""
import json
import os
import unittest

import jsonschema

from cmcdlib import FAST, Cmcd, Sim, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
OEM_DIR = os.path.join(HERE, "..", "..", "..", "schemas", "redfish")
# The vendored copy of DMTF's schemas (tests/tools/vendor-schemas.py), so the check never skips.
DMTF_DIR = os.environ.get("CMC_REDFISH_SCHEMAS", os.path.join(HERE, "..", "..", "data", "redfish-schemas"))


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


# A logical server on blade 1 (its bind is a Task) and blade 4 a spare, so that
# the composition resources have something to show.
COMPOSED = dict(FAST)
COMPOSED.update({
    "identityPools": [
        {"name": "macs", "kind": "MAC", "first": "02:00:0a:00:00:01", "last": "02:00:0a:00:00:40"},
        {"name": "wwpns", "kind": "WWPN", "first": "20:00:00:25:b5:00:00:01", "last": "20:00:00:25:b5:00:00:40"},
        {"name": "ips", "kind": "IPv4", "first": "10.0.0.11", "last": "10.0.0.60", "subnet": "10.0.0.0/24",
         "gateway": "10.0.0.1"},
        {"name": "uuids", "kind": "UUID", "prefix": "4f70656e-434d-4300-8000", "first": 1, "last": 4096},
    ],
    "sparePools": [{"name": "spares", "members": [{"slot": 4, "kind": "Warm"}]}],
    "logicalServers": [{
        "name": "web01", "blade": 1, "uuidPool": "uuids",
        "vnics": [{"name": "eth0", "macPool": "macs", "ipPool": "ips", "vlan": 100},
                  {"name": "eth1", "macPool": "macs"}],
        "vhbas": [{"name": "fc0", "wwpnPool": "wwpns"}],
        "bootVolume": {"volume": "web01-boot", "lun": 0},
        "failover": {"sparePool": "spares", "priority": 1, "automatic": True},
    }],
})


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=20)
        status, _, body = cls.sim.api("POST", "/sim/v1/volumes", {"name": "web01-boot", "lun": 0})
        assert status in (200, 201), body
        cls.cmcd = Cmcd(manifest=cls.sim.manifest_path, config=COMPOSED)
        wait_until(lambda: all(cls.cmcd.blade(s)["Oem"]["OpenCMC"]["Inventory"]["CpuCount"] for s in range(1, 5)),
                   timeout=60, what="inventory read")
        wait_until(lambda: cls.cmcd.get("/redfish/v1/Systems/web01")[0] == 200 and
                   cls.cmcd.json("/redfish/v1/Systems/web01")["Oem"]["OpenCMC"]["State"] == "Running",
                   timeout=60, what="web01 running")
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
        self.oem("OpenCMCComputerSystem", self.cmcd.json("/redfish/v1/Systems/web01")["Oem"]["OpenCMC"])
        for slot in (1, 2, 4):  # Active, Failed, Spare
            block = self.cmcd.json("/redfish/v1/CompositionService/ResourceBlocks/blade-%d" % slot)
            self.oem("OpenCMCResourceBlock", block["Oem"]["OpenCMC"])
        self.oem("OpenCMCZone", self.cmcd.json("/redfish/v1/CompositionService/ResourceZones/spares")["Oem"]["OpenCMC"])
        self.oem("OpenCMCCompositionService", self.cmcd.json("/redfish/v1/CompositionService")["Oem"]["OpenCMC"])
        tasks = self.cmcd.json("/redfish/v1/TaskService/Tasks")["Members"]
        self.assertTrue(tasks)
        for t in tasks:
            self.oem("OpenCMCTask", self.cmcd.json(t["@odata.id"])["Oem"]["OpenCMC"])

    def test_oem_schema_rejects_an_unknown_health_state(self):
        obj = self.cmcd.blade(1)["Oem"]["OpenCMC"]
        obj["Health"]["State"] = "Fine"
        with self.assertRaises(jsonschema.ValidationError):
            self.oem("OpenCMCChassis", obj)

    def test_oem_schemas_reject_unknown_states(self):
        system = self.cmcd.json("/redfish/v1/Systems/web01")["Oem"]["OpenCMC"]
        system["State"] = "Sleeping"
        with self.assertRaises(jsonschema.ValidationError):
            self.oem("OpenCMCComputerSystem", system)
        task = self.cmcd.json(self.cmcd.json("/redfish/v1/TaskService/Tasks")["Members"][0]["@odata.id"])
        task["Oem"]["OpenCMC"]["Phase"] = "Pondering"
        with self.assertRaises(jsonschema.ValidationError):
            self.oem("OpenCMCTask", task["Oem"]["OpenCMC"])

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
            ("LogService.v1_9_0.json", "LogService", "/redfish/v1/Managers/cmc/LogServices/EventLog"),
            ("LogService.v1_9_0.json", "LogService", "/redfish/v1/Managers/cmc/LogServices/AuditLog"),
            ("LogEntryCollection.json", "LogEntryCollection", "/redfish/v1/Managers/cmc/LogServices/AuditLog/Entries"),
            ("MessageRegistryFile.v1_1_5.json", "MessageRegistryFile", "/redfish/v1/Registries/Base.1.22.1"),
            ("JsonSchemaFileCollection.json", "JsonSchemaFileCollection", "/redfish/v1/JsonSchemas"),
            ("PowerSubsystem.v1_1_3.json", "PowerSubsystem", "/redfish/v1/Chassis/chassis/PowerSubsystem"),
            ("ThermalSubsystem.v1_5_0.json", "ThermalSubsystem", "/redfish/v1/Chassis/chassis/ThermalSubsystem"),
            ("SensorCollection.json", "SensorCollection", "/redfish/v1/Chassis/chassis/Sensors"),
            ("Sensor.v1_12_0.json", "Sensor", "/redfish/v1/Chassis/chassis/Sensors/InletTemp"),
            ("NetworkDeviceFunction.v1_11_1.json", "NetworkDeviceFunction",
             "/redfish/v1/Chassis/blade-1/NetworkAdapters/NIC/NetworkDeviceFunctions/1"),
            ("NetworkDeviceFunction.v1_11_1.json", "NetworkDeviceFunction",
             "/redfish/v1/Chassis/blade-1/NetworkAdapters/HBA/NetworkDeviceFunctions/1"),
        ]
        for e in self.cmcd.json("/redfish/v1/Managers/cmc/LogServices/AuditLog/Entries")["Members"][:3]:
            cases.append(("LogEntry.v1_21_0.json", "LogEntry", e["@odata.id"]))
        entries = self.cmcd.json("/redfish/v1/Managers/cmc/LogServices/EventLog/Entries")["Members"]
        for e in entries[:5]:
            cases.append(("LogEntry.v1_21_0.json", "LogEntry", e["@odata.id"]))
        cases += [
            ("ComputerSystemCollection.json", "ComputerSystemCollection", "/redfish/v1/Systems"),
            ("ComputerSystem.v1_27_0.json", "ComputerSystem", "/redfish/v1/Systems/web01"),
            ("EthernetInterfaceCollection.json", "EthernetInterfaceCollection",
             "/redfish/v1/Systems/web01/EthernetInterfaces"),
            ("EthernetInterface.v1_12_4.json", "EthernetInterface", "/redfish/v1/Systems/web01/EthernetInterfaces/eth0"),
            ("EthernetInterface.v1_12_4.json", "EthernetInterface", "/redfish/v1/Systems/web01/EthernetInterfaces/eth1"),
            ("CompositionService.v1_2_3.json", "CompositionService", "/redfish/v1/CompositionService"),
            ("ResourceBlockCollection.json", "ResourceBlockCollection",
             "/redfish/v1/CompositionService/ResourceBlocks"),
            ("ZoneCollection.json", "ZoneCollection", "/redfish/v1/CompositionService/ResourceZones"),
            ("Zone.v1_6_3.json", "Zone", "/redfish/v1/CompositionService/ResourceZones/spares"),
            ("TaskService.v1_3_0.json", "TaskService", "/redfish/v1/TaskService"),
            ("TaskCollection.json", "TaskCollection", "/redfish/v1/TaskService/Tasks"),
        ]
        for slot in (1, 2, 4):
            cases.append(("ResourceBlock.v1_4_3.json", "ResourceBlock",
                          "/redfish/v1/CompositionService/ResourceBlocks/blade-%d" % slot))
        for t in self.cmcd.json("/redfish/v1/TaskService/Tasks")["Members"]:
            cases.append(("Task.v1_7_4.json", "Task", t["@odata.id"]))
        for schema_file, definition, path in cases:
            body = self.cmcd.json(path)
            errors = sorted(dmtf_validator(schema_file, definition).iter_errors(body), key=lambda e: list(e.path))
            self.assertEqual([], ["%s: %s" % (list(e.path), e.message) for e in errors], path)
        # The validation has teeth: a wrong enumeration value is caught.
        broken = self.cmcd.json("/redfish/v1/Chassis/blade-1")
        broken["ChassisType"] = "Toaster"
        self.assertTrue(list(dmtf_validator("Chassis.v1_28_0.json", "Chassis").iter_errors(broken)))
        broken = self.cmcd.json("/redfish/v1/Systems/web01")
        broken["SystemType"] = "Imaginary"
        self.assertTrue(list(dmtf_validator("ComputerSystem.v1_27_0.json", "ComputerSystem").iter_errors(broken)))
        broken = self.cmcd.json("/redfish/v1/CompositionService/ResourceBlocks/blade-1")
        broken["CompositionStatus"]["CompositionState"] = "Busy"
        self.assertTrue(list(dmtf_validator("ResourceBlock.v1_4_3.json", "ResourceBlock").iter_errors(broken)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
