"""Helpers for end-to-end tests: start cmcsim on free ports, talk to its
control API and to blade BMCs with real HTTP (urllib), wait for conditions."""
import base64
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

BIN = os.environ.get("CMC_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))
PYTHON = "/usr/bin/python3"  # Debian's python has python3-sushy


class Sim:
    """A running cmcsim process with its manifest."""

    def __init__(self, blades=4, speed=50, seed=7, extra=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="cmcsim-test-")
        self.manifest_path = os.path.join(self.tmp.name, "rack.json")
        self.log_path = os.path.join(self.tmp.name, "cmcsim.log")
        self.log = open(self.log_path, "w+")
        args = [os.path.join(BIN, "cmcsim"), "--blades", str(blades), "--control-port", "0",
                "--bmc-base-port", "0", "--manifest", self.manifest_path, "--speed", str(speed),
                "--seed", str(seed), *extra]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        self.control = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("cmcsim exited: " + self.read_log())
            m = re.search(r"control API (http://[0-9.:]+)/sim/v1", self.read_log())
            if m and os.path.exists(self.manifest_path):
                self.control = m.group(1)
                break
            time.sleep(0.02)
        if not self.control:
            self.stop()
            raise RuntimeError("cmcsim did not start: " + self.read_log())
        with open(self.manifest_path) as f:
            self.manifest = json.load(f)

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.tmp.cleanup()

    # ---- control API
    def api(self, method, path, body=None, raw=None, timeout=10):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.control + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        return http_call(req, timeout)

    def get(self, path):
        status, _, body = self.api("GET", path)
        assert status == 200, (path, status, body)
        return body

    def blade(self, slot):
        return self.get("/sim/v1/blades/%d" % slot)

    def bmc(self, slot, role="Administrator"):
        b = self.manifest["blades"][slot - 1]
        acc = next(a for a in b["accounts"] if a["role"] == role)
        fingerprint = b["redfish"].get("tls", {}).get("fingerprintSha256")
        return Bmc(b["redfish"]["url"], acc["username"], acc["password"], fingerprint)

    def inject(self, slot, fault, **params):
        status, _, body = self.api("POST", "/sim/v1/blades/%d/faults" % slot, dict(fault=fault, **params))
        assert status == 201, (status, body)
        return body

    def clear(self, slot, fault):
        status, _, body = self.api("DELETE", "/sim/v1/blades/%d/faults/%s" % (slot, fault))
        assert status == 200, (status, body)
        return body


class Bmc:
    """A blade BMC's Redfish service, spoken to with HTTP Basic auth."""

    def __init__(self, url, username, password, fingerprint=None):
        self.url, self.username, self.password = url, username, password
        self.fingerprint = fingerprint  # pinned SHA-256 of an https BMC's certificate
        self.hostport = url.split("//", 1)[1]
        self.opener = urllib.request.build_opener(_pinned_handler(fingerprint)) if fingerprint else None

    def call(self, method, path, body=None, headers=None, auth=True, raw=None, timeout=10):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            tok = base64.b64encode(("%s:%s" % (self.username, self.password)).encode()).decode()
            req.add_header("Authorization", "Basic " + tok)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        return http_call(req, timeout, self.opener)

    def get(self, path):
        status, _, body = self.call("GET", path)
        assert status == 200, (path, status, body)
        return body


def http_call(req, timeout=10, opener=None):
    """Returns (status, headers, parsed JSON body or text)."""
    try:
        with (opener.open(req, timeout=timeout) if opener else urllib.request.urlopen(req, timeout=timeout)) as r:
            raw = r.read()
            status, headers = r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        raw = e.read()
        status, headers = e.code, dict(e.headers)
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode(errors="replace")
    return status, headers, body


def wait_until(fn, timeout=30, interval=0.02, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))


def assert_dmtf_error(testcase, body, message_id_suffix=None):
    """A DMTF Redfish error body: error.code, error.message, @Message.ExtendedInfo."""
    testcase.assertIsInstance(body, dict, body)
    testcase.assertIn("error", body)
    err = body["error"]
    testcase.assertIn("code", err)
    testcase.assertIn("message", err)
    testcase.assertIsInstance(err.get("@Message.ExtendedInfo"), list)
    testcase.assertGreater(len(err["@Message.ExtendedInfo"]), 0)
    for m in err["@Message.ExtendedInfo"]:
        testcase.assertTrue(m["MessageId"].startswith("Base.1."), m)
    if message_id_suffix:
        ids = [m["MessageId"].split(".")[-1] for m in err["@Message.ExtendedInfo"]]
        testcase.assertIn(message_id_suffix, ids, body)


NIC1 = "/redfish/v1/Chassis/1/NetworkAdapters/NIC/NetworkDeviceFunctions/1"
HBA1 = "/redfish/v1/Chassis/1/NetworkAdapters/HBA/NetworkDeviceFunctions/1"


def program_identity(sim, slot, mac, wwpn):
    """Writes a virtual MAC and WWPN onto a blade through its Redfish BMC."""
    bmc = sim.bmc(slot)
    status, _, body = bmc.call("PATCH", NIC1, {"Ethernet": {"MACAddress": mac}})
    assert status == 200, body
    status, _, body = bmc.call("PATCH", HBA1, {"FibreChannel": {"WWPN": wwpn}})
    assert status == 200, body


def reset(sim, slot, kind):
    status, _, body = sim.bmc(slot).call("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
                                         {"ResetType": kind})
    assert status == 200, (status, body)


def make_logical_server(sim, name, mac, wwpn, ip):
    """A boot volume masked to the WWPN and a DHCP reservation + probe target for the IP."""
    status, _, body = sim.api("POST", "/sim/v1/volumes", {"name": name, "lun": 0, "initiators": [wwpn]})
    assert status in (200, 201), body
    status, _, body = sim.api("POST", "/sim/v1/probe/targets", {"ip": ip, "mac": mac})
    assert status == 201, body


def boot_logical_server(sim, slot, name, mac, wwpn, ip, timeout=30):
    make_logical_server(sim, name, mac, wwpn, ip)
    program_identity(sim, slot, mac, wwpn)
    reset(sim, slot, "On")
    wait_until(lambda: sim.blade(slot)["host"] == "Running", timeout=timeout, what="slot %d host running" % slot)


def target(sim, ip):
    for t in sim.get("/sim/v1/probe")["targets"]:
        if t["ip"] == ip:
            return t
    raise AssertionError("no probe target " + ip)


# ---- HTTPS with a pinned certificate fingerprint, and Server-Sent Events

def fingerprint_of_der(der):
    return ":".join("%02X" % b for b in hashlib.sha256(der).digest())


def pinned_context():
    """A client context that checks nothing by itself: the caller pins the fingerprint."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _pinned_handler(fingerprint):
    class Conn(http.client.HTTPSConnection):
        def connect(self):
            super().connect()
            got = fingerprint_of_der(self.sock.getpeercert(binary_form=True))
            if got != fingerprint:
                self.sock.close()
                raise ssl.SSLError("certificate fingerprint %s is not the pinned %s" % (got, fingerprint))

    class Handler(urllib.request.HTTPSHandler):
        def __init__(self):
            super().__init__(context=pinned_context())

        def https_open(self, req):
            return self.do_open(Conn, req, context=self._context)

    return Handler()


def connect_bmc(bmc, timeout=5):
    """A raw socket to the BMC's Redfish port (TLS with the pinned fingerprint for https)."""
    host, port = bmc.hostport.split(":")
    s = socket.create_connection((host, int(port)), timeout=timeout)
    if bmc.url.startswith("https://"):
        s = pinned_context().wrap_socket(s, server_hostname=host)
        got = fingerprint_of_der(s.getpeercert(binary_form=True))
        if bmc.fingerprint and got != bmc.fingerprint:
            s.close()
            raise ssl.SSLError("certificate fingerprint mismatch")
    return s


class SseClient:
    """A client of /redfish/v1/EventService/SSE over a raw (TLS) socket."""

    def __init__(self, bmc, auth=True, headers=None, timeout=5, path="/redfish/v1/EventService/SSE"):
        self.sock = connect_bmc(bmc, timeout)
        lines = ["GET %s HTTP/1.1" % path, "Host: %s" % bmc.hostport, "Accept: text/event-stream"]
        if auth:
            tok = base64.b64encode(("%s:%s" % (bmc.username, bmc.password)).encode()).decode()
            lines.append("Authorization: Basic " + tok)
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode(errors="replace").split("\r\n")
        self.status = int(status_line.split()[1]) if status_line else 0
        self.headers = {}
        for h in header_lines:
            k, _, v = h.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.comments = []

    def next_event(self, timeout=5):
        """The next event as {"id": str, "data": parsed JSON}; None when the stream ends or times out."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.buf:
                frame, _, self.buf = self.buf.partition(b"\n\n")
                ev = {}
                for line in frame.decode().split("\n"):
                    if line.startswith(":"):
                        self.comments.append(line)
                    elif line.startswith("id: "):
                        ev["id"] = line[4:]
                    elif line.startswith("data: "):
                        ev["data"] = json.loads(line[6:])
                if "data" in ev:
                    return ev
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                return None
            if not chunk:
                return None
            self.buf += chunk

    def wait_for(self, message_key, timeout=5, origin=None):
        """Reads events until one whose MessageId ends with message_key (and origin); returns it or None."""
        deadline = time.monotonic() + timeout
        while True:
            ev = self.next_event(max(0.0, deadline - time.monotonic()))
            if ev is None:
                return None
            rec = ev["data"]["Events"][0]
            if rec["MessageId"].endswith("." + message_key) and (
                    origin is None or rec["OriginOfCondition"]["@odata.id"] == origin):
                return ev

    def close(self):
        self.sock.close()
