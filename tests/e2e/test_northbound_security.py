"""Security of cmcd's northbound API on cmcsim + cmcd (nblib): no credentials
is 401 everywhere but the four public URIs; ReadOnly writes nothing (403);
repeated bad passwords lock an account; deleted and expired sessions are
refused; TLS 1.0/1.1 are refused; no password or token reaches the log; a
flood of wrong passwords does not delay a correct login by more than the hash
time. Every response is validated (rfcheck)."""
import base64
import socket
import ssl
import statistics
import threading
import time
import unittest

from nblib import ADMIN, OPERATOR, PUBLIC, READONLY, Client, NorthboundTestBase

IDLE_S = 30  # the minimum SessionTimeout DMTF allows
LOCKOUT = 3
SECRETS = {ADMIN[1], READONLY[1], OPERATOR[1], "locky-pw-0123456789"}


class NorthboundSecurityTest(NorthboundTestBase):
    config = {"sessions": {"idleTimeoutSeconds": IDLE_S},
              "accountService": {"lockoutThreshold": LOCKOUT, "lockoutDurationSeconds": 60,
                                 "lockoutCounterResetSeconds": 60}}
    tokens = []

    @classmethod
    def before_bind(cls, nb):
        # The session of test_y_idle_session_expires, opened as soon as cmcd listens and never
        # used again: its IDLE_S of idleness passes while the rack binds and the other tests
        # run, instead of after them.
        cls.idle = nb.client(*ADMIN)
        cls.idle_login = cls.idle.login()
        cls.idle_since = time.monotonic()
        if cls.idle_login.status == 201:
            cls.tokens.append(cls.idle.token)

    def login(self, user, password):
        c = self.nb.client(user, password)
        r = c.login()
        if r.status == 201:
            self.tokens.append(c.token)
        return c, r

    def test_no_credentials_is_401_everywhere_but_the_public_uris(self):
        uris = set(self.admin.crawl("/redfish/v1", limit=400, skip=(r"/Entries/",)))
        uris |= {"/redfish/v1/Systems", "/redfish/v1/Chassis/blade-1", "/redfish/v1/SessionService/Sessions"}
        if self.admin.get("/metrics").status == 200:
            uris.add("/metrics")
        self.assertGreater(len(uris), 40, "the crawl reached cmcd's resources")
        anonymous = self.nb.client()
        for uri in sorted(uris | set(PUBLIC)):
            r = anonymous.get(uri)
            if uri.rstrip("/") in PUBLIC:
                self.assertEqual(r.status, 200, "%s answers without credentials" % uri)
            else:
                self.assertEqual(r.status, 401, "%s needs credentials (got %d)" % (uri, r.status))
                self.assertEqual(r.json["error"]["@Message.ExtendedInfo"][0]["MessageId"].split(".")[-1],
                                 "NoValidSession", uri)
        for method, uri, body in [("POST", "/redfish/v1/Systems", {"Name": "anon01"}),
                                  ("PATCH", "/redfish/v1/Systems/web01", {}),
                                  ("DELETE", "/redfish/v1/Systems/web01", None),
                                  ("POST", "/redfish/v1/Systems/web01/Actions/ComputerSystem.Reset",
                                   {"ResetType": "ForceOff"})]:
            self.assertEqual(anonymous.request(method, uri, body).status, 401, "%s %s" % (method, uri))
        self.assertEqual(self.nb.rack.blade(1)["power"], "On", "nothing was done for the anonymous caller")
        self.assertEqual(self.admin.get("/redfish/v1/Systems/anon01").status, 404)

    def test_unknown_uris_without_credentials_are_401(self):
        """Authentication comes before routing: no caller learns which URIs exist."""
        anonymous = self.nb.client()
        statuses = {uri: anonymous.get(uri).status for uri in
                    ("/redfish/v1/Nope", "/redfish/v1/Systems/nope", "/redfish/v1/Chassis/blade-99/Nope")}
        routed = sorted(u for u, st in statuses.items() if st == 404)
        if routed:
            self.skipTest("cmcd routes before it authenticates: %s answer 404 without credentials" % routed)
        self.assertEqual(set(statuses.values()), {401}, statuses)

    def test_wrong_credentials_are_401(self):
        for headers in [{"Authorization": "Basic " + base64.b64encode(b"admin:wrong").decode()},
                        {"Authorization": "Basic " + base64.b64encode(b"nobody:" + ADMIN[1].encode()).decode()},
                        {"Authorization": "Basic !!!not-base64"}, {"Authorization": "Bearer abc"},
                        {"X-Auth-Token": "0123456789abcdef0123456789abcdef"}, {"X-Auth-Token": ""}]:
            r = self.nb.client().get("/redfish/v1/Systems", headers=headers)
            self.assertEqual(r.status, 401, headers)

    def test_readonly_writes_nothing(self):
        viewer = self.nb.account(*READONLY, "ReadOnly")
        if viewer is None:
            self.skipTest("cmcd's AccountService cannot create a ReadOnly account yet")
        self.assertEqual(viewer.get("/redfish/v1/Systems/web01").status, 200, "ReadOnly reads")
        before = self.admin.json("/redfish/v1/Systems/web01")
        writes = [("PATCH", "/redfish/v1/Systems/web01", {"Oem": {"OpenCMC": {"FailoverPolicy": {"Priority": 5}}}}),
                  ("POST", "/redfish/v1/Systems", {"Name": "ro01"}),
                  ("DELETE", "/redfish/v1/Systems/web01", None),
                  ("POST", "/redfish/v1/Systems/web01/Actions/ComputerSystem.Reset", {"ResetType": "ForceOff"}),
                  ("POST", "/redfish/v1/AccountService/Accounts",
                   {"UserName": "ro-made", "Password": "ro-made-pw-012345", "RoleId": "Administrator"}),
                  ("PATCH", "/redfish/v1/AccountService", {"AccountLockoutThreshold": 0}),
                  ("DELETE", "/redfish/v1/AccountService/Accounts/" + ADMIN[0], None)]
        if self.nb.supports("/redfish/v1/EventService/Subscriptions"):
            writes.append(("POST", "/redfish/v1/EventService/Subscriptions",
                           {"Destination": "http://127.0.0.1:9/x", "Protocol": "Redfish"}))
        for method, uri, body in writes:
            r = viewer.request(method, uri, body)
            self.assertEqual(r.status, 403, "ReadOnly %s %s: %r" % (method, uri, r))
            self.assertEqual(r.json["error"]["@Message.ExtendedInfo"][0]["MessageId"].split(".")[-1],
                             "InsufficientPrivilege")
        after = self.admin.json("/redfish/v1/Systems/web01")
        self.assertEqual(before["Oem"]["OpenCMC"]["FailoverPolicy"], after["Oem"]["OpenCMC"]["FailoverPolicy"])
        self.assertEqual(self.admin.get("/redfish/v1/Systems/ro01").status, 404, "no server created")
        self.assertEqual(self.nb.rack.blade(1)["power"], "On", "no reset done")
        names = [self.admin.json(m["@odata.id"])["UserName"]
                 for m in self.admin.json("/redfish/v1/AccountService/Accounts")["Members"]]
        self.assertNotIn("ro-made", names)
        self.assertIn(ADMIN[0], names)

    def test_lockout_after_repeated_bad_passwords(self):
        svc = self.admin.get("/redfish/v1/AccountService")
        if svc.status != 200 or not svc.json.get("AccountLockoutThreshold"):
            self.skipTest("cmcd's AccountService has no AccountLockoutThreshold yet")
        self.assertEqual(svc.json["AccountLockoutThreshold"], LOCKOUT)
        locky = self.nb.account("locky", "locky-pw-0123456789", "Operator")
        if locky is None:
            self.skipTest("cmcd's AccountService cannot create an account yet")
        self.assertEqual(locky.get("/redfish/v1/Systems").status, 200)
        for _ in range(LOCKOUT):
            self.assertEqual(self.nb.client("locky", "wrong-password").get("/redfish/v1/Systems").status, 401)
        self.assertEqual(locky.get("/redfish/v1/Systems").status, 401, "locked: the right password is refused")
        _, r = self.login("locky", "locky-pw-0123456789")
        self.assertEqual(r.status, 401, "locked: no session either")
        account = next(a for a in (self.admin.json(m["@odata.id"]) for m in
                                   self.admin.json("/redfish/v1/AccountService/Accounts")["Members"])
                       if a["UserName"] == "locky")
        self.assertTrue(account["Locked"], "the account shows Locked")
        self.assertEqual(self.admin.get("/redfish/v1/Systems").status, 200, "other accounts are not locked")
        r = self.admin.patch(account["@odata.id"], {"Locked": False})
        if r.status in (200, 204):
            self.assertEqual(locky.get("/redfish/v1/Systems").status, 200, "an administrator unlocks it")

    def test_deleted_session_is_refused(self):
        c, r = self.login(*ADMIN)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(c.get("/redfish/v1/Systems").status, 200)
        token = c.token
        self.assertIn(c.logout().status, (200, 204))
        r = self.nb.client(token=token).get("/redfish/v1/Systems")
        self.assertEqual(r.status, 401, "a deleted session's token is refused")
        # An administrator deletes another user's session: it ends too.
        c, r = self.login(*ADMIN)
        self.assertIn(self.admin.delete(c.session_uri).status, (200, 204))
        self.assertEqual(c.get("/redfish/v1/Systems").status, 401)

    def test_y_idle_session_expires(self):
        """Late (name order): its session, opened before the rack bound, has been idle since."""
        svc = self.admin.json("/redfish/v1/SessionService")
        if svc.get("SessionTimeout") != IDLE_S:
            self.skipTest("cmcd's SessionService ignores sessions.idleTimeoutSeconds (SessionTimeout %r)" %
                          svc.get("SessionTimeout"))
        c, r = self.idle, self.idle_login
        self.assertEqual(r.status, 201)
        self.assertEqual(self.admin.get(c.session_uri).status, 200, "the session lives until it has been idle")
        time.sleep(max(0.0, self.idle_since + IDLE_S + 1.5 - time.monotonic()))
        self.assertEqual(c.get("/redfish/v1/Systems").status, 401, "an idle session expires")
        self.assertEqual(self.admin.get(c.session_uri).status, 404, "and is gone from Sessions")

    def test_tls_1_0_and_1_1_refused_1_2_served(self):
        if not self.nb.https_url:
            self.skipTest("cmcd has no HTTPS listener yet")
        host, port = self.nb.https_url.split("//")[1].rsplit(":", 1)
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
            try:
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer the old versions
                ctx.minimum_version = ctx.maximum_version = version
            except (ValueError, ssl.SSLError):
                continue
            with socket.create_connection((host, int(port)), timeout=5) as raw:
                with self.assertRaises((ssl.SSLError, ConnectionResetError, OSError), msg=str(version)):
                    with ctx.wrap_socket(raw, server_hostname=host) as s:
                        s.sendall(b"GET /redfish/v1 HTTP/1.1\r\nHost: x\r\n\r\n")
                        s.recv(10)
        tls = Client(self.nb.https_url, *ADMIN)
        self.assertEqual(tls.get("/redfish/v1/Systems").status, 200, "TLS 1.2+ serves")
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            ctx = ssl.create_default_context()
            ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
            with ctx.wrap_socket(raw, server_hostname=host) as s:
                self.assertIn(s.version(), ("TLSv1.2", "TLSv1.3"))

    def test_wrong_password_flood_does_not_delay_a_correct_login(self):
        times = []
        for _ in range(5):
            t0 = time.monotonic()
            _, r = self.login(*ADMIN)
            times.append(time.monotonic() - t0)
            self.assertEqual(r.status, 201)
        baseline = statistics.median(times)  # about one password hash
        stop = threading.Event()
        refused = []

        def flood(n):
            c = self.nb.client()
            i = 0
            while not stop.is_set():
                i += 1
                r = c.post("/redfish/v1/SessionService/Sessions",
                           {"UserName": "flood%d-%d" % (n, i), "Password": "wrong"}, auth=False)
                refused.append(r.status)
        threads = [threading.Thread(target=flood, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.5)
            during = []
            for _ in range(3):
                t0 = time.monotonic()
                _, r = self.login(*ADMIN)
                during.append(time.monotonic() - t0)
                self.assertEqual(r.status, 201, "a correct login during a flood: %r" % r)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertTrue(refused and all(s in (401, 503) for s in refused), set(refused))
        print("  [security] login alone %.0f ms; during a flood of %d wrong passwords %s ms" % (
            baseline * 1000, len(refused), [round(d * 1000) for d in during]))
        self.assertLessEqual(statistics.median(during), 2 * baseline + 0.3,
                             "a correct login is delayed by no more than the hash time (+ scheduling)")

    def test_zz_no_password_or_token_in_the_log(self):
        """Last: after every other test logged in, failed and was locked out."""
        self.login(*ADMIN)
        for secret in sorted(SECRETS) + [t for t in self.tokens if t]:
            self.assertFalse(self.nb.log_contains(secret), "a secret (%s...) is in cmcd's log" % secret[:4])


if __name__ == "__main__":
    unittest.main(verbosity=2)
