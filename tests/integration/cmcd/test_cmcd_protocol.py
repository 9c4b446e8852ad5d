"""DSP0266 protocol rules on cmcd's northbound API, against a real cmcsim rack
and cmcd: OData-Version, the schema Link, Allow, ETag and If-Match on PATCH
and DELETE, $select, $expand, $top/$skip, bad query options, 413, PATCH with
unknown or read-only properties beside valid ones, POST to a collection's
Members. Plain HTTP (urllib)."""
import base64
import json
import re
import socket
import unittest

from cmcdlib import ADMIN
from simlib import assert_dmtf_error
from test_cmcd_composition import SYSTEMS, Rack, create_body

CHASSIS = "/redfish/v1/Chassis"
LINK = re.compile(r"^<([^>]+)>; rel=describedby$")


class ProtocolTest(Rack, unittest.TestCase):
    def test_odata_version_on_answers_and_412_for_another(self):
        status, headers, _ = self.call("GET", CHASSIS)
        self.assertEqual(200, status)
        self.assertEqual("4.0", headers.get("OData-Version"))
        status, headers, _ = self.call("GET", "/redfish/v1/Nothing")
        self.assertEqual(404, status)
        self.assertEqual("4.0", headers.get("OData-Version"))
        status, _, body = self.call("GET", CHASSIS, headers={"OData-Version": "4.01"})
        self.assert_error(status, body, 412, "PreconditionFailed")
        status, _, _ = self.call("GET", CHASSIS, headers={"OData-Version": "4.0"})
        self.assertEqual(200, status)

    def test_link_and_allow_on_reads(self):
        for path in ("/redfish/v1", CHASSIS, CHASSIS + "/blade-1", SYSTEMS + "/web01"):
            status, headers, body = self.call("GET", path)
            self.assertEqual(200, status, (path, body))
            m = LINK.match(headers.get("Link", ""))
            self.assertTrue(m, (path, headers))
            ns = body["@odata.type"].lstrip("#").rsplit(".", 1)[0]
            self.assertEqual("http://redfish.dmtf.org/schemas/v1/%s.json" % ns, m.group(1))
            self.assertIn("GET", headers.get("Allow", ""), path)
            self.assertIn("HEAD", headers.get("Allow", ""), path)
        _, headers, _ = self.call("GET", SYSTEMS)
        self.assertEqual("GET, HEAD, POST", headers["Allow"])
        status, headers, _ = self.call("HEAD", SYSTEMS + "/web01")
        self.assertEqual(200, status)
        self.assertEqual("DELETE, GET, HEAD, PATCH", headers["Allow"])
        self.assertIn("ComputerSystem.v1_", headers["Link"])
        status, headers, body = self.call("PUT", SYSTEMS + "/web01", {})
        self.assert_error(status, body, 405, "OperationNotAllowed")
        self.assertEqual("DELETE, GET, HEAD, PATCH", headers["Allow"])

    def test_if_match_guards_patch_and_delete(self):
        path = SYSTEMS + "/web01"
        status, headers, body = self.call("GET", path)
        etag = headers["ETag"]
        self.assertTrue(etag.startswith('W/"'), etag)
        prio = body["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"]
        patch = {"Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": prio + 1}}}}
        for stale in ('W/"0000000000000000"', '"0000000000000000", W/"1"'):
            status, _, body = self.call("PATCH", path, patch, headers={"If-Match": stale})
            self.assert_error(status, body, 412, "PreconditionFailed")
            status, _, body = self.call("DELETE", path, headers={"If-Match": stale})
            self.assert_error(status, body, 412, "PreconditionFailed")
        self.assertEqual(prio, self.cmcd.json(path)["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"])
        # The current tag, in its strong form inside a list, lets the write through.
        status, headers, body = self.call("PATCH", path, patch, headers={"If-Match": '"x", ' + etag[2:]})
        self.assertEqual(200, status, body)
        self.assertEqual(prio + 1, body["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"])
        self.assertNotEqual(etag, headers["ETag"])
        # A deletable server: DELETE with a stale tag keeps it, with its tag removes it.
        status, headers, body = self.call("POST", SYSTEMS + "/Members", create_body("web05"))
        self.assertEqual(201, status, body)
        where = headers["Location"]
        self.assertTrue(where.endswith("/Systems/web05"), where)
        status, _, body = self.call("DELETE", where, headers={"If-Match": 'W/"0000000000000000"'})
        self.assert_error(status, body, 412, "PreconditionFailed")
        self.wait_running("web05")  # a server being bound refuses a DELETE (409) whatever its tag
        status, _, body = self.call("DELETE", where, headers={"If-Match": "*"})
        self.assertIn(status, (200, 202, 204), body)
        self.assertEqual(404, self.call("GET", where)[0])

    def test_select(self):
        status, _, body = self.call("GET", SYSTEMS + "/web01?$select=Name,Status/Health")
        self.assertEqual(200, status, body)
        self.assertEqual({"@odata.id", "@odata.type", "Id", "Name", "Status"}, set(k for k in body if k != "@odata.etag"))
        self.assertEqual(["Health"], list(body["Status"]))

    def test_expand_levels(self):
        self.wait_running("web01")  # bound: Links.Chassis names its blade
        status, _, body = self.call("GET", CHASSIS + "?$expand=.")
        self.assertEqual(200, status, body)
        blades = [m for m in body["Members"] if m.get("Id", "").startswith("blade-")]
        self.assertEqual(4, len(blades), body["Members"])
        self.assertEqual(len(body["Members"]), body["Members@odata.count"])
        adapters = blades[0]["NetworkAdapters"]
        self.assertEqual(["@odata.id"], list(adapters))  # one level: the blade's own links stay links
        self.assertEqual({"@odata.id"}, set(blades[0]["Links"]["ContainedBy"]))
        status, _, body = self.call("GET", CHASSIS + "?$expand=.($levels=2)")
        self.assertEqual(200, status, body)
        blade = next(m for m in body["Members"] if m.get("Id") == "blade-1")
        self.assertIn("Members", blade["NetworkAdapters"])
        self.assertEqual({"@odata.id"}, set(blade["Links"]["ContainedBy"]))  # "." never follows Links
        status, _, body = self.call("GET", SYSTEMS + "/web01?$expand=~")
        self.assertEqual(200, status, body)
        self.assertEqual("blade-1", body["Links"]["Chassis"][0]["Id"])

    def test_repeated_reads_follow_every_change(self):
        # cmcd answers a repeated GET from what it sent before while nothing
        # changed (a server, a selected one, an expanded collection):
        # each change must show in the very next read of every form.
        path = SYSTEMS + "/web01"
        forms = [path, path + "?$select=Oem", SYSTEMS + "?$expand=.", SYSTEMS + "?$expand=.($levels=2)"]

        def priorities():
            out = []
            for form in forms:
                for _ in range(2):  # the second read of each form is the one a cache would answer
                    status, headers, body = self.call("GET", form)
                    self.assertEqual(200, status, body)
                    server = body if "Members" not in body else next(m for m in body["Members"] if m["Id"] == "web01")
                    out.append(server["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"])
            return out

        before = priorities()
        self.assertEqual(1, len(set(before)), before)
        for step in (1, 2):
            patch = {"Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": before[0] + step}}}}
            status, _, body = self.call("PATCH", path, patch)
            self.assertEqual(200, status, body)
            self.assertEqual([before[0] + step] * len(before), priorities())

    def test_top_and_skip(self):
        full = self.cmcd.json(CHASSIS)
        ids = [m["@odata.id"] for m in full["Members"]]
        status, _, body = self.call("GET", CHASSIS + "?$top=2&$skip=1")
        self.assertEqual(200, status, body)
        self.assertEqual(ids[1:3], [m["@odata.id"] for m in body["Members"]])
        self.assertEqual(len(ids), body["Members@odata.count"])
        self.assertEqual(CHASSIS + "?$skip=3&$top=2", body["Members@odata.nextLink"])
        status, _, page = self.call("GET", body["Members@odata.nextLink"])
        self.assertEqual(ids[3:5], [m["@odata.id"] for m in page["Members"]])
        status, _, body = self.call("GET", CHASSIS + "?$skip=100")
        self.assertEqual([], body["Members"])

    def test_bad_queries(self):
        for query, status, mid in (("$orderby=Name", 501, "QueryNotSupported"),
                                   ("$filter=Id%20eq%20'x'", 501, "QueryNotSupported"),
                                   ("$top=-1", 400, "QueryParameterOutOfRange"),
                                   ("$top=abc", 400, "QueryParameterValueTypeError"),
                                   ("$skip=1.5", 400, "QueryParameterValueTypeError"),
                                   ("$expand=bogus", 400, "QueryParameterValueFormatError"),
                                   ("$select=", 400, "QueryParameterValueFormatError")):
            got, _, body = self.call("GET", CHASSIS + "?" + query)
            self.assert_error(got, body, status, mid)
        status, _, _ = self.call("GET", CHASSIS + "?foo=bar")
        self.assertEqual(200, status)

    def test_payload_too_large(self):
        # The answer comes once the headers announce too much: send only the start of the body.
        host, port = self.cmcd.url.split("//", 1)[1].split(":")
        auth = base64.b64encode(("%s:%s" % ADMIN).encode()).decode()
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(("POST %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Basic %s\r\n"
                       "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                       % (SYSTEMS, host, port, auth, 2 * 1024 * 1024)).encode() + b'{"Name":"' + b"x" * 4096)
            raw = b""
            while b"\r\n\r\n" not in raw or len(raw.split(b"\r\n\r\n", 1)[1]) < self._length(raw):
                chunk = s.recv(65536)
                if not chunk:
                    break
                raw += chunk
        head, body = raw.split(b"\r\n\r\n", 1)
        self.assertIn(b" 413 ", head.split(b"\r\n")[0])
        assert_dmtf_error(self, json.loads(body), "PayloadTooLarge")
        self.assertEqual(200, self.call("GET", SYSTEMS)[0])  # still serving

    @staticmethod
    def _length(raw):
        m = re.search(rb"(?i)content-length: *([0-9]+)", raw)
        return int(m.group(1)) if m else 0

    def test_patch_partly_bad_applies_the_rest(self):
        path = SYSTEMS + "/web01"
        prio = self.cmcd.json(path)["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"]
        status, _, body = self.call("PATCH", path, {"Colour": "blue", "UUID": "4f70656e-434d-4300-8000-000000000999",
                                                    "Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": prio + 2}}}})
        self.assertEqual(200, status, body)
        self.assertEqual(prio + 2, body["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"])
        ids = sorted(m["MessageId"].split(".")[-1] for m in body["@Message.ExtendedInfo"])
        self.assertEqual(["PropertyNotWritable", "PropertyUnknown"], ids)
        # All bad: nothing applies.
        status, _, body = self.call("PATCH", path, {"Colour": "blue", "UUID": "x"})
        self.assert_error(status, body, 400, "PropertyUnknown")
        # A bad value fails the whole request.
        status, _, body = self.call("PATCH", path, {"Colour": "blue",
                                                    "Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": "high"}}}})
        self.assert_error(status, body, 400, "PropertyValueTypeError")
        self.assertEqual(prio + 2, self.cmcd.json(path)["Oem"]["OpenCMC"]["FailoverPolicy"]["Priority"])

    def test_post_to_members_logs_in(self):
        status, headers, body = self.call("POST", "/redfish/v1/SessionService/Sessions/Members",
                                          {"UserName": "admin", "Password": "integration-test-pw"}, auth=None)
        self.assertEqual(201, status, body)
        self.assertIn("/redfish/v1/SessionService/Sessions/", headers["Location"])
        self.assertTrue(headers.get("X-Auth-Token"))
        status, _, _ = self.call("DELETE", headers["Location"], auth=None,
                                 headers={"X-Auth-Token": headers["X-Auth-Token"]})
        self.assertIn(status, (200, 204))


if __name__ == "__main__":
    unittest.main()
