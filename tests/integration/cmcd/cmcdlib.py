"""Helpers for cmcd integration tests: a cmcsim rack plus a cmcd process on
free ports with a temporary database, and a Redfish client for cmcd."""
import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "e2e"))
from simlib import BIN, Sim, http_call, wait_until  # noqa: E402,F401

ADMIN = ("admin", "integration-test-pw")


class Cmcd:
    def __init__(self, manifest=None, db=None, config=None, extra=(), expect_start=True, workdir=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="cmcd-test-") if workdir is None else None
        self.dir = workdir or self.tmp.name
        self.db = db or os.path.join(self.dir, "cmc.db")
        # No lockout unless a test asks for it: many tests send wrong passwords on purpose.
        cfg = {"admin": {"username": ADMIN[0], "password": ADMIN[1]}, "accountService": {"lockoutThreshold": 0}}
        for k, v in (config or {}).items():
            cfg[k] = v
        cfg = {k: v for k, v in cfg.items() if v is not None}  # {"admin": None}: a config without one
        self.config_path = os.path.join(self.dir, "cmcd.json")
        with open(self.config_path, "w") as f:
            json.dump(cfg, f)
        self.log_path = os.path.join(self.dir, "cmcd.%d.log" % int(time.time() * 1000))
        self.log = open(self.log_path, "w+")
        args = [os.path.join(BIN, "cmcd"), "--config", self.config_path, "--db", self.db, "--listen", "127.0.0.1:0"]
        if manifest:
            args += ["--rack", manifest]
        args += list(extra)
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = None
        if not expect_start:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("cmcd exited %s: %s" % (self.proc.returncode, self.read_log()))
            m = re.search(r"listening on (http://[0-9.:]+)/redfish/v1", self.read_log())
            if m:
                self.url = m.group(1)
                break
            time.sleep(0.02)
        if not self.url:
            self.stop()
            raise RuntimeError("cmcd did not start: " + self.read_log())

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def get(self, path, auth=ADMIN, timeout=10):
        req = urllib.request.Request(self.url + path, method="GET")
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        return http_call(req, timeout)

    def json(self, path):
        status, _, body = self.get(path)
        assert status == 200, (path, status, body)
        return body

    def blade(self, slot):
        return self.json("/redfish/v1/Chassis/blade-%d" % slot)

    def health(self, slot):
        return self.blade(slot)["Oem"]["OpenCMC"]["Health"]["State"]

    def health_detail(self, slot):
        """Oem.OpenCMC.Health of a blade: State, Reason, BadSignals, Signals.{Ipmi,Redfish,Heartbeat}."""
        return self.blade(slot)["Oem"]["OpenCMC"]["Health"]

    def monitor(self):
        """cmcd's poll counters (Oem.OpenCMC.Monitor of /redfish/v1/Managers/cmc)."""
        return self.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["Monitor"]

    def wait_polls(self, check=None, timeout=30, **more):
        """Waits until each named counter (IpmiPolls=, RedfishPolls=, FabricPolls=) has advanced
        by at least the given number from now, so that a "nothing happens" window spans real
        polls rather than a sleep. check(), when given, runs at every step (it asserts that
        nothing happens meanwhile)."""
        start = self.monitor()

        def advanced():
            if check:
                check()
            now = self.monitor()
            return all(now[k] - start[k] >= n for k, n in more.items()) and now
        return wait_until(advanced, timeout=timeout, interval=0.05,
                          what="cmcd polls to advance by %r from %r" % (more, {k: start[k] for k in more}))

    def events(self):
        return self.json("/redfish/v1/Managers/cmc/LogServices/EventLog/Entries")["Members"]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def cleanup(self):
        self.stop()
        if self.tmp:
            self.tmp.cleanup()


FAST = {"monitor": {"redfishIntervalMs": 500, "redfishLossThresholdMs": 2000, "heartbeatIntervalMs": 200}}
