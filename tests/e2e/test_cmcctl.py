"""cmcctl end to end: the CLI against a real cmcsim rack and cmcd with the
demo's declarations (16 blades, 12 logical servers on blades 1-12, warm spares
13-14, cold spares 15-16). Each test runs build/bin/cmcctl as an operator or a
script would and checks its output and exit code against cmcd's Redfish API
and the simulator: tables, --json, create/show/delete with the identity
released, maintenance, a migration waited for, an automatic failover seen by
`failovers` and `events`, and the documented exit codes (2 usage, 3 wrong
password, 4 not found, 5 cannot connect). No password or token appears in any
output but `login`'s."""
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

from failoverlib import ADMIN, Rack, log

CMCCTL = None  # set in setUpClass (needs BIN)
SYSTEMS = "/redfish/v1/Systems"
BLOCKS = "/redfish/v1/CompositionService/ResourceBlocks"


class CmcctlTest(unittest.TestCase):
    """One rack for the class; the tests run in name order (01, 02, ...) because
    some change it (a migration, a power loss)."""

    @classmethod
    def setUpClass(cls):
        from simlib import BIN
        global CMCCTL
        CMCCTL = os.path.join(BIN, "cmcctl")
        t0 = time.monotonic()
        cls.rack = Rack()
        try:
            cls.rack.sim.api("POST", "/sim/v1/volumes", {"name": "web99-boot", "lun": 0})
            # Every declared server bound and answering, the spares standing by.
            cls.rack.ids = cls.rack.wait_bound()
        except BaseException:
            cls.rack.stop()
            raise
        log("cmcctl: rack bound in %.1f s" % (time.monotonic() - t0))
        cls.tmp = tempfile.TemporaryDirectory(prefix="cmcctl-test-")
        cls.password_file = os.path.join(cls.tmp.name, "password")
        with open(cls.password_file, "w") as f:
            f.write(ADMIN[1] + "\n")
        os.chmod(cls.password_file, stat.S_IRUSR | stat.S_IWUSR)
        cls.outputs = []  # every (args, stdout, stderr) for the no-secret check
        cls.tokens = []

    @classmethod
    def tearDownClass(cls):
        cls.rack.stop()
        cls.tmp.cleanup()

    # ---- running cmcctl
    def cmcctl(self, *args, url=None, auth=True, env=None, timeout=120, record=True):
        argv = [CMCCTL]
        if url is not False:
            argv += ["--url", url or self.rack.url]
        if auth:
            argv += ["--user", ADMIN[0], "--password-file", self.password_file]
        argv += list(args)
        e = {k: v for k, v in os.environ.items() if not k.startswith("CMCCTL_")}
        e["HOME"] = self.tmp.name  # no ~/.config/cmcctl of the machine's user
        e.update(env or {})
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, env=e)
        if record:
            type(self).outputs.append((args, p.stdout, p.stderr))
        return p

    def ok(self, *args, **kw):
        p = self.cmcctl(*args, **kw)
        self.assertEqual(0, p.returncode, "cmcctl %s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout,
                                                                        p.stderr))
        return p.stdout

    def json_of(self, *args):
        return json.loads(self.ok("--json", *args))

    def rows(self, table):
        """The rows of a table (after the header), split into columns on runs of 2+ spaces."""
        lines = [line for line in table.splitlines() if line.strip()]
        import re
        return [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]

    def api(self, path):
        return self.rack.rf(path)

    # ---- the tests
    def test_01_usage_errors_exit_2_with_a_message(self):
        cases = [
            (["--bogus", "blades"], "--bogus"),
            (["blades", "--bogus"], "unknown option '--bogus'"),
            ([], "no command given"),
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["maintenance", "15", "maybe"], "on or off"),
            (["maintenance", "fifteen", "on"], "SLOT"),
            (["server"], "missing argument"),
            (["server", "create"], "missing argument"),
            (["blade", "1", "2"], "unexpected argument '2'"),
            (["--timeout", "soon", "blades"], "--timeout"),
            (["--url", "ftp://x", "blades"], "URL"),
            (["--password", "a", "--token", "b", "blades"], "one of"),
            (["events", "--limit", "-3"], "--limit"),
            (["server", "reset", "web01", "Explode"], "ResetType"),
            (["server", "delete", "web01"], "--yes"),
            (["migrate", "web01", "--to"], "needs a value"),
        ]
        for args, message in cases:
            # A usage error needs neither cmcd nor a password: a closed port proves it.
            p = self.cmcctl(*args, url="http://127.0.0.1:9", auth=False)
            self.assertEqual(2, p.returncode, (args, p.stdout, p.stderr))
            self.assertIn(message, p.stderr, args)
            self.assertEqual("", p.stdout, args)
        self.assertEqual("web01", self.api(SYSTEMS + "/web01")["Id"], "nothing was deleted")
        # --help and COMMAND --help work and document the exit codes.
        for args in (["--help"], ["help"], ["server", "create", "--help"], ["failover", "--help"]):
            p = self.cmcctl(*args, auth=False)
            self.assertEqual(0, p.returncode, args)
            self.assertIn("Exit codes", p.stdout)
            self.assertIn("6  a waited task ended Failed", p.stdout)
        self.assertIn("migrate NAME", self.cmcctl("failover", "--help").stdout)

    def test_02_blades_table_has_16_rows_and_json_matches_the_api(self):
        rows = self.rows(self.ok("blades"))
        self.assertEqual([str(s) for s in range(1, 17)], [r[0] for r in rows])
        by_slot = {int(r[0]): r for r in rows}
        self.assertEqual("web01", by_slot[1][5])
        self.assertEqual("Spare", by_slot[13][4])
        data = self.json_of("blades")
        self.assertEqual(list(range(1, 17)), [b["slot"] for b in data])
        for b in data:
            ch = self.api("/redfish/v1/Chassis/blade-%d" % b["slot"])
            rb = self.api(BLOCKS + "/blade-%d" % b["slot"])
            self.assertEqual(ch.get("PowerState"), b["power"], b)
            self.assertEqual(ch["Model"], b["model"])
            self.assertEqual(ch["Oem"]["OpenCMC"]["Health"]["State"], b["health"])
            self.assertEqual(rb["Oem"]["OpenCMC"]["Role"], b["role"])
            self.assertEqual(rb["Oem"]["OpenCMC"]["Server"], b["server"])
            self.assertEqual(rb["Oem"]["OpenCMC"]["Maintenance"], b["maintenance"])
        # One blade in detail, and the enclosure.
        out = self.ok("blade", "1")
        self.assertIn("web01", out)
        self.assertIn(self.rack.ids["web01"]["mac"], out)
        self.assertEqual(self.api("/redfish/v1/Chassis/blade-1")["SerialNumber"],
                         self.json_of("blade", "blade-1")["Chassis"]["SerialNumber"])
        self.assertEqual("Enclosure", self.json_of("chassis")["ChassisType"])
        self.assertIn("Enclosure", self.ok("chassis"))

    def test_03_servers_lists_the_declared_servers(self):
        rows = self.rows(self.ok("servers"))
        names = sorted(r[0] for r in rows)
        self.assertEqual(sorted(self.rack.ids), names)
        data = {s["name"]: s for s in self.json_of("servers")}
        self.assertEqual(sorted(self.rack.ids), sorted(data))
        for name, ident in self.rack.ids.items():
            s = data[name]
            self.assertEqual(ident["slot"], s["blade"], name)
            self.assertEqual([ident["mac"]], s["macs"], name)
            self.assertEqual([ident["ip"]], s["ips"], name)
            self.assertEqual([ident["wwpn"]], s["wwpns"], name)
            self.assertEqual("Running", s["state"], name)
        api = self.api(SYSTEMS + "/web02")
        self.assertEqual(api, self.json_of("server", "web02"), "server --json is the API's resource")
        out = self.ok("server", "web02")
        for want in (self.rack.ids["web02"]["mac"], self.rack.ids["web02"]["ip"], self.rack.ids["web02"]["wwpn"],
                     "web02-boot", api["UUID"], "default"):
            self.assertIn(want, out)
        spares = self.json_of("spares")
        self.assertEqual([13, 14, 15, 16], sorted(m["slot"] for m in spares["spares"]))
        self.assertTrue(all(c["covered"] for c in spares["coverage"]), spares["coverage"])
        pools = {p["name"]: p for p in self.json_of("pools")}
        self.assertEqual(12, pools["macs"]["used"])
        self.assertIn("macs", self.ok("pools"))

    def test_04_unknown_resources_exit_4(self):
        for args in (["server", "nosuch"], ["blade", "99"], ["task", "99999"], ["migrate", "nosuch"]):
            p = self.cmcctl(*args)
            self.assertEqual(4, p.returncode, (args, p.stdout, p.stderr))
            self.assertIn("ResourceNotFound", p.stderr, args)

    def test_05_wrong_password_exits_3_and_cmcd_not_running_exits_5(self):
        bad = os.path.join(self.tmp.name, "wrong")
        with open(bad, "w") as f:
            f.write("not-the-password\n")
        p = self.cmcctl("--user", "admin", "--password-file", bad, "blades", auth=False)
        self.assertEqual(3, p.returncode, (p.stdout, p.stderr))
        self.assertIn("login as admin", p.stderr)
        self.assertEqual("", p.stdout)
        p = self.cmcctl("--token", "0123456789abcdef", "blades", auth=False)
        self.assertEqual(3, p.returncode, (p.stdout, p.stderr))
        # Nothing listens on a port we just closed.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        p = self.cmcctl("blades", url="http://127.0.0.1:%d" % port)
        self.assertEqual(5, p.returncode, (p.stdout, p.stderr))
        self.assertIn("127.0.0.1:%d" % port, p.stderr)

    def test_06_credentials_from_env_config_and_token(self):
        env = {"CMCCTL_URL": self.rack.url, "CMCCTL_USER": ADMIN[0], "CMCCTL_PASSWORD": ADMIN[1]}
        self.assertIn("web01", self.cmcctl("servers", url=False, auth=False, env=env).stdout)
        cfg = os.path.join(self.tmp.name, "config.json")
        with open(cfg, "w") as f:
            json.dump({"url": self.rack.url, "user": ADMIN[0], "password": ADMIN[1]}, f)
        os.chmod(cfg, 0o600)
        p = self.cmcctl("--config", cfg, "servers", url=False, auth=False)
        self.assertEqual(0, p.returncode, p.stderr)
        self.assertIn("web01", p.stdout)
        p = self.cmcctl("servers", url=False, auth=False, env={"CMCCTL_CONFIG": cfg})
        self.assertEqual(0, p.returncode, p.stderr)
        with open(cfg, "w") as f:
            json.dump({"url": self.rack.url, "colour": "blue"}, f)
        p = self.cmcctl("--config", cfg, "servers", url=False, auth=False)
        self.assertEqual(2, p.returncode)
        self.assertIn("colour", p.stderr)
        # `login` prints a token a script passes on; it stays valid after cmcctl exits.
        token = self.ok("login").strip()
        self.assertGreaterEqual(len(token), 16)
        type(self).tokens.append(token)
        p = self.cmcctl("--token", token, "servers", auth=False)
        self.assertEqual(0, p.returncode, p.stderr)
        self.assertIn("web01", p.stdout)
        # The AccountService, where this cmcd has one (404 and exit 4 otherwise).
        p = self.cmcctl("accounts")
        if p.returncode == 4:
            self.assertIn("no AccountService", p.stderr)
        else:
            self.assertEqual(0, p.returncode, p.stderr)
            self.assertIn(ADMIN[0], [r[0] for r in self.rows(p.stdout)])
        # Without --token cmcctl logs out: its own session is gone at exit.
        before = len(self.api("/redfish/v1/SessionService/Sessions")["Members"])
        self.ok("servers")
        self.assertEqual(before, len(self.api("/redfish/v1/SessionService/Sessions")["Members"]))

    def test_07_create_show_delete_releases_the_identity(self):
        used = {p["name"]: p["used"] for p in self.json_of("pools")}
        out = self.ok("server", "create", "web99", "--blade", "16", "--pool", "default")
        self.assertIn("created web99", out)
        self.assertIn("Completed", out)
        s = self.json_of("server", "web99")
        self.assertEqual([{"@odata.id": "/redfish/v1/Chassis/blade-16"}], s["Links"]["Chassis"])
        mac = s["Oem"]["OpenCMC"]["VNICs"][0]["MACAddress"]
        ip = s["Oem"]["OpenCMC"]["VNICs"][0]["IPv4Address"]
        self.assertTrue(mac.startswith("02:00:0a:00:"), mac)
        self.assertTrue(ip and ip.startswith("10.0."), ip)  # the only IPv4 pool, chosen by cmcctl
        shown = self.ok("server", "web99")
        self.assertIn(mac, shown)
        self.assertIn("web99-boot", shown)
        now = {p["name"]: p["used"] for p in self.json_of("pools")}
        self.assertEqual({k: v + 1 for k, v in used.items()}, now)
        # A duplicate is refused by the API: exit 1 with its MessageId.
        p = self.cmcctl("server", "create", "web99")
        self.assertEqual(1, p.returncode, (p.stdout, p.stderr))
        self.assertIn("ResourceAlreadyExists", p.stderr)
        out = self.ok("server", "delete", "web99", "--yes")
        self.assertIn("deleted web99", out)
        self.assertEqual(4, self.cmcctl("server", "web99").returncode)
        self.assertEqual(used, {p["name"]: p["used"] for p in self.json_of("pools")}, "identity released")
        self.assertEqual(4, self.cmcctl("server", "delete", "web99", "--yes").returncode)

    def test_08_maintenance_on_and_off(self):
        def maint(slot):
            return next(b for b in self.json_of("blades") if b["slot"] == slot)["maintenance"]
        self.assertIn("maintenance on", self.ok("maintenance", "15", "on"))
        try:
            self.assertTrue(maint(15))
            self.assertTrue(self.api(BLOCKS + "/blade-15")["Oem"]["OpenCMC"]["Maintenance"])
        finally:
            self.ok("maintenance", "15", "off")
        self.assertFalse(maint(15))

    def test_09_migrate_to_a_spare_waits_for_the_task(self):
        t = time.monotonic()
        p = self.cmcctl("migrate", "web04", "--to", "14")
        log("cmcctl migrate web04 --to 14: exit %d in %.1f s" % (p.returncode, time.monotonic() - t))
        self.assertEqual(0, p.returncode, (p.stdout, p.stderr))
        self.assertIn("Completed", p.stdout)
        self.assertIn("blade 4 -> 14", p.stdout)
        s = self.api(SYSTEMS + "/web04")
        self.assertEqual([{"@odata.id": "/redfish/v1/Chassis/blade-14"}], s["Links"]["Chassis"])
        self.assertEqual(14, next(x for x in self.json_of("servers") if x["name"] == "web04")["blade"])
        # The task, in the list and alone.
        tasks = [x for x in self.json_of("failovers") if x["server"] == "web04" and x["kind"] == "Migrate"]
        self.assertEqual(1, len(tasks), tasks)
        self.assertEqual((4, 14, "Completed"), (tasks[0]["from"], tasks[0]["to"], tasks[0]["state"]))
        out = self.ok("task", tasks[0]["id"])
        self.assertIn("Verifying", out)
        self.assertEqual(tasks[0]["id"], self.json_of("failover-show", tasks[0]["id"])["Id"])
        # --no-wait returns the task at once (web04 back to blade 4); `task` follows it.
        t = time.monotonic()
        started = self.json_of("--no-wait", "migrate", "web04", "--to", "4")
        self.assertLess(time.monotonic() - t, 5)
        self.assertIn(started["TaskState"], ("New", "Starting", "Running", "Pending"))
        final = self.rack.wait(lambda: (lambda k: k if k["TaskState"] != "Running" else None)(
            self.json_of("task", started["Id"])), 40, "web04's move back to blade 4")
        self.assertEqual("Completed", final["TaskState"], final)

    def test_10_power_loss_failover_is_seen_by_failovers_and_events(self):
        self.rack.inject(1, "power-loss")

        def done():
            for x in self.json_of("failovers"):
                if x["server"] == "web01" and x["from"] == 1 and x["state"] != "Running":
                    return x
            return None
        task = self.rack.wait(done, 40, "cmcctl failovers to show web01's failover off blade 1")
        self.assertEqual("Completed", task["state"], task)
        self.assertIn(task["to"], (13, 14, 15, 16))
        rows = self.rows(self.ok("failovers"))
        self.assertIn([task["id"], task["kind"], "web01", "1", str(task["to"]), "Completed"],
                      [r[:6] for r in rows])
        events = self.json_of("events", "--limit", "200")
        ids = [e["messageId"].rsplit(".", 1)[-1] for e in events]
        self.assertIn("FailoverCompleted", ids)
        self.assertTrue(any(e["messageId"].endswith("FailoverStarted") and e["messageArgs"][:3] == [task["id"], "web01", "1"]
                            for e in events), events[-20:])
        out = self.ok("events", "--limit", "5")
        self.assertEqual(6, len([line for line in out.splitlines() if line.strip()]), out)
        api = self.api("/redfish/v1/Managers/cmc/LogServices/EventLog/Entries?$top=1")
        self.assertLessEqual(int(events[-1]["id"]), api["Members@odata.count"] + 1000)

    def test_11_watch_prints_events_as_they_happen(self):
        proc = subprocess.Popen([CMCCTL, "--url", self.rack.url, "--user", ADMIN[0], "--password-file",
                                 self.password_file, "--json", "watch"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1.5)
            self.ok("server", "create", "web98", "--no-wait")
            self.ok("server", "delete", "web98", "--yes")
            time.sleep(2.5)
        finally:
            proc.send_signal(2)
            out, err = proc.communicate(timeout=15)
        type(self).outputs.append((("watch",), out, err))
        self.assertEqual(0, proc.returncode, err)
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        names = [line["messageId"].rsplit(".", 1)[-1] for line in lines if line["messageId"]]
        self.assertIn("LogicalServerCreated", names, (lines, err))
        self.assertIn("LogicalServerDeleted", names, (lines, err))

    def test_12_mangled_answers_show_dashes_never_a_crash(self):
        """A service answering wrong-typed, missing and null properties everywhere: every command
        ends with an exit code (0, 1, 4, 5 or 6), never a signal."""
        server, url = mangled_service()
        try:
            commands = [["chassis"], ["blades"], ["blade", "3"], ["servers"], ["server", "web01"], ["spares"],
                        ["pools"], ["failovers"], ["task", "7"], ["events", "--limit", "5"], ["accounts"], ["storm"],
                        ["migrate", "web01"], ["maintenance", "3", "on"], ["server", "create", "web07"]]
            for round_ in range(3):
                for args in commands:
                    for fmt in ([], ["--json"]):
                        p = self.cmcctl("--wait-timeout", "1", *fmt, *args, url=url, record=False, timeout=30)
                        self.assertIn(p.returncode, (0, 1, 4, 5, 6), (args, p.returncode, p.stderr[-500:]))
        finally:
            server.shutdown()
            server.server_close()

    def test_13_watch_follows_an_sse_stream_and_resumes_with_last_event_id(self):
        """Where the EventService names a ServerSentEventUri, `watch` streams it: the filter goes as
        $filter, and after the stream ends it reconnects with Last-Event-ID."""
        server, url, seen = sse_service()
        try:
            proc = subprocess.Popen([CMCCTL, "--url", url, "--token", "t" * 32, "--json", "watch", "--filter",
                                     "MessageId eq 'OpenCMC.1.0.FailoverStarted'"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and len(seen) < 2:
                time.sleep(0.1)
            time.sleep(0.5)
            proc.send_signal(2)
            out, err = proc.communicate(timeout=15)
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(0, proc.returncode, err)
        self.assertGreaterEqual(len(seen), 2, (seen, err))
        self.assertEqual("MessageId eq 'OpenCMC.1.0.FailoverStarted'", seen[0]["filter"])
        self.assertIsNone(seen[0]["last"])
        self.assertEqual("2", seen[1]["last"], "the reconnect resumes after the last event seen")
        lines = [json.loads(line) for line in out.splitlines() if line.strip()]
        self.assertEqual(["1", "2", "3"], [line["id"] for line in lines], (out, err))
        self.assertEqual("/redfish/v1/Systems/web01", lines[0]["origin"])
        self.assertEqual("OpenCMC.1.0.FailoverStarted", lines[0]["messageId"])

    def test_99_no_password_or_token_in_any_output(self):
        self.assertGreater(len(self.outputs), 30)
        for args, out, err in self.outputs:
            self.assertNotIn(ADMIN[1], out + err, args)
            for token in self.tokens:
                if args != ("login",):
                    self.assertNotIn(token, out + err, args)


KEYS = ["Members", "Members@odata.count", "Members@odata.nextLink", "@odata.id", "Id", "Name", "Model",
        "PowerState", "Oem", "OpenCMC", "Health", "State", "Status", "Links", "Chassis", "Role", "Server",
        "Maintenance", "TaskState", "Messages", "Message", "MessageId", "IdentityPools", "Coverage", "Storm",
        "VNICs", "VHBAs", "MACAddress", "IPv4Address", "WWPN", "Inventory", "Nics", "Hbas", "Signals", "Ipmi",
        "FromBlade", "ToBlade", "ElapsedMs", "PhaseTimes", "PhaseDurationsMs", "Verifying", "Verify",
        "ActiveFailover", "Spares", "Slot", "Kind", "error", "@Message.ExtendedInfo", "Accounts", "UserName",
        "FailoverPolicy", "Created", "Severity", "OriginOfCondition", "BadSignals", "LastTransition", "Policy"]


def mangled(rng, depth=0):
    """Random JSON shaped like Redfish: the keys cmcctl reads, with values of any type."""
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 7, 2 ** 63, 1.5, float(10 ** 30)])
    if kind == 3:
        return rng.choice(["", "x", "/redfish/v1/Chassis/blade-3", "/redfish/v1/TaskService/Tasks/7",
                           "blade-", "\x1b[2J", "\u00e9\u4e2d", "Completed", "Running"])
    if kind == 4:
        return {"@odata.id": rng.choice(["/redfish/v1/Chassis/blade-%d" % rng.randrange(20), 5, None])}
    if kind == 5:
        return []
    if kind in (6, 7):
        return {k: mangled(rng, depth + 1) for k in rng.sample(KEYS, rng.randrange(1, 12))}
    return [mangled(rng, depth + 1) for _ in range(rng.randrange(4))]


def mangled_service():
    """An HTTP service that logs anyone in and answers everything else with mangled JSON."""
    import http.server
    import random
    import threading
    rng = random.Random(9)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            if self.command == "POST" and self.path.endswith("/Sessions"):
                status, headers = 201, {"X-Auth-Token": "t" * 32, "Location": "/redfish/v1/SessionService/Sessions/1"}
            elif self.command == "POST":
                status = rng.choice([200, 201, 202, 400, 500])
                headers = {"Location": rng.choice(["/redfish/v1/TaskService/Tasks/7", "http://x/y", ""])}
            else:
                status, headers = rng.choice([200, 200, 200, 202, 404]), {}
            body = json.dumps(mangled(rng)).encode() if rng.random() < 0.95 else b"{not json"
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = do_PATCH = answer

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d" % server.server_address[1]


def sse_service():
    """A Redfish EventService with an SSE stream: the first connection sends events 1 and 2 and
    ends, the next sends event 3 and stays open. `seen` records each stream request."""
    import http.server
    import threading
    import urllib.parse
    seen = []

    def frame(i):
        record = {"EventId": str(i), "EventTimestamp": "2026-12-01T12:00:0%dZ" % i, "MessageSeverity": "Warning",
                  "MessageId": "OpenCMC.1.0.FailoverStarted", "Message": "event %d" % i, "MessageArgs": [str(i)],
                  "OriginOfCondition": {"@odata.id": "/redfish/v1/Systems/web01"}}
        return ("id: %d\ndata: %s\n\n" % (i, json.dumps({"@odata.type": "#Event.v1_13_0.Event", "Id": str(i),
                                                            "Events": [record]}))).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            path, _, query = self.path.partition("?")
            if path == "/redfish/v1/EventService":
                body = json.dumps({"@odata.id": path, "ServerSentEventUri": "/redfish/v1/EventService/SSE"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            params = urllib.parse.parse_qs(query)
            seen.append({"filter": params.get("$filter", [None])[0], "last": self.headers.get("Last-Event-ID")})
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            if len(seen) == 1:
                self.wfile.write(frame(1) + b": keep-alive\n\n" + frame(2))
                self.wfile.flush()
                return  # the stream ends
            self.wfile.write(frame(3))
            self.wfile.flush()
            time.sleep(3)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d" % server.server_address[1], seen


if __name__ == "__main__":
    unittest.main(verbosity=2)
