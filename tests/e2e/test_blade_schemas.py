"""Every resource of a blade BMC validates against DMTF's JSON Schemas at the
version it declares (and its Oem.OpenCMC objects against our OEM schemas):
cmcsim's blade 1 crawled from /redfish/v1 by @odata.id links, as the
administrator, with the validating client (rfcheck). Also the bodies the
crawl does not reach: error bodies, an Event on the SSE stream, a session,
the accounts (ManagerAccount) and the NIC's port links."""
import threading
import time
import unittest

from rfcheck import Client
from simlib import Sim, wait_until

NIC = "/redfish/v1/Chassis/1/NetworkAdapters/NIC"


class BladeSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=2, speed=50)
        try:
            b = cls.sim.manifest["blades"][0]
            acc = next(a for a in b["accounts"] if a["role"] == "Administrator")
            cls.client = Client(b["redfish"]["url"], acc["username"], acc["password"])
            cls.sim.inject(1, "power-loss")  # puts entries in the SEL for the crawl to read
            wait_until(lambda: cls.client.json("/redfish/v1/Managers/bmc/LogServices/SEL/Entries")["Members"],
                       timeout=10, what="SEL entries")
            cls.sim.clear(1, "power-loss")
            cls.crawled = cls.client.crawl("/redfish/v1", fail=False)
        except BaseException:
            cls.sim.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def test_crawl_reaches_every_resource_and_all_validate(self):
        self.assertEqual([], self.client.crawl_violations, "every response validates")
        bad = {u: r.status for u, r in self.crawled.items() if r.status != 200}
        self.assertEqual({}, bad, "every linked URI answers 200")
        types = {r.json["@odata.type"].split(".")[0] for r in self.crawled.values()}
        for want in ("#ServiceRoot", "#ChassisCollection", "#Chassis", "#ComputerSystem", "#Manager",
                     "#NetworkAdapter", "#NetworkDeviceFunction", "#Port", "#AccountService", "#ManagerAccount",
                     "#SessionService", "#EventService", "#LogService", "#LogEntry"):
            self.assertIn(want, types, "the crawl reached a %s" % want)
        print("  [blade] %d URIs validated: %s" % (len(self.crawled), dict(self.client.validated)))

    def test_accounts_validate(self):
        accounts = self.client.json("/redfish/v1/AccountService/Accounts")
        self.assertTrue(accounts["Members"])
        for m in accounts["Members"]:
            a = self.client.json(m["@odata.id"])
            self.assertIn("UserName", a)
            self.assertIsNone(a.get("Password"), "a password reads as null, never its value")
            self.assertEqual(a["AccountTypes"], ["Redfish"])
            self.assertIn(a["RoleId"], ("Administrator", "Operator", "ReadOnly"))

    def test_port_links_validate(self):
        functions = self.client.json(NIC + "/NetworkDeviceFunctions")["Members"]
        ports = self.client.json(NIC + "/Ports")["Members"]
        self.assertTrue(functions and ports)
        for f in functions:
            body = self.client.json(f["@odata.id"])
            links = body.get("Links", {})
            self.assertTrue(links.get("PhysicalNetworkPortAssignment") or links.get("PhysicalPortAssignment"),
                            "function %s links its port: %r" % (f["@odata.id"], links))
        for p in ports:
            self.client.json(p["@odata.id"])

    def test_error_bodies_validate(self):
        c = self.client
        self.assertEqual(c.get("/redfish/v1/Nope").status, 404)
        self.assertEqual(c.get("/redfish/v1/Systems/1", auth=False).status, 401)
        r = c.patch("/redfish/v1/Systems/1", {"NoSuchProperty": 1})
        self.assertIn(r.status, (200, 400))
        r = c.post("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {"ResetType": "Sideways"})
        self.assertEqual(r.status, 400)
        r = c.post("/redfish/v1/Systems/1", raw=b"{not json")
        self.assertGreaterEqual(r.status, 400)
        self.assertGreater(c.validated["RedfishError"], 3)

    def test_session_resources_validate(self):
        s = Client(self.client.url, self.client.username, self.client.password)
        r = s.login()
        self.assertEqual(r.status, 201, r)
        self.assertTrue(s.token)
        s.json(s.session_uri)
        s.json("/redfish/v1/SessionService/Sessions")
        self.assertIn(s.logout().status, (200, 204))

    def test_sse_event_validates(self):
        svc = self.client.json("/redfish/v1/EventService")
        uri = svc.get("ServerSentEventUri")
        if not uri:
            self.skipTest("the blade BMC's EventService has no ServerSentEventUri")
        got = {}

        def read():
            got["events"] = self.client.sse(uri, 8, until=lambda ev: len(ev) >= 1)
        t = threading.Thread(target=read)
        t.start()
        time.sleep(0.5)
        # A power change makes the BMC log (and publish) an event.
        for kind in ("ForceOff", "On"):
            r = self.client.post("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {"ResetType": kind})
            self.assertIn(r.status, (200, 204), r)
            time.sleep(0.3)
        t.join(12)
        events = got.get("events")
        if not isinstance(events, list) or not events:
            self.skipTest("no event on the blade BMC's SSE stream after a power change")
        self.assertEqual(events[0][1]["@odata.type"].split(".")[0], "#Event")


if __name__ == "__main__":
    unittest.main(verbosity=2)
