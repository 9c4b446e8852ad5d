"""Bad input to the simulator's control API, the blade Redfish BMCs and the
command line: the right 4xx (DMTF error body on Redfish), never a crash."""
import os
import socket
import subprocess
import unittest

from simlib import BIN, NIC1, Sim, assert_dmtf_error


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=50)
        cls.bmc = cls.sim.bmc(2)

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def tearDown(self):
        self.assertTrue(self.sim.alive(), "cmcsim must survive bad input")
        self.assertEqual(self.sim.api("GET", "/sim/v1/blades/1")[0], 200)

    # ---- Redfish
    def test_malformed_json(self):
        for raw in [b"{", b"[1,2]", b"\xff\xfe", b"{\"Boot\": }", b"null"]:
            status, _, body = self.bmc.call("PATCH", "/redfish/v1/Systems/1", raw=raw)
            self.assertEqual(status, 400, raw)
            assert_dmtf_error(self, body, "MalformedJSON")

    def test_unknown_property(self):
        status, _, body = self.bmc.call("PATCH", "/redfish/v1/Systems/1", {"Bogus": 1})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "PropertyUnknown")
        status, _, body = self.bmc.call("PATCH", NIC1, {"Ethernet": {"Colour": "blue"}})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "PropertyUnknown")

    def test_wrong_types_and_values_change_nothing(self):
        before = self.bmc.get("/redfish/v1/Systems/1")["Boot"]
        status, _, body = self.bmc.call("PATCH", "/redfish/v1/Systems/1",
                                        {"Boot": {"BootSourceOverrideTarget": 5, "BootSourceOverrideEnabled": "Once"}})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "PropertyValueTypeError")
        self.assertEqual(self.bmc.get("/redfish/v1/Systems/1")["Boot"], before, "nothing half-written")
        status, _, body = self.bmc.call("PATCH", "/redfish/v1/Systems/1", {"Boot": {"BootSourceOverrideTarget": "Floppy"}})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "PropertyValueNotInList")
        status, _, body = self.bmc.call("PATCH", NIC1, {"Ethernet": {"MACAddress": "not-a-mac"}})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "PropertyValueFormatError")
        status, _, body = self.bmc.call("PATCH", NIC1, {"Ethernet": {"PermanentMACAddress": "02:00:00:00:00:01"}})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "PropertyNotWritable")
        status, _, body = self.bmc.call("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {"ResetType": "Explode"})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "ActionParameterValueNotInList")
        status, _, body = self.bmc.call("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "ActionParameterMissing")

    def test_oversized_body(self):
        status, _, body = self.bmc.call("PATCH", "/redfish/v1/Systems/1", raw=b"{\"a\": \"" + b"x" * 200000 + b"\"}")
        self.assertEqual(status, 413)
        assert_dmtf_error(self, body, "PayloadTooLarge")
        status, _, body = self.sim.api("POST", "/sim/v1/volumes", raw=b"x" * 400000)
        self.assertEqual(status, 413)
        self.assertIn("error", body)

    def test_bad_credentials(self):
        for user, password in [(self.bmc.username, "wrong"), ("nobody", self.bmc.password), ("", "")]:
            from simlib import Bmc
            status, headers, body = Bmc(self.bmc.url, user, password).call("GET", "/redfish/v1/Systems/1")
            self.assertEqual(status, 401)
            self.assertIn("Basic", headers.get("WWW-Authenticate", ""))
            assert_dmtf_error(self, body, "NoValidSession")
        status, _, body = self.bmc.call("GET", "/redfish/v1/Systems/1", auth=False)
        self.assertEqual(status, 401)
        status, _, body = self.bmc.call("POST", "/redfish/v1/SessionService/Sessions",
                                        {"UserName": self.bmc.username, "Password": "wrong"}, auth=False)
        self.assertEqual(status, 401)
        assert_dmtf_error(self, body)
        # No password in any error body.
        self.assertNotIn(self.bmc.password, str(body))

    def test_unknown_resources(self):
        for path in ["/redfish/v1/Systems/2", "/redfish/v1/Chassis/1/NetworkAdapters/NIC/NetworkDeviceFunctions/9",
                     "/redfish/v1/Nope", "/redfish/v1/Chassis/1/NetworkAdapters/GPU"]:
            status, _, body = self.bmc.call("GET", path)
            self.assertEqual(status, 404, path)
            assert_dmtf_error(self, body, "ResourceNotFound")

    def test_garbage_on_the_socket(self):
        host, port = self.bmc.hostport.split(":")
        for junk in [b"\x00\x01\x02garbage\r\n\r\n", b"GET /redfish/v1 HTTP/9.9\r\n\r\n", b"GET " + b"A" * 70000 + b" HTTP/1.1\r\n\r\n"]:
            with socket.create_connection((host, int(port)), timeout=5) as s:
                s.sendall(junk)
                data = s.recv(4096)
                self.assertTrue(data.startswith(b"HTTP/1.1 4"), data[:80])
        self.assertEqual(self.bmc.call("GET", "/redfish/v1/Systems/1")[0], 200)

    # ---- control API
    def test_control_api_errors(self):
        cases = [
            ("GET", "/sim/v1/blades/99", None, None, 404),
            ("GET", "/sim/v1/blades/abc", None, None, 404),
            ("POST", "/sim/v1/blades/99/faults", {"fault": "power-loss"}, None, 404),
            ("POST", "/sim/v1/blades/1/faults", None, b"{not json", 400),
            ("POST", "/sim/v1/blades/1/faults", {"fault": "meteor-strike"}, None, 400),
            ("POST", "/sim/v1/blades/1/faults", {"fault": "bmc-slow", "delayMs": "slow"}, None, 400),
            ("POST", "/sim/v1/blades/1/faults", {"fault": "bmc-slow", "colour": 1}, None, 400),
            ("POST", "/sim/v1/blades/1/faults", {"fault": "nic-link-down", "nic": 7}, None, 400),
            ("POST", "/sim/v1/blades/1/faults", [1, 2], None, 400),
            ("DELETE", "/sim/v1/blades/1/faults/meteor-strike", None, None, 404),
            ("POST", "/sim/v1/volumes", {"name": "v", "initiators": ["zz"]}, None, 400),
            ("POST", "/sim/v1/volumes", {"name": 5}, None, 400),
            ("POST", "/sim/v1/volumes", {"name": "v", "size": 5}, None, 400),
            ("POST", "/sim/v1/probe/targets", {"ip": "300.1.1.1"}, None, 400),
            ("POST", "/sim/v1/probe/targets", {"ip": "10.0.0.1", "mac": "ff:ff:ff:ff:ff:ff"}, None, 400),
            ("POST", "/sim/v1/fabric/ports", {"fabric": "switch", "slot": 9, "port": 1, "enabled": False}, None, 404),
            ("POST", "/sim/v1/fabric/ports", {"fabric": "switch", "slot": 1, "port": 1, "enabled": "no"}, None, 400),
            ("PUT", "/sim/v1/blades", {}, None, 405),
            ("GET", "/sim/v2/blades", None, None, 404),
        ]
        for method, path, body, raw, expect in cases:
            status, headers, answer = self.sim.api(method, path, body, raw=raw)
            self.assertEqual(status, expect, (method, path, body, answer))
            self.assertIn("error", answer)
            self.assertTrue(answer["error"]["message"])


class CommandLineTest(unittest.TestCase):
    def run_sim(self, *args):
        return subprocess.run([os.path.join(BIN, "cmcsim"), *args], capture_output=True, text=True, timeout=30)

    def test_help(self):
        r = self.run_sim("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--blades", r.stdout)

    def test_bad_flags_exit_2(self):
        for args in [("--blades", "0"), ("--blades", "1001"), ("--blades", "x"), ("--speed", "-1"),
                     ("--control-port", "70000"), ("--frobnicate",), ("--blades",), ("--bmc-base-port", "65500", "--blades", "100")]:
            r = self.run_sim(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn("cmcsim:", r.stderr)

    def test_port_in_use_fails_cleanly(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            r = self.run_sim("--blades", "1", "--control-port", str(port), "--bmc-base-port", "0")
            self.assertEqual(r.returncode, 1)
            self.assertIn("control API", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
