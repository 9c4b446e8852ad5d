"""Helpers for end-to-end tests: start cmcsim on free ports, talk to its
control API and to blade BMCs with real HTTP (urllib), wait for conditions."""
import base64
import json
import os
import re
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
        return Bmc(b["redfish"]["url"], acc["username"], acc["password"])

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

    def __init__(self, url, username, password):
        self.url, self.username, self.password = url, username, password
        self.hostport = url.split("//", 1)[1]

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
        return http_call(req, timeout)

    def get(self, path):
        status, _, body = self.call("GET", path)
        assert status == 200, (path, status, body)
        return body


def http_call(req, timeout=10):
    """Returns (status, headers, parsed JSON body or text)."""
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
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
