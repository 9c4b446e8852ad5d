"""cmcsim --redfish-scheme https: every blade BMC speaks only HTTPS with its
own self-signed certificate, whose SHA-256 fingerprint the manifest pins.
Checked with python's ssl, openssl s_client, curl and redfishtool; bad input
on the TLS port (plain HTTP, garbage, an old protocol) closes the connection
and never the BMC."""
import json
import os
import socket
import subprocess
import unittest

import jsonschema

from simlib import Sim, connect_bmc, fingerprint_of_der, pinned_context

SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "schemas", "sim", "rack-manifest.schema.json")


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=50, extra=("--redfish-scheme", "https"))

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def tearDown(self):
        self.assertTrue(self.sim.alive(), "cmcsim must survive")

    def blade(self, slot):
        return self.sim.manifest["blades"][slot - 1]

    def hostport(self, slot):
        host, port = self.blade(slot)["redfish"]["url"].split("//", 1)[1].split(":")
        return host, int(port)

    def peer_der(self, slot):
        with socket.create_connection(self.hostport(slot), timeout=5) as raw:
            with pinned_context().wrap_socket(raw, server_hostname="127.0.0.1") as s:
                self.assertIn(s.version(), ("TLSv1.2", "TLSv1.3"))
                return s.getpeercert(binary_form=True)

    def test_manifest_lists_https_and_the_fingerprint(self):
        with open(SCHEMA) as f:
            jsonschema.validate(self.sim.manifest, json.load(f))
        prints = set()
        for b in self.sim.manifest["blades"]:
            rf = b["redfish"]
            self.assertTrue(rf["url"].startswith("https://127.0.0.1:"), rf["url"])
            self.assertRegex(rf["tls"]["fingerprintSha256"], r"^([0-9A-F]{2}:){31}[0-9A-F]{2}$")
            prints.add(rf["tls"]["fingerprintSha256"])
            self.assertIn("ipmi", b, "cmcsim keeps writing both endpoints")
        self.assertEqual(len(prints), 4, "every BMC has its own certificate")

    def test_fingerprint_matches_python_ssl_and_openssl(self):
        for slot in (1, 4):
            want = self.blade(slot)["redfish"]["tls"]["fingerprintSha256"]
            self.assertEqual(fingerprint_of_der(self.peer_der(slot)), want)
            host, port = self.hostport(slot)
            pem = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (host, port), "-showcerts"],
                                 input="", capture_output=True, text=True, timeout=30).stdout
            x = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-text"], input=pem,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(x.returncode, 0, x.stderr)
            self.assertIn("sha256 Fingerprint=" + want, x.stdout)
            self.assertIn("IP Address:127.0.0.1", x.stdout)
            self.assertIn("prime256v1", x.stdout)  # ECDSA P-256

    def test_curl_verifies_and_curl_k_reads(self):
        b = self.blade(1)
        url = b["redfish"]["url"] + "/redfish/v1/Systems/1"
        r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-u", "%s:%s" % (b["redfish"]["username"],
                            b["redfish"]["password"]), url], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 60, "a self-signed certificate fails verification: %s" % r.stderr)
        r = subprocess.run(["curl", "-sSk", "-u", "%s:%s" % (b["redfish"]["username"], b["redfish"]["password"]),
                            url], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["UUID"], b["uuid"])

    def test_pinned_python_client_and_redfishtool(self):
        bmc = self.sim.bmc(2)
        self.assertEqual(bmc.get("/redfish/v1/Systems/1")["UUID"], self.blade(2)["uuid"])
        from simlib import Bmc
        pinned_elsewhere = Bmc(bmc.url, bmc.username, bmc.password, self.blade(3)["redfish"]["tls"]["fingerprintSha256"])
        with self.assertRaises(Exception):
            pinned_elsewhere.call("GET", "/redfish/v1/Systems/1")
        r = subprocess.run(["redfishtool", "-r", bmc.hostport, "-u", bmc.username, "-p", bmc.password, "-S", "Always",
                            "Systems", "get"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(json.loads(r.stdout)["UUID"], self.blade(2)["uuid"])

    def test_plain_http_garbage_and_old_tls_do_not_hurt(self):
        host, port = self.hostport(3)
        for junk in [b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n\r\n", b"\x00\x01\x02garbage\r\n\r\n",
                     b"\x16\x03\x01\x00\x05hello", b""]:
            with socket.create_connection((host, port), timeout=5) as s:
                if junk:
                    s.sendall(junk)
                else:
                    s.shutdown(socket.SHUT_WR)
                try:
                    data = s.recv(4096)
                except ConnectionResetError:
                    data = b""
                self.assertFalse(data.startswith(b"HTTP/"), "no plain HTTP answer on the HTTPS port: %r" % data[:40])
        # TLS 1.1 is refused by the server (alert 70, protocol_version), TLS 1.2 is accepted.
        out = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (host, port), "-tls1_1", "-cipher",
                              "DEFAULT:@SECLEVEL=0"], input="", capture_output=True, text=True, timeout=30)
        self.assertIn("alert protocol version", out.stdout + out.stderr)
        out = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (host, port), "-tls1_2"], input="",
                             capture_output=True, text=True, timeout=30)
        self.assertIn("Protocol  : TLSv1.2", out.stdout)
        # The BMC still answers.
        self.assertEqual(self.sim.bmc(3).call("GET", "/redfish/v1/Systems/1")[0], 200)
        wait = self.sim.blade(3)["bmc"]
        self.assertLessEqual(wait["redfishConnections"], 2)

    def test_keep_alive_over_tls(self):
        s = connect_bmc(self.sim.bmc(4))
        try:
            for _ in range(3):
                s.sendall(b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                while b"\r\n\r\n" not in data:
                    data += s.recv(4096)
                head, _, body = data.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
                length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
                while len(body) < length:
                    body += s.recv(4096)
                self.assertEqual(json.loads(body[:length])["@odata.id"], "/redfish/v1")
        finally:
            s.close()


class SchemeFlagTest(unittest.TestCase):
    def test_bad_scheme_exits_2(self):
        from simlib import BIN
        r = subprocess.run([os.path.join(BIN, "cmcsim"), "--redfish-scheme", "ftp"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--redfish-scheme", r.stderr)
        r = subprocess.run([os.path.join(BIN, "cmcsim"), "--help"], capture_output=True, text=True, timeout=30)
        self.assertIn("--redfish-scheme", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
