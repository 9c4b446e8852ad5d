"""The validating client's checks have teeth (no process started): the
vendored DMTF schemas load, valid bodies pass, and each kind of violation
rfcheck promises to catch is caught."""
import copy
import os
import unittest

import rfcheck

SYSTEM = {
    "@odata.id": "/redfish/v1/Systems/web01", "@odata.type": "#ComputerSystem.v1_22_0.ComputerSystem",
    "Id": "web01", "Name": "web01", "SystemType": "Composed", "PowerState": "On",
    "Status": {"State": "Enabled", "Health": "OK"},
    "Links": {"Chassis": [{"@odata.id": "/redfish/v1/Chassis/blade-1"}]},
}
ERROR = {"error": {"code": "Base.1.22.1.ResourceNotFound", "message": "not found", "@Message.ExtendedInfo": [
    {"@odata.type": "#Message.v1_2_0.Message", "MessageId": "Base.1.22.1.ResourceNotFound",
     "Message": "not found", "MessageArgs": ["a", "b"], "MessageSeverity": "Critical", "Resolution": "None."}]}}


class RfcheckTest(unittest.TestCase):
    def setUp(self):
        self.c = rfcheck.Checker()

    def errors(self, body, path="/redfish/v1/Systems/web01", status=200):
        return self.c.check(body, path, "GET", status)

    def test_vendored_schemas_are_present_and_small(self):
        files = os.listdir(rfcheck.DMTF_DIR)
        self.assertIn("LICENSE.md", files)
        size = sum(os.path.getsize(os.path.join(rfcheck.DMTF_DIR, f)) for f in files)
        self.assertLess(size, 5 * 1024 * 1024, "the vendored copy stays a few MB")

    def test_valid_bodies_pass(self):
        self.assertEqual([], self.errors(SYSTEM))
        self.assertEqual([], self.errors(ERROR, status=404))
        coll = {"@odata.id": "/redfish/v1/Systems", "@odata.type": "#ComputerSystemCollection.ComputerSystemCollection",
                "Name": "Systems", "Members": [{"@odata.id": "/redfish/v1/Systems/web01"}], "Members@odata.count": 1}
        self.assertEqual([], self.errors(coll, "/redfish/v1/Systems"))
        self.assertEqual([], self.errors({"v1": "/redfish/v1/"}, "/redfish"))

    def test_violations_are_caught(self):
        cases = {
            "wrong enum": dict(SYSTEM, SystemType="Imaginary"),
            "unknown property": dict(SYSTEM, Colour="blue"),
            "missing Id": {k: v for k, v in SYSTEM.items() if k != "Id"},
            "unpublished version": dict(SYSTEM, **{"@odata.type": "#ComputerSystem.v1_99_0.ComputerSystem"}),
            "added later": dict(SYSTEM, LastResetTime="2026-01-01T00:00:00Z",
                                **{"@odata.type": "#ComputerSystem.v1_11_0.ComputerSystem"}),
            "enum value added later": dict(SYSTEM, **{"@odata.type": "#ComputerSystem.v1_3_0.ComputerSystem"}),
            "no @odata.type": {k: v for k, v in SYSTEM.items() if k != "@odata.type"},
            "wrong @odata.id": dict(SYSTEM, **{"@odata.id": "/redfish/v1/Systems/other"}),
            "bad Oem": dict(SYSTEM, Oem={"OpenCMC": {"@odata.type": "#OpenCMCComputerSystem.v1_0_0.ComputerSystem",
                                                     "State": "Sleeping"}}),
            "Oem without type": dict(SYSTEM, Oem={"OpenCMC": {"State": "Running"}}),
        }
        for what, body in cases.items():
            self.assertTrue(self.errors(body), what)
        coll = {"@odata.id": "/redfish/v1/Systems", "@odata.type": "#ComputerSystemCollection.ComputerSystemCollection",
                "Name": "Systems", "Members": [], "Members@odata.count": 3}
        self.assertTrue(self.errors(coll, "/redfish/v1/Systems"), "a wrong count")
        bad = copy.deepcopy(ERROR)
        bad["error"]["@Message.ExtendedInfo"] = []
        self.assertTrue(self.errors(bad, status=400), "an error without messages")
        self.assertTrue(self.errors(SYSTEM, status=500), "an error status without an error body")
        bad = copy.deepcopy(ERROR)
        bad["error"]["extra"] = 1
        self.assertTrue(self.errors(bad, status=400), "an error body with an unknown property")


if __name__ == "__main__":
    unittest.main(verbosity=2)
