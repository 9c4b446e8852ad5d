"""DSP0266 protocol rules on a blade BMC's Redfish service (blade 1 of a
2-blade cmcsim), the same rules as cmcd's (redfish/query.cpp is shared):
OData-Version, the schema Link, Allow, ETag and If-Match, $select, $expand,
$top/$skip, bad query options, 413, PATCH with unknown or read-only
properties beside valid ones, POST to a collection's Members."""
import re
import unittest

from simlib import Sim, assert_dmtf_error

LINK = re.compile(r"^<([^>]+)>; rel=describedby$")
NICS = "/redfish/v1/Chassis/1/NetworkAdapters/NIC/NetworkDeviceFunctions"


class BladeProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=2, speed=50)
        cls.bmc = cls.sim.bmc(1)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def assert_error(self, status, body, want, mid):
        self.assertEqual(want, status, body)
        assert_dmtf_error(self, body, mid)

    def test_odata_version_on_answers_and_412_for_another(self):
        status, headers, _ = self.bmc.call("GET", "/redfish/v1/Systems/1")
        self.assertEqual(200, status)
        self.assertEqual("4.0", headers.get("OData-Version"))
        status, _, body = self.bmc.call("GET", "/redfish/v1/Systems/1", headers={"OData-Version": "5.0"})
        self.assert_error(status, body, 412, "PreconditionFailed")

    def test_link_and_allow_on_reads(self):
        for path, allow in (("/redfish/v1", "GET, HEAD"), ("/redfish/v1/Systems", "GET, HEAD"),
                            ("/redfish/v1/Systems/1", "GET, HEAD, PATCH"), ("/redfish/v1/Chassis/1", "GET, HEAD, PATCH"),
                            (NICS + "/1", "GET, HEAD, PATCH"),
                            ("/redfish/v1/SessionService/Sessions", "GET, HEAD, POST")):
            status, headers, body = self.bmc.call("GET", path)
            self.assertEqual(200, status, (path, body))
            self.assertEqual(allow, headers.get("Allow"), path)
            m = LINK.match(headers.get("Link", ""))
            self.assertTrue(m, (path, headers))
            ns = body["@odata.type"].lstrip("#").rsplit(".", 1)[0]
            self.assertEqual("http://redfish.dmtf.org/schemas/v1/%s.json" % ns, m.group(1))
        status, headers, _ = self.bmc.call("HEAD", "/redfish/v1/Systems/1")
        self.assertEqual(200, status)
        self.assertEqual("GET, HEAD, PATCH", headers["Allow"])
        self.assertIn("ComputerSystem.v1_", headers["Link"])
        status, headers, body = self.bmc.call("DELETE", "/redfish/v1/Systems/1")
        self.assert_error(status, body, 405, "OperationNotAllowed")
        self.assertEqual("GET, HEAD, PATCH", headers["Allow"])

    def test_if_match_on_patch(self):
        path = "/redfish/v1/Chassis/1"
        status, headers, body = self.bmc.call("GET", path)
        etag = headers["ETag"]
        status, _, body = self.bmc.call("PATCH", path, {"LocationIndicatorActive": True},
                                        headers={"If-Match": 'W/"0000000000000000", "1"'})
        self.assert_error(status, body, 412, "PreconditionFailed")
        self.assertFalse(self.bmc.get(path)["LocationIndicatorActive"])
        status, _, body = self.bmc.call("PATCH", path, {"LocationIndicatorActive": True},
                                        headers={"If-Match": '"2", ' + etag[2:]})
        self.assertEqual(200, status, body)
        self.assertTrue(body["LocationIndicatorActive"])
        self.bmc.call("PATCH", path, {"LocationIndicatorActive": False}, headers={"If-Match": "*"})

    def test_if_match_on_delete_of_a_session(self):
        status, headers, body = self.bmc.call("POST", "/redfish/v1/SessionService/Sessions/Members",
                                              {"UserName": self.bmc.username, "Password": self.bmc.password},
                                              auth=False)
        self.assertEqual(201, status, body)
        where = headers["Location"]
        status, _, body = self.bmc.call("DELETE", where, headers={"If-Match": 'W/"0000000000000000"'})
        self.assert_error(status, body, 412, "PreconditionFailed")
        status, _, _ = self.bmc.call("GET", where)
        self.assertEqual(200, status)
        status, _, _ = self.bmc.call("DELETE", where)
        self.assertIn(status, (200, 204))

    def test_select(self):
        status, _, body = self.bmc.call("GET", "/redfish/v1/Systems/1?$select=PowerState,Boot/BootSourceOverrideTarget")
        self.assertEqual(200, status, body)
        self.assertEqual({"@odata.id", "@odata.type", "Id", "Name", "PowerState", "Boot"}, set(body))
        # The selected property with its own annotations.
        self.assertEqual({"BootSourceOverrideTarget", "BootSourceOverrideTarget@Redfish.AllowableValues"},
                         set(body["Boot"]))

    def test_expand_levels(self):
        status, _, body = self.bmc.call("GET", "/redfish/v1/Chassis/1/NetworkAdapters?$expand=.")
        self.assertEqual(200, status, body)
        nic = next(m for m in body["Members"] if m.get("Id") == "NIC")
        self.assertEqual(["@odata.id"], list(nic["NetworkDeviceFunctions"]))
        status, _, body = self.bmc.call("GET", "/redfish/v1/Chassis/1/NetworkAdapters?$expand=.($levels=2)")
        self.assertEqual(200, status, body)
        nic = next(m for m in body["Members"] if m.get("Id") == "NIC")
        functions = nic["NetworkDeviceFunctions"]
        self.assertEqual(len(functions["Members"]), functions["Members@odata.count"])
        self.assertEqual(["@odata.id"], list(functions["Members"][0]))  # the third level stays links
        status, _, body = self.bmc.call("GET", "/redfish/v1/Systems?$expand=*")
        self.assertEqual("1", body["Members"][0]["Id"])

    def test_top_and_skip(self):
        full = self.bmc.get(NICS)
        ids = [m["@odata.id"] for m in full["Members"]]
        self.assertGreaterEqual(len(ids), 2)
        status, _, body = self.bmc.call("GET", NICS + "?$top=1&$skip=1")
        self.assertEqual(200, status, body)
        self.assertEqual(ids[1:2], [m["@odata.id"] for m in body["Members"]])
        self.assertEqual(len(ids), body["Members@odata.count"])
        if len(ids) > 2:
            self.assertEqual(NICS + "?$skip=2&$top=1", body["Members@odata.nextLink"])
        else:
            self.assertNotIn("Members@odata.nextLink", body)

    def test_bad_queries(self):
        for query, status, mid in (("$orderby=Name", 501, "QueryNotSupported"),
                                   ("$filter=Id%20eq%201", 501, "QueryNotSupported"),
                                   ("$top=-1", 400, "QueryParameterOutOfRange"),
                                   ("$top=abc", 400, "QueryParameterValueTypeError"),
                                   ("$expand=bogus", 400, "QueryParameterValueFormatError")):
            got, _, body = self.bmc.call("GET", "/redfish/v1/Systems?" + query)
            self.assert_error(got, body, status, mid)
        status, _, _ = self.bmc.call("GET", "/redfish/v1/Systems?foo=bar")
        self.assertEqual(200, status)

    def test_payload_too_large(self):
        status, _, body = self.bmc.call("PATCH", "/redfish/v1/Systems/1",
                                        raw=b'{"AssetTag":"' + b"x" * (128 * 1024) + b'"}')
        self.assert_error(status, body, 413, "PayloadTooLarge")
        self.assertEqual(200, self.bmc.call("GET", "/redfish/v1/Systems/1")[0])

    def test_patch_partly_bad_applies_the_rest(self):
        path = "/redfish/v1/Systems/1"
        status, _, body = self.bmc.call("PATCH", path, {"Boot": {"BootSourceOverrideTarget": "Pxe", "Colour": 1},
                                                        "UUID": "00000000-0000-0000-0000-000000000000"})
        self.assertEqual(200, status, body)
        self.assertEqual("Pxe", body["Boot"]["BootSourceOverrideTarget"])
        ids = sorted(m["MessageId"].split(".")[-1] for m in body["@Message.ExtendedInfo"])
        self.assertEqual(["PropertyNotWritable", "PropertyUnknown"], ids)
        status, _, body = self.bmc.call("PATCH", path, {"Colour": 1, "UUID": "x"})
        self.assert_error(status, body, 400, "PropertyUnknown")
        status, _, body = self.bmc.call("PATCH", path, {"Colour": 1, "Boot": {"BootSourceOverrideTarget": "Nope"}})
        self.assert_error(status, body, 400, "PropertyValueNotInList")


if __name__ == "__main__":
    unittest.main()
