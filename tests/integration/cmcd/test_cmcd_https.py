"""cmcd's HTTPS listener, CertificateService and /metrics.

HTTPS on port 0 (it follows --listen's port 0): TLS 1.2 and 1.3 with the
self-signed certificate cmcd generated beside its database (curl with the
public key pinned), TLS 1.0 and 1.1 refused by the server; the certificate is
the same after a restart; ReplaceCertificate with a new one (made with
openssl here) is presented on new connections and survives a restart, bad
PEM is a 400 and the old certificate stays. HTTP Basic over plain HTTP on a
non-loopback address is refused (401), sessions and HTTPS work there.
/metrics needs credentials and is Prometheus text whose counters move with
requests and with a blade power loss. The resources validate against DMTF's
schemas."""
import base64
import json
import os
import re
import socket
import ssl
import stat
import subprocess
import tempfile
import unittest
import urllib.request

from cmcdlib import ADMIN, FAST, Cmcd, Sim, http_call, wait_until
from test_cmcd_schemas import dmtf_validator

CERT_URI = "/redfish/v1/Managers/cmc/NetworkProtocol/HTTPS/Certificates/1"
REPLACE = "/redfish/v1/CertificateService/Actions/CertificateService.ReplaceCertificate"
SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"'
                    r'(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.e+-]+|[+-]Inf|NaN)$')


def basic(auth=ADMIN):
    return "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()


def insecure():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def call(url, method="GET", body=None, headers=None, auth=ADMIN):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if auth:
        req.add_header("Authorization", basic(auth))
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    opener = None
    if url.startswith("https:"):
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=insecure()))
    return http_call(req, 10, opener)


def openssl(*args, stdin=""):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, text=True, timeout=30)


def served_pem(hostport, *extra):
    out = openssl("s_client", "-connect", hostport, "-showcerts", *extra)
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out.stdout, re.S)
    return m.group(0) + "\n" if m else None, out.stdout + out.stderr


def fingerprint(pem):
    out = openssl("x509", "-noout", "-fingerprint", "-sha256", stdin=pem)
    return out.stdout.strip().split("=", 1)[1]


def spki_pin(pem):
    """curl --pinnedpubkey's sha256//<base64 of the public key's SHA-256>."""
    pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout"], input=pem.encode(), capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub, capture_output=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der, capture_output=True).stdout
    return "sha256//" + base64.b64encode(digest).decode()


def new_identity(directory, cn):
    key, crt = os.path.join(directory, cn + ".key"), os.path.join(directory, cn + ".crt")
    out = openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                  "-out", crt, "-days", "30", "-subj", "/O=Test/CN=" + cn, "-addext", "subjectAltName=IP:127.0.0.1")
    assert out.returncode == 0, out.stderr
    with open(crt) as f, open(key) as g:
        return f.read(), g.read()


def metrics_samples(text):
    """{(name, labels-string): value}; fails on any line that is neither a comment nor a sample."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        m = SAMPLE.match(line)
        assert m, "not Prometheus text: %r" % line
        name_labels, value = line.rsplit(" ", 1)
        out[name_labels] = float(value)
    return out


def local_address():
    """A non-loopback IPv4 address of this machine, or None."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout.split()
    except OSError:
        return None
    return next((a for a in out if re.match(r"^\d+\.\d+\.\d+\.\d+$", a) and not a.startswith("127.")), None)


class HttpsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.TemporaryDirectory(prefix="cmcd-https-")
        cls.sim = Sim(blades=2, speed=20)
        cls.cmcd = None
        cls.start()

    @classmethod
    def start(cls):
        if cls.cmcd:
            cls.cmcd.stop()
        cls.cmcd = Cmcd(manifest=cls.sim.manifest_path, config=FAST, workdir=cls.work.name)
        m = wait_until(lambda: re.search(r"listening on (https://([0-9.]+):(\d+))/redfish/v1", cls.cmcd.read_log()),
                       timeout=10, what="the HTTPS line")
        cls.https, cls.hostport = m.group(1), "%s:%s" % (m.group(2), m.group(3))
        assert m.group(3) != "0" and m.group(3) != "8443", m.group(0)

    @classmethod
    def tearDownClass(cls):
        cls.cmcd.stop()
        cls.sim.stop()
        cls.work.cleanup()

    def served(self):
        pem, out = served_pem(self.hostport)
        self.assertTrue(pem, out)
        return pem

    def test_1_tls_versions_and_pinned_curl(self):
        pem = self.served()
        # The generated certificate sits beside the database, its key 0600.
        crt_file, key_file = os.path.join(self.work.name, "https-cert.pem"), os.path.join(self.work.name, "https-key.pem")
        with open(crt_file) as f:
            self.assertEqual(fingerprint(f.read()), fingerprint(pem))
        self.assertEqual(stat.S_IMODE(os.stat(key_file).st_mode), 0o600)
        self.assertIn("HTTPS certificate", self.cmcd.read_log())
        # curl over TLS 1.2 with the public key pinned (no CA: -k, the pin is the check).
        for version in ("--tlsv1.2", "--tlsv1.3"):
            out = subprocess.run(["curl", "-sS", version, "-k", "--pinnedpubkey", spki_pin(pem), "-u", "%s:%s" % ADMIN,
                                  "-w", "\n%{http_code}", self.https + "/redfish/v1/Managers/cmc"],
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertTrue(out.stdout.endswith("\n200"), out.stdout[-200:])
        out = subprocess.run(["curl", "-sS", "--tlsv1.2", "--tls-max", "1.2", "-k", "-o", "/dev/null", "-w",
                              "%{http_code}", self.https + "/redfish/v1"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout, "200", out.stderr)
        # A wrong pin is refused by curl: the pin really is checked.
        out = subprocess.run(["curl", "-sS", "-k", "--pinnedpubkey", "sha256//" + base64.b64encode(b"x" * 32).decode(),
                              self.https + "/redfish/v1"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(out.returncode, 0)
        # TLS 1.0 and 1.1 refused by the server (SECLEVEL 0 so that the client would offer them).
        for old in ("-tls1", "-tls1_1"):
            out = openssl("s_client", "-connect", self.hostport, old, "-cipher", "DEFAULT@SECLEVEL=0")
            self.assertIn("alert protocol version", out.stdout + out.stderr, old)
        out = openssl("s_client", "-connect", self.hostport, "-tls1_2")
        self.assertIn("Protocol  : TLSv1.2", out.stdout)
        # Plain HTTP on the HTTPS port gets no HTTP answer; the service goes on.
        host, port = self.hostport.split(":")
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = s.recv(4096)
            except (ConnectionResetError, socket.timeout):
                data = b""
            self.assertFalse(data.startswith(b"HTTP/"), data[:40])
        self.assertEqual(call(self.https + "/redfish/v1")[0], 200)

    def test_2_resources_validate(self):
        cert = self.served()
        docs = {}
        for path, schema, definition in [
            ("/redfish/v1/CertificateService", "CertificateService.v1_2_1.json", "CertificateService"),
            ("/redfish/v1/CertificateService/CertificateLocations", "CertificateLocations.v1_0_4.json",
             "CertificateLocations"),
            ("/redfish/v1/Managers/cmc/NetworkProtocol", "ManagerNetworkProtocol.v1_12_0.json",
             "ManagerNetworkProtocol"),
            ("/redfish/v1/Managers/cmc/NetworkProtocol/HTTPS/Certificates", "CertificateCollection.json",
             "CertificateCollection"),
            (CERT_URI, "Certificate.v1_11_0.json", "Certificate"),
        ]:
            status, _, body = call(self.https + path)
            self.assertEqual(status, 200, (path, body))
            dmtf_validator(schema, definition).validate(body)
            docs[path] = body
            status, _, _ = call(self.cmcd.url + path, auth=None)
            self.assertEqual(status, 401, path)
        c = docs[CERT_URI]
        self.assertEqual(c["Fingerprint"], fingerprint(cert))
        self.assertEqual(c["FingerprintHashAlgorithm"], "TPM_ALG_SHA256")
        self.assertEqual(c["Subject"]["CommonName"], "cmcd")
        self.assertIn("DigitalSignature", c["KeyUsage"])
        self.assertIn("ServerAuthentication", c["KeyUsage"])
        self.assertNotIn("PRIVATE KEY", json.dumps(docs))
        p = docs["/redfish/v1/Managers/cmc/NetworkProtocol"]
        self.assertEqual(p["HTTPS"]["Port"], int(self.hostport.split(":")[1]))
        self.assertEqual(p["HTTP"]["Port"], int(self.cmcd.url.rsplit(":", 1)[1]))
        locations = docs["/redfish/v1/CertificateService/CertificateLocations"]["Links"]["Certificates"]
        self.assertEqual(locations, [{"@odata.id": CERT_URI}])

    def test_2b_large_answer_arrives_whole(self):
        # The Base registry is about 100 KB: many TLS records. Over HTTPS the
        # client gets the same document as over HTTP, every byte of it.
        path = "/redfish/v1/Registries/Base.1.22.1/Base.1.22.1.json"
        status, headers, over_tls = call(self.https + path)
        self.assertEqual(status, 200, over_tls)
        self.assertGreater(int(headers["Content-Length"]), 64 * 1024)
        status, _, plain = call(self.cmcd.url + path)
        self.assertEqual(status, 200, plain)
        self.assertEqual(over_tls, plain)
        self.assertIn("ResourceNotFound", over_tls["Messages"])

    def test_3_restart_keeps_the_certificate(self):
        before = fingerprint(self.served())
        type(self).start()
        self.assertEqual(fingerprint(self.served()), before)

    def test_4_replace_certificate(self):
        old = fingerprint(self.served())
        crt, key = new_identity(self.work.name, "replaced")
        other_crt, other_key = new_identity(self.work.name, "other")
        good = {"CertificateString": crt + key, "CertificateType": "PEM", "CertificateUri": {"@odata.id": CERT_URI}}
        # Bad input: 400 with a DMTF message, the old certificate still served.
        for body, want in [
            (dict(good, CertificateString="-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"),
             "ActionParameterValueError"),
            (dict(good, CertificateString="garbage"), "ActionParameterValueError"),
            (dict(good, CertificateString=crt), "ActionParameterValueError"),                 # no key
            (dict(good, CertificateString=crt + other_key), "ActionParameterValueError"),     # key of another cert
            (dict(good, CertificateString=7), "ActionParameterValueTypeError"),
            (dict(good, CertificateType="PKCS7"), "ActionParameterValueNotInList"),
            (dict(good, CertificateUri={"@odata.id": "/redfish/v1/AccountService/LDAP/Certificates/1"}),
             "ResourceMissingAtURI"),
            ({k: v for k, v in good.items() if k != "CertificateType"}, "ActionParameterMissing"),
            (dict(good, Colour="red"), "ActionParameterUnknown"),
        ]:
            status, _, resp = call(self.https + REPLACE, "POST", body)
            self.assertEqual(status, 400, (str(body.get("CertificateString", ""))[:30], resp))
            ids = [m["MessageId"] for m in resp["error"]["@Message.ExtendedInfo"]]
            self.assertTrue(any(i.endswith("." + want) for i in ids), (want, ids))
            self.assertNotIn("PRIVATE KEY", json.dumps(resp))
        status, _, resp = call(self.https + REPLACE, "POST", dict(good, CertificateString=crt + other_key))
        self.assertIn("does not belong", json.dumps(resp))
        self.assertEqual(fingerprint(self.served()), old)
        # Without credentials: 401; the replacement itself: 200 with Location and the new certificate.
        status, _, _ = call(self.https + REPLACE, "POST", good, auth=None)
        self.assertEqual(status, 401)
        status, headers, resp = call(self.https + REPLACE, "POST", good)
        self.assertEqual(status, 200, resp)
        self.assertEqual(headers.get("Location"), CERT_URI)
        dmtf_validator("Certificate.v1_11_0.json", "Certificate").validate(resp)
        self.assertEqual(resp["Fingerprint"], fingerprint(crt))
        self.assertEqual(resp["Subject"]["CommonName"], "replaced")
        self.assertEqual(fingerprint(self.served()), fingerprint(crt))
        self.assertIn("replaced the HTTPS certificate", self.cmcd.read_log())
        # The log never shows a key.
        self.assertNotIn("PRIVATE KEY", self.cmcd.read_log())
        # Persisted: the same after a restart.
        type(self).start()
        self.assertEqual(fingerprint(self.served()), fingerprint(crt))
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.work.name, "https-key.pem")).st_mode), 0o600)

    def test_5_metrics(self):
        status, _, _ = call(self.cmcd.url + "/metrics", auth=None)
        self.assertEqual(status, 401)
        status, headers, text = call(self.cmcd.url + "/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8")
        first = metrics_samples(text)
        for family in ("cmcd_blade_health", "cmcd_http_requests_total", "cmcd_http_request_duration_seconds",
                       "cmcd_southbound_polls_total", "cmcd_southbound_errors_total", "cmcd_store_queue_depth",
                       "cmcd_events_raised_total", "cmcd_failovers_total", "cmcd_failover_phase_duration_seconds"):
            self.assertIn("# TYPE " + family + " ", text)
        wait_until(lambda: self.cmcd.health(2) == "Healthy", timeout=30, what="blade 2 healthy")
        for _ in range(5):
            self.assertEqual(call(self.cmcd.url + "/redfish/v1/Chassis/blade-1")[0], 200)
        self.assertEqual(call(self.cmcd.url + "/redfish/v1/Nope")[0], 404)
        second = metrics_samples(call(self.cmcd.url + "/metrics")[2])
        key = 'cmcd_http_requests_total{method="GET",code="200"}'
        self.assertGreaterEqual(second[key] - first.get(key, 0), 6)
        self.assertGreaterEqual(second.get('cmcd_http_requests_total{method="GET",code="404"}', 0), 1)
        count = "cmcd_http_request_duration_seconds_count"
        self.assertGreaterEqual(second[count] - first[count], 6)
        self.assertEqual(second['cmcd_http_request_duration_seconds_bucket{le="+Inf"}'], second[count])
        polls = 'cmcd_southbound_polls_total{protocol="ipmi",kind="status"}'
        # The IPMI polls go on (every 250 ms a blade): the counter moves within a few seconds.
        wait_until(lambda: metrics_samples(call(self.cmcd.url + "/metrics")[2])[polls] > first[polls], timeout=10,
                   what="the IPMI poll counter to move")
        self.assertEqual(second['cmcd_blade_health{slot="2",state="Healthy"}'], 1)
        self.assertEqual(second['cmcd_blade_health{slot="2",state="Failed"}'], 0)
        # A blade power loss: the health gauge, transitions and events move.
        self.sim.inject(2, "power-loss")
        wait_until(lambda: self.cmcd.health(2) == "Failed", timeout=30, what="blade 2 Failed")
        third = metrics_samples(call(self.cmcd.url + "/metrics")[2])
        self.assertEqual(third['cmcd_blade_health{slot="2",state="Failed"}'], 1)
        self.assertEqual(third['cmcd_blade_health{slot="2",state="Healthy"}'], 0)
        self.assertGreater(third["cmcd_health_transitions_total"], second["cmcd_health_transitions_total"])
        self.assertGreater(third["cmcd_events_raised_total"], second["cmcd_events_raised_total"])
        # Over HTTPS too.
        status, _, text = call(self.https + "/metrics")
        self.assertEqual(status, 200)
        metrics_samples(text)

    def test_6_basic_refused_over_plain_http_off_loopback(self):
        address = local_address()
        if not address:
            self.skipTest("this machine has no non-loopback IPv4 address (the rule is unit-tested)")
        d = tempfile.TemporaryDirectory(prefix="cmcd-https-nl-")
        c = Cmcd(config=FAST, workdir=d.name, extra=("--listen", address + ":0"))
        try:
            self.assertTrue(c.url.startswith("http://" + address + ":"), c.url)
            status, _, body = call(c.url + "/redfish/v1/Managers/cmc")
            self.assertEqual(status, 401)
            self.assertIn("use HTTPS", json.dumps(body))
            self.assertEqual(call(c.url + "/metrics")[0], 401)
            # A session works there (the login POST carries no Basic header) ...
            status, headers, body = call(c.url + "/redfish/v1/SessionService/Sessions", "POST",
                                         {"UserName": ADMIN[0], "Password": ADMIN[1]}, auth=None)
            self.assertEqual(status, 201, body)
            token = headers["X-Auth-Token"]
            status, _, _ = call(c.url + "/redfish/v1/Managers/cmc", headers={"X-Auth-Token": token}, auth=None)
            self.assertEqual(status, 200)
            # ... and Basic over HTTPS.
            m = re.search(r"listening on (https://[0-9.:]+)/redfish/v1", c.read_log())
            self.assertEqual(call(m.group(1) + "/redfish/v1/Managers/cmc")[0], 200)
            # The public URIs stay public.
            self.assertEqual(call(c.url + "/redfish/v1", auth=None)[0], 200)
        finally:
            c.stop()
            d.cleanup()


if __name__ == "__main__":
    unittest.main()
