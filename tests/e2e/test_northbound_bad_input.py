"""Bad input to cmcd's northbound API on cmcsim + cmcd (nblib): malformed JSON,
wrong types, huge bodies (413), deep nesting, unknown properties, path
traversal and encoded separators, bad query parameters, bad headers. Each is
answered with a DMTF error body (validated by rfcheck), cmcd keeps serving
(checked after every test) and nothing is half-written: a refused POST
creates no logical server, a refused PATCH changes nothing."""
import json
import socket
import unittest

from nblib import NorthboundTestBase

SYSTEMS = "/redfish/v1/Systems"
WEB01 = SYSTEMS + "/web01"


def message_ids(r):
    return [m["MessageId"].split(".")[-1] for m in r.json["error"]["@Message.ExtendedInfo"]]


class NorthboundBadInputTest(NorthboundTestBase):
    def setUp(self):
        self.systems = self.members(SYSTEMS)
        self.web01 = self.admin.json(WEB01)

    def tearDown(self):
        super().tearDown()
        self.assertEqual(self.members(SYSTEMS), self.systems, "no logical server created or deleted")
        after = self.admin.json(WEB01)
        for key in ("Oem", "Links", "UUID", "Name"):
            if key == "Oem":
                a, b = after["Oem"]["OpenCMC"], self.web01["Oem"]["OpenCMC"]
                for k in ("FailoverPolicy", "Requirements", "VNICs", "VHBAs", "BootVolume"):
                    self.assertEqual(a.get(k), b.get(k), "web01's %s unchanged" % k)
            else:
                self.assertEqual(after.get(key), self.web01.get(key), "web01's %s unchanged" % key)

    def members(self, uri):
        return sorted(m["@odata.id"] for m in self.admin.json(uri)["Members"])

    def refused(self, r, status, *ids):
        self.assertEqual(r.status, status, r)
        got = message_ids(r)
        if ids:
            self.assertTrue(set(ids) & set(got), "one of %s in %s" % (ids, got))
        return got

    def test_malformed_json(self):
        for raw in [b"{", b"[1,2]", b"\xff\xfe", b'{"Name": }', b"null", b'{"Name": "x",}', b"", b'{"a":1}{"b":2}',
                    b'"just a string"', b'{"Name": "\\ud800"}']:
            for method, uri in (("POST", SYSTEMS), ("PATCH", WEB01)):
                r = self.admin.request(method, uri, raw=raw)
                self.assertIn(r.status, (400, 415), (method, raw, r))
                self.assertTrue(message_ids(r), raw)

    def test_wrong_types(self):
        self.refused(self.admin.post(SYSTEMS, {"Name": 5}), 400, "PropertyValueTypeError")
        self.refused(self.admin.post(SYSTEMS, {"Name": "bad01", "Links": "blade-9"}), 400,
                     "PropertyValueTypeError", "PropertyValueFormatError")
        self.refused(self.admin.patch(WEB01, {"Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": "high"}}}}), 400,
                     "PropertyValueTypeError")
        self.refused(self.admin.patch(WEB01, {"Oem": {"OpenCMC": {"FailoverPolicy": {"Automatic": "yes"}}}}), 400,
                     "PropertyValueTypeError")
        self.refused(self.admin.patch(WEB01, {"Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": 10 ** 30}}}}), 400,
                     "PropertyValueTypeError", "PropertyValueOutOfRange")
        self.refused(self.admin.patch(WEB01, {"Oem": "OpenCMC"}), 400, "PropertyValueTypeError")
        self.refused(self.admin.post(WEB01 + "/Actions/ComputerSystem.Reset", {"ResetType": 1}), 400,
                     "ActionParameterValueTypeError")
        self.refused(self.admin.post(WEB01 + "/Actions/ComputerSystem.Reset", {"ResetType": "Explode"}), 400,
                     "ActionParameterValueNotInList")
        self.refused(self.admin.post(WEB01 + "/Actions/ComputerSystem.Reset", {}), 400, "ActionParameterMissing")
        self.assertEqual(self.nb.rack.blade(1)["power"], "On")

    def test_unknown_and_read_only_properties(self):
        self.refused(self.admin.patch(WEB01, {"Bogus": 1}), 400, "PropertyUnknown")
        self.refused(self.admin.patch(WEB01, {"UUID": "00000000-0000-0000-0000-000000000000"}), 400,
                     "PropertyNotWritable")
        r = self.admin.patch(WEB01, {"Oem": {"OpenCMC": {"FailoverPolicy": {"Colour": "red"}}}})
        self.assertIn(r.status, (200, 400), r)  # nothing applicable: 400 wanted; 200 names it at least
        infos = r.json["error"]["@Message.ExtendedInfo"] if r.status == 400 else r.json["@Message.ExtendedInfo"]
        self.assertIn("PropertyUnknown", [m["MessageId"].split(".")[-1] for m in infos])
        self.refused(self.admin.post(SYSTEMS, {"Name": "bad02", "Bogus": 1}), 400, "PropertyUnknown")
        # Partly bad: the good part applies, the bad one is reported (DSP0266) - or all is refused.
        r = self.admin.patch(WEB01, {"Bogus": 1, "Oem": {"OpenCMC": {"FailoverPolicy": {
            "Priority": self.web01["Oem"]["OpenCMC"]["FailoverPolicy"].get("Priority", 0)}}}})
        self.assertIn(r.status, (200, 400), r)

    def test_huge_body_is_413(self):
        huge = b'{"Name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
        for method, uri in (("POST", SYSTEMS), ("PATCH", WEB01), ("POST", "/redfish/v1/SessionService/Sessions")):
            r = self.admin.request(method, uri, raw=huge, timeout=30)
            self.refused(r, 413, "PayloadTooLarge")

    def test_deep_nesting(self):
        for raw in [b"[" * 10000 + b"]" * 10000, b'{"a":' * 10000 + b"1" + b"}" * 10000,
                    b'{"Oem": ' + b"[" * 100000 + b"]" * 100000 + b"}"]:
            for method, uri in (("POST", SYSTEMS), ("PATCH", WEB01)):
                r = self.admin.request(method, uri, raw=raw, timeout=30)
                self.assertIn(r.status, (400, 413), (method, len(raw), r))
                self.assertTrue(message_ids(r))

    def test_path_traversal_and_encoded_separators(self):
        for uri in ["/redfish/v1/Systems/../Chassis", "/redfish/v1/Systems/%2e%2e/Chassis",
                    "/redfish/v1/Systems/%2E%2E/Chassis", "/redfish/v1/Systems/web01%2FEthernetInterfaces",
                    "/redfish/v1/Systems/web01%2fEthernetInterfaces%2feth0", "/redfish/v1/%2e%2e/%2e%2e/etc/passwd",
                    "/redfish/v1/Systems/../../../../etc/passwd", "/redfish/v1/Systems/web01%00",
                    "/redfish/v1/Systems/web01/..", "/redfish/v1/Systems/./web01", "/redfish/v1/Systems/%",
                    "/redfish/v1/Systems/%zz", "/redfish/v1/Systems/web01%5c..%5cChassis",
                    "/redfish/v1/Systems/" + "a" * 5000]:
            r = self.admin.get(uri)
            self.assertIn(r.status, (400, 404, 414), "%s answered %d" % (uri, r.status))
            self.assertTrue(message_ids(r), uri)
        r = self.admin.request("DELETE", "/redfish/v1/Systems/%2e%2e")
        self.assertIn(r.status, (400, 404, 405), r)
        r = self.admin.request("DELETE", "/redfish/v1/Systems/web01%2F..")
        self.assertIn(r.status, (400, 404, 405), r)

    def test_bad_query_parameters(self):
        supported = self.admin.get(SYSTEMS + "?$top=1")
        if supported.status != 200 or len(supported.json["Members"]) != 1:
            self.skipTest("cmcd does not page collections with $top yet (query parameters)")
        for q in ["$top=-1", "$top=abc", "$top=", "$skip=-5", "$skip=x", "$top=99999999999999999999",
                  "$expand=garbage", "$select=", "$select=Nope/../x",
                  "$filter=Name eq 'x'", "$orderby=Name", "$bogus=1", "$top=1&$top=2", "only=%zz"]:
            r = self.admin.get(SYSTEMS + "?" + q.replace(" ", "%20"))
            if r.status == 200 and q == "only=%zz":
                continue  # a non-$ parameter may be ignored
            self.assertIn(r.status, (400, 501), "%s answered %d" % (q, r.status))
            self.assertTrue(message_ids(r), q)
        self.assertIn("QueryNotSupported", message_ids(self.admin.get(SYSTEMS + "?$bogus=1")))

    def test_expand_levels_are_bounded_and_valid(self):
        """A huge $levels is refused or clamped; what is expanded still validates (Oem links stay links)."""
        r = self.admin.get(SYSTEMS + "?$expand=.($levels=99999)")
        if r.status == 501:
            self.skipTest("cmcd does not support $expand yet")
        self.assertIn(r.status, (200, 400), r)

    def test_bad_methods_and_headers(self):
        r = self.admin.request("PUT", WEB01, {"Name": "web01"})
        self.assertEqual(r.status, 405, r)
        self.assertTrue(r.header("Allow"), "405 carries Allow")
        r = self.admin.request("BREW", WEB01)
        self.assertIn(r.status, (400, 405, 501), r)
        r = self.admin.post(SYSTEMS, raw=b'{"Name": "ct01"}', headers={"Content-Type": "text/plain"})
        self.assertIn(r.status, (400, 415), r)
        # A header over the server's limit: refused, and the service goes on.
        with socket.create_connection((self.admin.host, self.admin.port), timeout=10) as s:
            s.sendall(b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
            try:
                head = s.recv(200)
            except ConnectionResetError:
                head = b""
            self.assertFalse(head.startswith(b"HTTP/1.1 2"), head)
        # Garbage instead of HTTP.
        with socket.create_connection((self.admin.host, self.admin.port), timeout=10) as s:
            s.sendall(b"\x16\x03\x01\x00\xff garbage\r\n\r\n")
            try:
                s.recv(200)
            except ConnectionResetError:
                pass

    def test_refused_create_writes_nothing(self):
        before_tasks = self.members("/redfish/v1/TaskService/Tasks") if self.nb.supports(
            "/redfish/v1/TaskService/Tasks") else None
        bad = [{"Name": "half01", "Links": {"ResourceBlocks": [
                   {"@odata.id": "/redfish/v1/CompositionService/ResourceBlocks/blade-99"}]}},
               {"Name": "half02", "Links": {"ResourceBlocks": [
                   {"@odata.id": "/redfish/v1/CompositionService/ResourceBlocks/blade-1"}]}},  # blade 1 is busy
               {"Name": "web01"},  # exists
               {"Name": "../etc"}, {"Name": ""}, {"Name": "x" * 10000}, {"Name": "half03", "UUID": "not-a-uuid"}]
        for body in bad:
            r = self.admin.post(SYSTEMS, body)
            self.assertIn(r.status, (400, 409), "%s: %r" % (json.dumps(body)[:80], r))
            self.assertTrue(message_ids(r))
        for name in ("half01", "half02", "half03"):
            self.assertEqual(self.admin.get(SYSTEMS + "/" + name).status, 404)
        if before_tasks is not None:
            self.assertEqual(self.members("/redfish/v1/TaskService/Tasks"), before_tasks, "no task started")


if __name__ == "__main__":
    unittest.main(verbosity=2)
