"""cmcd's AccountService and SessionService against a real cmcsim rack and a
real cmcd: accounts created through the API (Operator, ReadOnly), the roles'
privileges (ReadOnly writes nothing, Operator resets but manages no account),
lockout after repeated bad passwords and its end, the session timeout shown,
logout, sessions ended with their account, accounts surviving a restart, the
first start's generated administrator password, every response of the
AccountService validated against DMTF's schemas, and no password or token in
cmcd's output."""
import base64
import json
import os
import re
import time
import unittest
import urllib.request

from cmcdlib import ADMIN, FAST, Cmcd, Sim, http_call, wait_until
from simlib import assert_dmtf_error
from test_cmcd_schemas import dmtf_validator

SERVICE = "/redfish/v1/AccountService"
ACCOUNTS = SERVICE + "/Accounts"
ROLES = SERVICE + "/Roles"
SESSIONS = "/redfish/v1/SessionService/Sessions"
SYSTEMS = "/redfish/v1/Systems"
BLOCKS = "/redfish/v1/CompositionService/ResourceBlocks"

OPERATOR = ("operator1", "operator-pw-1")
READONLY = ("viewer1", "viewer-pw-1")
LOCKME = ("lockme", "lockme-pw-1")

IDLE_S = 30  # the minimum SessionTimeout DMTF allows; the expiry itself is e2e_northbound_security's
LOCK_S = 2
CONFIG = dict(FAST)
CONFIG.update({
    "accountService": {"lockoutThreshold": 3, "lockoutDurationSeconds": LOCK_S, "lockoutCounterResetSeconds": LOCK_S},
    "sessions": {"idleTimeoutSeconds": IDLE_S},
    "identityPools": [
        {"name": "macs", "kind": "MAC", "first": "02:00:0a:00:00:01", "last": "02:00:0a:00:00:40"},
        {"name": "wwpns", "kind": "WWPN", "first": "20:00:00:25:b5:00:00:01", "last": "20:00:00:25:b5:00:00:40"},
        {"name": "ips", "kind": "IPv4", "first": "10.0.0.11", "last": "10.0.0.60", "subnet": "10.0.0.0/24",
         "gateway": "10.0.0.1"},
        {"name": "uuids", "kind": "UUID", "prefix": "4f70656e-434d-4300-8000", "first": 1, "last": 4096},
    ],
    "sparePools": [{"name": "spares", "members": [{"slot": 2, "kind": "Cold"}]}],
    "logicalServers": [{
        "name": "web01", "blade": 1, "uuidPool": "uuids",
        "vnics": [{"name": "eth0", "macPool": "macs", "ipPool": "ips"}],
        "vhbas": [{"name": "fc0", "wwpnPool": "wwpns"}],
        "bootVolume": {"volume": "web01-boot", "lun": 0},
        "failover": {"sparePool": "spares", "priority": 1, "automatic": False},
    }],
    "failover": {"holdMs": 0},
})

VALIDATORS = {
    "#AccountService.v1_18_1.AccountService": ("AccountService.v1_18_1.json", "AccountService"),
    "#ManagerAccount.v1_14_1.ManagerAccount": ("ManagerAccount.v1_14_1.json", "ManagerAccount"),
    "#Role.v1_3_3.Role": ("Role.v1_3_3.json", "Role"),
    "#RoleCollection.RoleCollection": ("RoleCollection.json", "RoleCollection"),
    "#ManagerAccountCollection.ManagerAccountCollection": ("ManagerAccountCollection.json",
                                                           "ManagerAccountCollection"),
    "#Session.v1_7_0.Session": ("Session.v1_8_0.json", "Session"),
}
_validators = {}


def validate(testcase, body):
    """Validates a body against DMTF's schema of the type it declares."""
    kind = body["@odata.type"]
    testcase.assertIn(kind, VALIDATORS, body)
    if kind not in _validators:
        _validators[kind] = dmtf_validator(*VALIDATORS[kind])
    errors = sorted(_validators[kind].iter_errors(body), key=str)
    testcase.assertEqual([], [e.message for e in errors], json.dumps(body, indent=1))


class Client:
    """Secrets this test sent (every one is looked for in cmcd's output at the end)."""
    secrets = set()

    def __init__(self, cmcd):
        self.cmcd = cmcd

    def call(self, method, path, body=None, auth=ADMIN, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.cmcd.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth and not token:
            Client.secrets.add(auth[1])
            req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        if token:
            Client.secrets.add(token)
            req.add_header("X-Auth-Token", token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        return http_call(req, 15)

    def login(self, user, password):
        Client.secrets.add(password)
        status, headers, body = self.call("POST", SESSIONS, {"UserName": user, "Password": password}, auth=None)
        assert status == 201, (status, body)
        token = headers["X-Auth-Token"]
        Client.secrets.add(token)
        return token, headers["Location"]


def account_uri(client, user):
    status, _, coll = client.call("GET", ACCOUNTS)
    assert status == 200, coll
    for m in coll["Members"]:
        _, _, a = client.call("GET", m["@odata.id"])
        if a["UserName"] == user:
            return m["@odata.id"]
    return None


class AccountsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=2, speed=20)
        try:
            status, _, body = cls.sim.api("POST", "/sim/v1/volumes", {"name": "web01-boot", "lun": 0})
            assert status in (200, 201), body
            cls.cmcd = Cmcd(manifest=cls.sim.manifest_path, config=CONFIG)
            cls.c = Client(cls.cmcd)
            for user, pw, role in (OPERATOR + ("Operator",), READONLY + ("ReadOnly",), LOCKME + ("ReadOnly",)):
                status, headers, body = cls.c.call("POST", ACCOUNTS, {"UserName": user, "Password": pw, "RoleId": role})
                assert status == 201, (user, status, body)
        except BaseException:
            cls.sim.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cmcd.cleanup()
        cls.sim.stop()

    def assert_error(self, got, status, message_id):
        self.assertEqual(status, got[0], got[2])
        assert_dmtf_error(self, got[2], message_id)

    def test_account_service_accounts_and_roles_validate_and_hide_passwords(self):
        svc = self.c.call("GET", SERVICE)[2]
        validate(self, svc)
        self.assertEqual(3, svc["AccountLockoutThreshold"])
        self.assertEqual(LOCK_S, svc["AccountLockoutDuration"])
        self.assertEqual(8, svc["MinPasswordLength"])
        root = self.c.call("GET", "/redfish/v1")[2]
        self.assertEqual(SERVICE, root["AccountService"]["@odata.id"])
        coll = self.c.call("GET", ACCOUNTS)[2]
        validate(self, coll)
        self.assertGreaterEqual(coll["Members@odata.count"], 4)
        names = {}
        for m in coll["Members"]:
            status, headers, a = self.c.call("GET", m["@odata.id"])
            self.assertEqual(200, status)
            self.assertIn("ETag", headers)
            validate(self, a)
            self.assertIsNone(a["Password"])
            self.assertEqual(["Redfish"], a["AccountTypes"])
            names[a["UserName"]] = a
        self.assertEqual("Administrator", names["admin"]["RoleId"])
        self.assertEqual("Operator", names[OPERATOR[0]]["RoleId"])
        self.assertEqual(ROLES + "/ReadOnly", names[READONLY[0]]["Links"]["Role"]["@odata.id"])
        roles = self.c.call("GET", ROLES)[2]
        validate(self, roles)
        self.assertEqual(3, roles["Members@odata.count"])
        want = {"Administrator": {"Login", "ConfigureManager", "ConfigureUsers", "ConfigureComponents",
                                  "ConfigureSelf"},
                "Operator": {"Login", "ConfigureComponents", "ConfigureSelf"},
                "ReadOnly": {"Login", "ConfigureSelf"}}
        for role, privileges in want.items():
            r = self.c.call("GET", ROLES + "/" + role)[2]
            validate(self, r)
            self.assertTrue(r["IsPredefined"])
            self.assertEqual(privileges, set(r["AssignedPrivileges"]))
        self.assert_error(self.c.call("GET", ROLES + "/Superuser"), 404, "ResourceNotFound")

    def test_bad_account_requests_are_refused_with_dmtf_messages(self):
        c = self.c
        self.assert_error(c.call("POST", ACCOUNTS, {"UserName": OPERATOR[0], "Password": "another-pw", "RoleId": "ReadOnly"}),
                          409, "ResourceAlreadyExists")
        self.assert_error(c.call("POST", ACCOUNTS, {"UserName": "x1", "Password": "another-pw", "RoleId": "Root"}),
                          400, "PropertyValueNotInList")
        got = c.call("POST", ACCOUNTS, {"UserName": "x1", "Password": "short", "RoleId": "ReadOnly"})
        self.assert_error(got, 400, "PasswordIncorrectLength")
        self.assertIn("8 to 64 characters", json.dumps(got[2]))
        got = c.call("POST", ACCOUNTS, {"UserName": "samesame", "Password": "SameSame", "RoleId": "ReadOnly"})
        self.assert_error(got, 400, "PasswordComplexityNotMet")
        self.assertIn("must not be the user name", json.dumps(got[2]))
        self.assert_error(c.call("POST", ACCOUNTS, {"UserName": "x1", "RoleId": "ReadOnly"}), 400,
                          "CreateFailedMissingReqProperties")
        self.assert_error(c.call("POST", ACCOUNTS, {"UserName": "x1", "Password": "another-pw", "RoleId": "ReadOnly",
                                                    "Colour": 1}), 400, "PropertyUnknown")
        self.assert_error(c.call("PATCH", SERVICE, {"AccountLockoutDuration": 1, "AccountLockoutCounterResetAfter": 5}),
                          400, "PropertyValueIncorrect")
        # The last enabled administrator stays.
        self.assert_error(c.call("DELETE", ACCOUNTS + "/1"), 409, "ResourceInUse")
        self.assert_error(c.call("PATCH", ACCOUNTS + "/1", {"RoleId": "ReadOnly"}), 409, "ResourceInUse")
        self.assert_error(c.call("GET", ACCOUNTS + "/999"), 404, "ResourceNotFound")
        self.assertEqual(200, c.call("GET", ACCOUNTS + "/1")[0])

    def test_readonly_writes_nothing_operator_resets_but_manages_no_account(self):
        c = self.c
        wait_until(lambda: c.call("GET", SYSTEMS + "/web01")[0] == 200, timeout=60, what="web01 declared")
        ro = READONLY
        writes = [
            ("PATCH", SYSTEMS + "/web01", {"Boot": {"BootSourceOverrideTarget": "Pxe"}}),
            ("POST", SYSTEMS, {"Name": "web09"}),
            ("DELETE", SYSTEMS + "/web01", None),
            ("POST", SYSTEMS + "/web01/Actions/ComputerSystem.Reset", {"ResetType": "ForceOff"}),
            ("POST", BLOCKS + "/blade-2/Actions/Oem/OpenCMC.SetMaintenance", {}),
            ("POST", ACCOUNTS, {"UserName": "x2", "Password": "another-pw", "RoleId": "Administrator"}),
            ("PATCH", ACCOUNTS + "/1", {"Password": "taken-over-pw"}),
            ("DELETE", ACCOUNTS + "/1", None),
            ("PATCH", SERVICE, {"AccountLockoutThreshold": 0}),
        ]
        for method, path, body in writes:
            self.assert_error(c.call(method, path, body, auth=ro), 403, "InsufficientPrivilege")
        # A ReadOnly user sees only their own account, and may not raise their own role.
        mine = [m["@odata.id"] for m in c.call("GET", ACCOUNTS, auth=ro)[2]["Members"]]
        self.assertEqual(1, len(mine))
        self.assertEqual(READONLY[0], c.call("GET", mine[0], auth=ro)[2]["UserName"])
        self.assert_error(c.call("GET", ACCOUNTS + "/1", auth=ro), 403, "InsufficientPrivilege")
        self.assert_error(c.call("PATCH", mine[0], {"RoleId": "Administrator"}, auth=ro), 403, "InsufficientPrivilege")
        # Operator: manages components, not accounts.
        op = OPERATOR
        self.assert_error(c.call("POST", ACCOUNTS, {"UserName": "x3", "Password": "another-pw", "RoleId": "ReadOnly"},
                                 auth=op), 403, "InsufficientPrivilege")
        self.assert_error(c.call("PATCH", SERVICE, {"AccountLockoutThreshold": 0}, auth=op), 403,
                          "InsufficientPrivilege")
        wait_until(lambda: c.call("GET", SYSTEMS + "/web01")[2]["PowerState"] == "On", timeout=90, interval=0.2,
                   what="web01 bound and on")
        status, _, body = c.call("POST", SYSTEMS + "/web01/Actions/ComputerSystem.Reset", {"ResetType": "On"}, auth=op)
        self.assertIn(status, (200, 202, 204), body)

    def test_own_password_change_with_configure_self_ends_the_old_credentials(self):
        c = self.c
        user, old = ("selfchange", "selfchange-pw-1")
        new = "selfchange-pw-2"
        Client.secrets.update({old, new})
        status, headers, body = c.call("POST", ACCOUNTS, {"UserName": user, "Password": old, "RoleId": "ReadOnly"})
        self.assertEqual(201, status, body)
        uri = headers["Location"]
        token, _ = c.login(user, old)
        self.assertEqual(200, c.call("GET", uri, token=token)[0])
        status, _, body = c.call("PATCH", uri, {"Password": new}, auth=(user, old))
        self.assertEqual(200, status, body)
        self.assertIsNone(body["Password"])
        self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", auth=(user, old))[0])
        self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", token=token)[0])  # its session ended
        self.assertEqual(200, c.call("GET", "/redfish/v1/Chassis", auth=(user, new))[0])

    def test_lockout_after_bad_passwords_refuses_the_right_one_until_the_duration_ends(self):
        c = self.c
        user, pw = LOCKME
        self.assertEqual(200, c.call("GET", "/redfish/v1/Chassis", auth=(user, pw))[0])
        for i in range(3):
            self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", auth=(user, "bad-guess-%d" % i))[0])
        locked_at = time.monotonic()
        self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", auth=(user, pw))[0])  # even the right one
        status, _, _ = c.call("POST", SESSIONS, {"UserName": user, "Password": pw}, auth=None)
        self.assertEqual(401, status)
        uri = account_uri(c, user)
        self.assertTrue(c.call("GET", uri)[2]["Locked"])
        self.assertIn("user=lockme locked for %d s" % LOCK_S, self.cmcd.read_log())
        wait_until(lambda: c.call("GET", "/redfish/v1/Chassis", auth=(user, pw))[0] == 200, timeout=10,
                   interval=0.2, what="the lockout to end")
        self.assertGreaterEqual(time.monotonic() - locked_at, LOCK_S - 0.2)
        self.assertFalse(c.call("GET", uri)[2]["Locked"])
        # An administrator can also clear a lockout at once.
        for i in range(3):
            c.call("GET", "/redfish/v1/Chassis", auth=(user, "bad-again-%d" % i))
        self.assertTrue(c.call("GET", uri)[2]["Locked"])
        self.assertEqual(200, c.call("PATCH", uri, {"Locked": False})[0])
        self.assertEqual(200, c.call("GET", "/redfish/v1/Chassis", auth=(user, pw))[0])

    def test_sessions_logout_and_ended_with_their_account(self):
        c = self.c
        token, location = c.login(*READONLY)
        status, _, s = c.call("GET", location, token=token)
        self.assertEqual(200, status)
        validate(self, s)
        self.assertEqual(IDLE_S, c.call("GET", "/redfish/v1/SessionService", token=token)[2]["SessionTimeout"])
        # Logout (ReadOnly may end its own session): the token is refused after.
        token, location = c.login(*READONLY)
        self.assertIn(c.call("DELETE", location, token=token)[0], (200, 204))
        self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", token=token)[0])
        # An account deleted: its sessions end.
        user, pw = ("shortlived", "shortlived-pw")
        status, headers, _ = c.call("POST", ACCOUNTS, {"UserName": user, "Password": pw, "RoleId": "Operator"})
        self.assertEqual(201, status)
        token, _ = c.login(user, pw)
        self.assertEqual(200, c.call("GET", "/redfish/v1/Chassis", token=token)[0])
        self.assertEqual(204, c.call("DELETE", headers["Location"])[0])
        self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", token=token)[0])
        self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", auth=(user, pw))[0])
        # Disabled: likewise.
        token, _ = c.login(*OPERATOR)
        uri = account_uri(c, OPERATOR[0])
        self.assertEqual(200, c.call("PATCH", uri, {"Enabled": False})[0])
        self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", token=token)[0])
        self.assertEqual(401, c.call("GET", "/redfish/v1/Chassis", auth=OPERATOR)[0])
        self.assertEqual(200, c.call("PATCH", uri, {"Enabled": True})[0])
        self.assertEqual(200, c.call("GET", "/redfish/v1/Chassis", auth=OPERATOR)[0])

    def test_z_accounts_survive_a_restart_and_no_secret_is_in_the_output(self):
        c = self.c
        before = sorted(m["@odata.id"] for m in c.call("GET", ACCOUNTS)[2]["Members"])
        self.cmcd.stop()
        log = self.cmcd.read_log()
        again = Cmcd(manifest=self.sim.manifest_path, config=CONFIG, workdir=self.cmcd.dir)
        try:
            c2 = Client(again)
            self.assertEqual(before, sorted(m["@odata.id"] for m in c2.call("GET", ACCOUNTS)[2]["Members"]))
            self.assertEqual(200, c2.call("GET", "/redfish/v1/Chassis", auth=READONLY)[0])
            self.assertEqual(401, c2.call("GET", "/redfish/v1/Chassis", auth=(READONLY[0], "not-it-at-all"))[0])
            self.assertIn("accounts from the database", again.read_log())
            log += again.read_log()
        finally:
            again.stop()
            self.cmcd = again  # tearDownClass cleans up
            type(self).cmcd = again
        self.assertGreater(len(Client.secrets), 10)
        for secret in Client.secrets:
            self.assertNotIn(secret, log, "a password or token is in cmcd's output")


class FirstStartTest(unittest.TestCase):
    def test_generated_administrator_password_printed_once_works_and_is_not_printed_again(self):
        first = Cmcd(config={"admin": None})
        try:
            m = re.findall(r"administrator 'admin' created with the generated password (\S+) ", first.read_log())
            self.assertEqual(1, len(m), first.read_log())
            generated = m[0]
            self.assertGreaterEqual(len(generated), 16)
            self.assertEqual(200, first.get("/redfish/v1/Chassis", auth=("admin", generated))[0])
            self.assertEqual(401, first.get("/redfish/v1/Chassis", auth=ADMIN)[0])
            first.stop()
            self.assertEqual(1, first.read_log().count(generated))  # that one line, nowhere else
            second = Cmcd(config={"admin": None}, workdir=first.dir)
            try:
                self.assertEqual(200, second.get("/redfish/v1/Chassis", auth=("admin", generated))[0])
                self.assertNotIn("generated password", second.read_log())
                self.assertNotIn(generated, second.read_log())
            finally:
                second.stop()
        finally:
            first.cleanup()

    def test_configured_administrator_seeds_the_first_start_only(self):
        first = Cmcd()
        try:
            self.assertIn("first start: administrator 'admin' from the configuration", first.read_log())
            self.assertEqual(200, first.get("/redfish/v1/Chassis")[0])
            first.stop()
            # Later starts keep the database's accounts: another configured password does not apply.
            second = Cmcd(config={"admin": {"username": "admin", "password": "changed-in-config"}}, workdir=first.dir)
            try:
                self.assertEqual(200, second.get("/redfish/v1/Chassis")[0])
                self.assertEqual(401, second.get("/redfish/v1/Chassis", auth=("admin", "changed-in-config"))[0])
                self.assertNotIn(ADMIN[1], second.read_log())
            finally:
                second.stop()
        finally:
            first.cleanup()


if __name__ == "__main__":
    unittest.main()
