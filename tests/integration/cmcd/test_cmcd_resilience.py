"""cmcd restarts, bad input, security: SIGKILL and restart on the same
database; malformed manifests and configs; wrong BMC credentials; a BMC that
answers garbage; a management-network outage; authentication."""
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

from cmcdlib import ADMIN, BIN, FAST, Cmcd, Sim, wait_until
from simlib import assert_dmtf_error, http_call


class RestartTest(unittest.TestCase):
    def test_sigkill_and_restart_keeps_inventory_and_history(self):
        sim = Sim(blades=4, speed=20)
        work = tempfile.TemporaryDirectory(prefix="cmcd-restart-")
        try:
            a = Cmcd(manifest=sim.manifest_path, config=FAST, workdir=work.name)
            wait_until(lambda: all(a.health(s) == "Healthy" for s in range(1, 5)), timeout=30, what="healthy")
            sim.inject(2, "power-loss")
            wait_until(lambda: a.health(2) == "Failed", timeout=10, what="slot 2 failed")
            serial = a.blade(1)["SerialNumber"]
            events_before = a.events()
            a.kill()
            # Restart on the same database without the manifest: the inventory comes from the database.
            b = Cmcd(config=FAST, workdir=work.name, db=a.db)
            try:
                self.assertEqual(b.blade(1)["SerialNumber"], serial)
                ids = [e["Id"] for e in b.events()]
                for e in events_before:
                    self.assertIn(e["Id"], ids, "event %s survived the SIGKILL" % e["Id"])
                self.assertTrue(int(ids[-1]) > int(events_before[-1]["Id"]), "ids keep increasing")
                wait_until(lambda: b.health(2) == "Failed", timeout=15, what="monitoring resumed")
                wait_until(lambda: b.health(1) == "Healthy", timeout=15, what="monitoring resumed")
                b.stop()
                con = sqlite3.connect(a.db)
                self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
                n = con.execute("SELECT COUNT(*) FROM health_transitions").fetchone()[0]
                self.assertGreater(n, 4)
                con.close()
            finally:
                b.cleanup()
                a.cleanup()
        finally:
            sim.stop()
            work.cleanup()


class ReplacedAndRemovedTest(unittest.TestCase):
    def test_replaced_blade_and_removed_blade_are_detected(self):
        work = tempfile.TemporaryDirectory(prefix="cmcd-replace-")
        sim = Sim(blades=4, speed=20, seed=7)
        try:
            a = Cmcd(manifest=sim.manifest_path, config=FAST, workdir=work.name)
            wait_until(lambda: all(a.blade(s)["SerialNumber"] for s in range(1, 5)), timeout=30, what="inventory")
            old = a.blade(2)["SerialNumber"]
            a.stop()
            sim.stop()
            # Other hardware in the same slots (another seed), one slot fewer.
            sim = Sim(blades=3, speed=20, seed=8)
            b = Cmcd(manifest=sim.manifest_path, config=FAST, workdir=work.name, db=a.db)
            try:
                new = sim.manifest["blades"][1]["serialNumber"]
                self.assertNotEqual(old, new)
                wait_until(lambda: b.blade(2)["SerialNumber"] == new, timeout=30, what="new serial read")
                replaced = [e for e in b.events() if e["MessageId"].endswith(".BladeReplaced") and e["MessageArgs"][0] == "2"]
                self.assertEqual(replaced[0]["MessageArgs"][1:], [old, new])
                removed = [e for e in b.events() if e["MessageId"].endswith(".BladeRemoved")]
                self.assertEqual([e["MessageArgs"][0] for e in removed], ["4"])
                self.assertEqual(b.blade(4)["Status"]["State"], "Absent")
                self.assertEqual(b.health(4), "Absent")
            finally:
                b.cleanup()
                a.cleanup()
        finally:
            sim.stop()
            work.cleanup()


class BadInputTest(unittest.TestCase):
    def run_cmcd(self, *args, config=None):
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "c.json")
            with open(cfg, "w") as f:
                f.write(config if config is not None else json.dumps({"admin": {"password": "x"}}))
            return subprocess.run([os.path.join(BIN, "cmcd"), "--config", cfg, "--db", os.path.join(d, "db"),
                                   "--listen", "127.0.0.1:0", *args], capture_output=True, text=True, timeout=30)

    def test_bad_flags_and_configs_exit_2(self):
        for args, config, needle in [
            (("--frobnicate",), None, "unknown option"),
            (("--listen", "nope"), None, "listen"),
            ((), "{", "not valid JSON"),
            ((), json.dumps({"monitor": {"ipmiIntervalMs": "x"}}), "monitor.ipmiIntervalMs"),
            ((), json.dumps({"colour": 1, "admin": {"password": "x"}}), "colour"),
            ((), json.dumps({"accountService": {"lockoutDurationSeconds": 10, "lockoutCounterResetSeconds": 60}}),
             "accountService.lockoutDurationSeconds"),
        ]:
            r = self.run_cmcd(*args, config=config)
            self.assertEqual(r.returncode, 2, (args, config, r.stderr))
            self.assertIn(needle, r.stderr)

    def test_malformed_and_truncated_manifests(self):
        sim = Sim(blades=2, speed=20)
        try:
            with open(sim.manifest_path) as f:
                text = f.read()
            with tempfile.TemporaryDirectory() as d:
                for name, content in [("truncated.json", text[: len(text) // 2]), ("garbage.json", "\x00\x01 not json"),
                                      ("noblades.json", json.dumps({"chassis": {}}))]:
                    p = os.path.join(d, name)
                    with open(p, "w") as f:
                        f.write(content)
                    r = self.run_cmcd("--rack", p)
                    self.assertEqual(r.returncode, 2, (name, r.stdout, r.stderr))
                    self.assertIn("manifest", r.stderr)
        finally:
            sim.stop()

    def test_bad_entries_wrong_credentials_and_garbage_bmc(self):
        sim = Sim(blades=4, speed=20)
        garbage = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        garbage.bind(("127.0.0.1", 0))
        garbage.settimeout(0.2)
        stop = threading.Event()

        def answer_garbage():
            while not stop.is_set():
                try:
                    data, addr = garbage.recvfrom(2048)
                    garbage.sendto(os.urandom(len(data) % 64 + 1), addr)
                except socket.timeout:
                    pass
        t = threading.Thread(target=answer_garbage, daemon=True)
        t.start()
        try:
            with open(sim.manifest_path) as f:
                m = json.load(f)
            m["blades"][1]["ipmi"]["password"] = "wrong-password"      # slot 2: wrong credentials
            m["blades"][2]["ipmi"]["port"] = garbage.getsockname()[1]   # slot 3: a BMC answering garbage
            m["blades"].append({"slot": "five"})                        # a malformed entry
            with tempfile.TemporaryDirectory() as d:
                p = os.path.join(d, "rack.json")
                with open(p, "w") as f:
                    json.dump(m, f)
                c = Cmcd(manifest=p, config=FAST)
                try:
                    wait_until(lambda: c.health(1) == "Healthy" and c.health(4) == "Healthy", timeout=30,
                               what="the good blades are monitored")
                    self.assertIn("skipped", c.read_log())
                    # Both bad BMCs still serve Redfish: IPMI alone is bad, so Suspect (not
                    # BmcUnreachable), with the IPMI failure named.
                    for slot in (2, 3):
                        wait_until(lambda: c.health(slot) == "Suspect", timeout=20, what="slot %d Suspect" % slot)
                        h = c.health_detail(slot)
                        self.assertEqual(h["BadSignals"], ["ipmi"], (slot, h))
                        self.assertTrue(h["Reason"].startswith("IPMI unanswered (IPMI: "), (slot, h["Reason"]))
                        self.assertTrue(h["Signals"]["Ipmi"]["Bad"])
                        self.assertFalse(h["Signals"]["Redfish"]["Bad"])
                        self.assertEqual(c.blade(slot)["Status"]["Health"], "Warning")
                    self.assertIn("authentication failed", c.health_detail(2)["Signals"]["Ipmi"]["Detail"])
                    self.assertIn("bmc=127.0.0.1:%d" % garbage.getsockname()[1],
                                  c.health_detail(3)["Signals"]["Ipmi"]["Detail"])
                    self.assertNotIn("authentication failed", c.health_detail(3)["Signals"]["Ipmi"]["Detail"])
                    self.assertNotIn("wrong-password", c.read_log(), "no password in logs")
                    self.assertIsNone(c.proc.poll())
                finally:
                    c.cleanup()
        finally:
            stop.set()
            t.join()
            garbage.close()
            sim.stop()

    def test_authentication_and_errors(self):
        c = Cmcd()
        try:
            status, _, body = c.get("/redfish/v1", auth=None)
            self.assertEqual(status, 200, "the service root needs no authentication")
            for auth in [None, (ADMIN[0], "wrong"), ("root", ADMIN[1])]:
                status, headers, body = c.get("/redfish/v1/Chassis", auth=auth)
                self.assertEqual(status, 401)
                assert_dmtf_error(self, body, "NoValidSession")
            status, _, body = c.get("/redfish/v1/Chassis/blade-99")
            self.assertEqual(status, 404)
            assert_dmtf_error(self, body, "ResourceNotFound")
            self.assertEqual(c.get("/redfish/v1/Chassis/blade-007")[0], 404)
            # Sessions: log in, use the token, log out.
            login = lambda body: http_call(urllib.request.Request(
                c.url + "/redfish/v1/SessionService/Sessions", data=json.dumps(body).encode(), method="POST",
                headers={"Content-Type": "application/json"}))
            status, _, body = login({"UserName": ADMIN[0], "Password": "wrong"})
            self.assertEqual(status, 401)
            status, _, body = login({"UserName": ADMIN[0]})
            self.assertEqual(status, 400)
            status, headers, body = login({"UserName": ADMIN[0], "Password": ADMIN[1]})
            self.assertEqual(status, 201, body)
            token, location = headers["X-Auth-Token"], headers["Location"]
            with_token = lambda method, path: http_call(urllib.request.Request(
                c.url + path, method=method, headers={"X-Auth-Token": token}))
            self.assertEqual(with_token("GET", "/redfish/v1/Chassis")[0], 200)
            self.assertEqual(with_token("DELETE", location)[0], 200)
            status, _, body = with_token("GET", "/redfish/v1/Chassis")
            self.assertEqual(status, 401)
            self.assertNotIn(ADMIN[1], c.read_log())
            self.assertNotIn(token, c.read_log(), "no session token in logs")
        finally:
            c.cleanup()


class HashedPasswordTest(unittest.TestCase):
    def test_hashed_admin_password(self):
        r = subprocess.run([os.path.join(BIN, "cmcd"), "--hash-password"], input="s3cret-hash\n",
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        digest = r.stdout.strip()
        self.assertTrue(digest.startswith("pbkdf2-sha256$"), digest)
        c = Cmcd(config={"admin": {"username": "admin", "passwordHash": digest}})
        try:
            self.assertEqual(c.get("/redfish/v1/Chassis", auth=("admin", "s3cret-hash"))[0], 200)
            self.assertEqual(c.get("/redfish/v1/Chassis", auth=("admin", "s3cret-hash"))[0], 200)  # cached
            self.assertEqual(c.get("/redfish/v1/Chassis", auth=("admin", "wrong"))[0], 401)
            status, headers, _ = http_call(urllib.request.Request(
                c.url + "/redfish/v1/SessionService/Sessions", method="POST",
                data=json.dumps({"UserName": "admin", "Password": "s3cret-hash"}).encode(),
                headers={"Content-Type": "application/json"}))
            self.assertEqual(status, 201)
            self.assertNotIn(digest, c.read_log())
        finally:
            c.cleanup()


class NetworkSanityTest(unittest.TestCase):
    def test_most_bmcs_unreachable_confirms_nothing(self):
        sim = Sim(blades=8, speed=20)
        try:
            c = Cmcd(manifest=sim.manifest_path, config=FAST)
            try:
                wait_until(lambda: all(c.health(s) == "Healthy" for s in range(1, 9)), timeout=30, what="healthy")
                for s in range(1, 8):
                    sim.inject(s, "mgmt-loss")
                wait_until(lambda: c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["ManagementNetwork"]["Suspect"],
                           timeout=10, what="network suspect")
                # Wait until cmcd holds both management paths of the 7 cut-off blades bad (every loss
                # threshold has run out), then for more poll rounds: no verdict is confirmed, the
                # last one (Healthy) is kept.
                def all_healthy():
                    self.assertEqual([c.health(s) for s in range(1, 9)], ["Healthy"] * 8)
                wait_until(lambda: all_healthy() or all(
                    c.health_detail(s)["Signals"]["Ipmi"]["Bad"] and c.health_detail(s)["Signals"]["Redfish"]["Bad"]
                    for s in range(1, 8)), timeout=30, what="IPMI and Redfish bad on slots 1-7")
                c.wait_polls(check=all_healthy, IpmiPolls=32, RedfishPolls=16)
                self.assertEqual(c.health_detail(8)["BadSignals"], [])
                self.assertFalse(any(e["MessageId"].endswith((".BladeFailed", ".BmcUnreachable")) for e in c.events()))
                self.assertTrue(any(e["MessageId"].endswith(".ManagementNetworkSuspect") for e in c.events()))
                for s in range(1, 8):
                    sim.clear(s, "mgmt-loss")
                wait_until(lambda: not c.json("/redfish/v1/Managers/cmc")["Oem"]["OpenCMC"]["ManagementNetwork"]["Suspect"],
                           timeout=20, what="network recovered")
            finally:
                c.cleanup()
        finally:
            sim.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
