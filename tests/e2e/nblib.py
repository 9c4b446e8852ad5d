"""The set-up of the northbound end-to-end tests: a cmcsim rack and cmcd with
the demo's declarations (4 logical servers web01-web04 on blades 1-4, warm
spares 5-6, a cold spare 7), its validating client as the administrator
(rfcheck.Client) and a validating proxy for the clients the tests do not
write (redfishtool, sushy, curl). Features still being built are detected at
run time (`supports`), so their tests skip with the feature named until they land."""
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from failoverlib import ADMIN, Rack, demo_config  # noqa: E402
from rfcheck import PUBLIC, Client, ValidatingProxy  # noqa: E402

SERVERS = 4
WARM, COLD = (5, 6), (7,)
READONLY = ("viewer", "viewer-pw-0123456789")
OPERATOR = ("oper", "oper-pw-0123456789")


def declarations(**extra):
    d = demo_config.declarations(SERVERS, warm=WARM, cold=COLD)
    d.update(extra)  # other top-level keys of cmcd's config (sessions, accountService, ...)
    return d


class Northbound:
    def __init__(self, before_bind=None, **config):
        """before_bind(self), when given, runs as soon as cmcd listens (self.url and
        self.client work), before its servers are bound."""
        self.dropped = []  # config keys this cmcd does not know yet (their tests skip)
        while True:
            try:
                self.rack = Rack(servers=SERVERS, declarations=declarations(**config))
                break
            except RuntimeError as e:
                m = re.search(r"unknown key '([A-Za-z]+)'", str(e))
                if not m or m.group(1) not in config:
                    raise
                self.dropped.append(m.group(1))
                config = {k: v for k, v in config.items() if k != m.group(1)}
        self.proxy = None
        try:
            self.url = self.rack.url
            if before_bind:
                before_bind(self)
            self.ids = self.rack.wait_bound(timeout=90)
            m = re.search(r"listening on (https://[0-9.:]+)/redfish/v1", self.rack.cmcd_log())
            self.https_url = m.group(1) if m else None
            self.admin = Client(self.url, *ADMIN)
            self.proxy = ValidatingProxy(self.url)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.proxy:
            self.proxy.stop()
        self.rack.stop()

    def client(self, user=None, password=None, **kw):
        return Client(self.url, user, password, **kw)

    def supports(self, path, method="GET"):
        """Whether cmcd serves this URI (a GET as the administrator answers 200)."""
        return self.admin.get(path).status == 200

    def account(self, user, password, role):
        """Creates (or finds) an account; None when the AccountService cannot create one."""
        if not self.supports("/redfish/v1/AccountService/Accounts"):
            return None
        r = self.admin.post("/redfish/v1/AccountService/Accounts",
                            {"UserName": user, "Password": password, "RoleId": role})
        if r.status in (200, 201):
            return self.client(user, password)
        existing = self.admin.json("/redfish/v1/AccountService/Accounts")["Members"]
        for m in existing:
            if self.admin.json(m["@odata.id"]).get("UserName") == user:
                return self.client(user, password)
        return None

    def curl(self, *args, timeout=30):
        r = subprocess.run(["curl", "-s", "--max-time", str(timeout), *args], capture_output=True, timeout=timeout + 5)
        return r

    def log_contains(self, secret):
        with open(self.rack.log_path, "rb") as f:
            return secret.encode() in f.read()


class NorthboundTestBase(unittest.TestCase):
    """One cmcd (and rack) per test class."""
    config = {}
    before_bind = None  # a classmethod taking the Northbound: run before the servers are bound

    @classmethod
    def setUpClass(cls):
        t0 = time.monotonic()
        cls.nb = Northbound(before_bind=cls.before_bind, **cls.config)
        cls.admin = cls.nb.admin
        print("  [northbound] %s: rack bound in %.1f s" % (cls.__name__, time.monotonic() - t0), file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        nb = cls.__dict__.get("nb")
        if nb:
            print("  [northbound] %s: validated %s; %d responses through the proxy" % (
                cls.__name__, dict(cls.admin.validated), nb.proxy.seen if nb.proxy else 0), file=sys.stderr)
            nb.stop()

    def tearDown(self):
        self.assertIsNone(self.nb.rack.cmcd.poll(), "cmcd keeps running")
        self.assertEqual(self.admin.get("/redfish/v1").status, 200, "cmcd keeps serving")
        self.nb.proxy.assert_clean()

    def need(self, path, feature):
        if not self.nb.supports(path):
            self.skipTest("cmcd does not serve %s yet (%s)" % (path, feature))


__all__ = ["ADMIN", "PUBLIC", "READONLY", "OPERATOR", "Northbound", "NorthboundTestBase", "Client"]
