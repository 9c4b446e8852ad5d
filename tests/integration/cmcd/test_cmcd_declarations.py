"""cmcd's declarative set-up: identity pools, a spare pool and logical servers
declared in the config are applied at start (identities allocated once and
kept across restarts, servers bound to their blades, spares powered as their
kind says), drift from the declaration is reported, and a bad declaration
stops cmcd with exit 2 before anything is written."""
import copy
import os
import sqlite3
import sys
import tempfile
import unittest

from cmcdlib import FAST, Cmcd, Sim, wait_until

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "simulator", "demo"))
import demo_config  # noqa: E402


def config(servers=3, warm=(5,), cold=(6,), **failover):
    cfg = copy.deepcopy(FAST)
    cfg.update(demo_config.declarations(servers=servers, warm=warm, cold=cold))
    cfg["failover"] = {"holdMs": 0, "verifyTimeoutMs": 20000, **failover}
    return cfg


def events(cmcd, key):
    return [e for e in cmcd.events() if e["MessageId"].endswith("." + key)]


class DeclarationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=6, speed=20)
        for v in demo_config.volumes(3):
            cls.sim.api("POST", "/sim/v1/volumes", v)
        cls.dir = tempfile.TemporaryDirectory(prefix="cmcd-decl-")
        cls.db = os.path.join(cls.dir.name, "cmc.db")

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()
        cls.dir.cleanup()

    def probe(self):
        return {t["ip"]: t for t in self.sim.get("/sim/v1/probe")["targets"]}

    def answering(self, count):
        def check():
            up = [t for t in self.probe().values() if t["reachable"]]
            return up if len(up) == count else None
        return wait_until(check, timeout=60, what="%d logical IPs answering" % count)

    def test_1_applied_then_kept_across_a_restart(self):
        cmcd = Cmcd(manifest=self.sim.manifest_path, db=self.db, config=config())
        try:
            up = self.answering(3)
            self.assertEqual(sorted(t["answeredBy"][0] for t in up), [1, 2, 3])
            # The warm spare is on (held at firmware), the cold one off.
            wait_until(lambda: self.sim.blade(5)["power"] == "On" and self.sim.blade(6)["power"] == "Off",
                       timeout=30, what="warm spare on, cold spare off")
            res = {r["mac"]: r["ip"] for r in self.sim.get("/sim/v1/dhcp/reservations")["reservations"]}
            self.assertEqual(sorted(res.values()), ["10.0.0.11", "10.0.0.12", "10.0.0.13"])
            for v in self.sim.get("/sim/v1/volumes")["volumes"]:
                self.assertEqual(len(v["initiators"]), 1, v)
            self.assertEqual(len(events(cmcd, "LogicalServerCreated")), 3)
        finally:
            cmcd.stop()
        # The identities are in the database; a restart allocates nothing new,
        # binds nothing again and reports no drift.
        with sqlite3.connect(self.db) as db:
            before = db.execute("SELECT kind, value, owner FROM identity_allocations ORDER BY kind, value").fetchall()
            failovers = db.execute("SELECT COUNT(*) FROM failovers").fetchone()[0]
        self.assertEqual(len(before), 12)  # 3 servers x (UUID, MAC, IP, WWPN)
        self.assertEqual(failovers, 3)
        cmcd = Cmcd(manifest=self.sim.manifest_path, db=self.db, config=config())
        try:
            wait_until(lambda: "failover orchestrator starts" in cmcd.read_log(), what="orchestrator start")
            wait_until(lambda: any(e["MessageId"].endswith(".ServiceStarted") for e in cmcd.events()),
                       what="events readable")
            self.assertEqual(len(self.answering(3)), 3)
            self.assertEqual(len(events(cmcd, "LogicalServerCreated")), 3, "nothing is created twice")
            self.assertEqual(events(cmcd, "DeclarationDrift"), [])
        finally:
            cmcd.stop()
        with sqlite3.connect(self.db) as db:
            after = db.execute("SELECT kind, value, owner FROM identity_allocations ORDER BY kind, value").fetchall()
            failovers = db.execute("SELECT COUNT(*) FROM failovers").fetchone()[0]
        self.assertEqual(before, after)
        self.assertEqual(failovers, 3, "a restart must not bind the servers again")

    def test_2_drift_is_reported(self):
        cfg = config()
        cfg["logicalServers"][0]["vnics"][0] = {"name": "eth0", "mac": "02:00:0a:00:0f:00", "ip": "10.0.0.99"}
        cfg["logicalServers"][1]["blade"] = 4
        cmcd = Cmcd(manifest=self.sim.manifest_path, db=self.db, config=cfg)
        try:
            try:
                drift = wait_until(lambda: (lambda d: d if len(d) >= 2 else None)(events(cmcd, "DeclarationDrift")),
                                   what="two drift events")
            except AssertionError:
                print("\n".join(l for l in cmcd.read_log().splitlines() if "drift" in l or "orchestrator" in l
                                 or "cannot" in l or "failover" in l)[-3000:])
                raise
            text = " ".join(e["Message"] for e in drift)
            self.assertIn("web01", text)
            self.assertIn("10.0.0.99", text)
            self.assertIn("declared on blade 4", text)
            # Drift is reported, not acted on: web02 stays on blade 2.
            self.assertEqual(self.probe()["10.0.0.12"]["answeredBy"], [2])
        finally:
            cmcd.stop()

    def test_3_bad_declarations_exit_2_and_write_nothing(self):
        base = config()
        cases = []
        dup = copy.deepcopy(base)
        for s in dup["logicalServers"][:2]:
            s["vnics"][0] = {"name": "eth0", "mac": "02:00:0a:00:0f:01", "ipPool": "ips"}
        cases.append(("duplicate MAC", dup, "already used by"))
        dup_ip = copy.deepcopy(base)
        for s in dup_ip["logicalServers"][:2]:
            s["vnics"][0] = {"name": "eth0", "macPool": "macs", "ip": "10.0.0.250"}
        cases.append(("duplicate IP", dup_ip, "already used by"))
        exhausted = copy.deepcopy(base)
        exhausted["identityPools"][0] = {"name": "macs", "kind": "MAC", "first": "02:00:0a:00:00:01",
                                         "last": "02:00:0a:00:00:02"}
        cases.append(("exhausted pool", exhausted, "exhausted"))
        unknown = copy.deepcopy(base)
        unknown["logicalServers"][0]["vnics"][0]["macPool"] = "nosuchpool"
        cases.append(("unknown identity pool", unknown, "no identity pool 'nosuchpool'"))
        nopool = copy.deepcopy(base)
        nopool["logicalServers"][0]["failover"]["sparePool"] = "elsewhere"
        cases.append(("unknown spare pool", nopool, "no spare pool 'elsewhere'"))
        malformed = copy.deepcopy(base)
        malformed["logicalServers"][0]["vnics"][0] = {"name": "eth0", "mac": "not-a-mac"}
        cases.append(("malformed MAC", malformed, "logicalServers[0]"))
        wrongkind = copy.deepcopy(base)
        wrongkind["logicalServers"][0]["vnics"][0]["macPool"] = "ips"
        cases.append(("pool of the wrong kind", wrongkind, "holds IPv4, not MAC"))
        for what, cfg, message in cases:
            with self.subTest(what):
                with tempfile.TemporaryDirectory() as d:
                    db = os.path.join(d, "cmc.db")
                    cmcd = Cmcd(manifest=self.sim.manifest_path, db=db, config=cfg, expect_start=False)
                    rc = cmcd.proc.wait(30)
                    log = cmcd.read_log()
                    cmcd.cleanup()
                    if cmcd.tmp:
                        cmcd.tmp.cleanup()
                    self.assertEqual(rc, 2, log)
                    self.assertIn(message, log)
                    if os.path.exists(db):
                        with sqlite3.connect(db) as c:
                            n = c.execute("SELECT COUNT(*) FROM identity_allocations").fetchone()[0]
                            m = c.execute("SELECT COUNT(*) FROM logical_servers").fetchone()[0]
                        self.assertEqual((n, m), (0, 0), "nothing half-allocated")


if __name__ == "__main__":
    unittest.main()
