"""The blade BMC's EventService: Server-Sent Events of power changes, SEL
records and sensor threshold crossings, read by a real SSE client over HTTP
and HTTPS; authentication, the stream bound, clean-up of departed clients and
Last-Event-ID replay."""
import json
import os
import re
import time
import unittest

from simlib import SseClient, Sim, reset, wait_until

SSE = "/redfish/v1/EventService/SSE"
SYSTEM = "/redfish/v1/Systems/1"
CPU = "/redfish/v1/Chassis/1/Sensors/cpu-temp"
SEL_ENTRIES = "/redfish/v1/Managers/bmc/LogServices/SEL/Entries/"
REGISTRIES = "/work/shared/redfish/registries"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# Message texts of the registries (checked against the DMTF files when they are present).
TEXTS = {
    "ResourceEvent.1.4.ResourcePoweredOff": "The resource '%1' has powered off.",
    "ResourceEvent.1.4.ResourcePoweredOn": "The resource '%1' has powered on.",
    "ResourceEvent.1.4.ResourcePoweringOn": "The resource '%1' is powering on.",
    "ResourceEvent.1.4.ResourceCreated": "The resource was created successfully.",
    "SensorEvent.1.1.ReadingAboveUpperCriticalThreshold":
        "Sensor '%1' reading of %2 (%3) is above the %4 upper critical threshold.",
    "SensorEvent.1.1.SensorReadingNormalRange": "Sensor '%1' reading of %2 (%3) is within normal operating range.",
}


def registry_text(message_id):
    prefix, major, minor, key = message_id.split(".")
    for name in sorted(os.listdir(REGISTRIES)) if os.path.isdir(REGISTRIES) else []:
        if name.startswith("%s.%s.%s." % (prefix, major, minor)):
            with open(os.path.join(REGISTRIES, name)) as f:
                return json.load(f)["Messages"][key]["Message"]
    return TEXTS[message_id]


def expand(text, args):
    for i, a in enumerate(args, 1):
        text = text.replace("%" + str(i), a)
    return text


class EventTest(unittest.TestCase):
    scheme = "http"

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=6, speed=50, extra=("--redfish-scheme", cls.scheme))

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def tearDown(self):
        self.assertTrue(self.sim.alive())

    def check_event(self, ev, message_id, origin):
        data = ev["data"]
        self.assertEqual(data["@odata.type"].split(".")[0], "#Event")
        self.assertEqual(data["Id"], ev["id"])
        self.assertTrue(data["Name"])
        self.assertIn("Context", data)
        rec = data["Events"][0]
        self.assertEqual(rec["MessageId"], message_id)
        self.assertEqual(rec["EventId"], ev["id"])
        self.assertRegex(rec["EventTimestamp"], RFC3339)
        self.assertEqual(rec["Message"], expand(registry_text(message_id), rec["MessageArgs"]))
        self.assertIn(rec["MessageSeverity"], ("OK", "Warning", "Critical"))
        self.assertEqual(rec["OriginOfCondition"]["@odata.id"], origin)
        return rec

    def powered_on(self, slot):
        reset(self.sim, slot, "On")
        wait_until(lambda: self.sim.blade(slot)["power"] == "On", what="slot %d on" % slot)

    def test_power_off_by_redfish_reset(self):
        self.powered_on(1)
        bmc = self.sim.bmc(1)
        sse = SseClient(bmc)
        try:
            self.assertEqual(sse.status, 200)
            self.assertTrue(sse.headers["content-type"].startswith("text/event-stream"))
            self.assertNotIn("content-length", sse.headers)
            reset(self.sim, 1, "ForceOff")
            ev = sse.wait_for("ResourcePoweredOff", timeout=1.0)
            self.assertIsNotNone(ev, "ResourcePoweredOff within a second of ForceOff")
            rec = self.check_event(ev, "ResourceEvent.1.4.ResourcePoweredOff", SYSTEM)
            self.assertEqual(rec["MessageArgs"], [SYSTEM])
            # Power on again: PoweringOn, then PoweredOn, in order.
            reset(self.sim, 1, "On")
            on = sse.wait_for("ResourcePoweredOn", timeout=5)
            self.assertIsNotNone(on)
            self.check_event(on, "ResourceEvent.1.4.ResourcePoweredOn", SYSTEM)
            self.assertGreater(int(on["id"]), int(ev["id"]))
        finally:
            sse.close()

    def test_power_loss_fault_and_sel_record(self):
        self.powered_on(2)
        bmc = self.sim.bmc(2)
        sse = SseClient(bmc)
        try:
            self.sim.inject(2, "power-loss")
            off = sse.wait_for("ResourcePoweredOff", timeout=1.0)
            self.assertIsNotNone(off, "ResourcePoweredOff within a second of the power-loss fault")
            self.check_event(off, "ResourceEvent.1.4.ResourcePoweredOff", SYSTEM)
        finally:
            sse.close()
        # The SEL record came first ("AC lost"); replay from the start shows it.
        sse = SseClient(bmc, headers={"Last-Event-ID": "0"})
        try:
            created = sse.wait_for("ResourceCreated", timeout=2)
            self.assertIsNotNone(created, "a ResourceCreated event for the SEL record")
            origin = created["data"]["Events"][0]["OriginOfCondition"]["@odata.id"]
            self.assertTrue(origin.startswith(SEL_ENTRIES), origin)
            self.check_event(created, "ResourceEvent.1.4.ResourceCreated", origin)
            self.assertIn("AC lost", bmc.get(origin)["Message"])
        finally:
            sse.close()
            self.sim.clear(2, "power-loss")

    def test_over_temperature_sensor_and_sel_events(self):
        self.powered_on(3)
        bmc = self.sim.bmc(3)
        sse = SseClient(bmc)
        try:
            self.sim.inject(3, "over-temperature", celsius=101)
            seen = {}
            deadline = time.monotonic() + 3
            while len(seen) < 2 and time.monotonic() < deadline:
                ev = sse.next_event(deadline - time.monotonic())
                if ev is None:
                    break
                key = ev["data"]["Events"][0]["MessageId"]
                seen.setdefault(key, ev)
            crit = seen.get("SensorEvent.1.1.ReadingAboveUpperCriticalThreshold")
            self.assertIsNotNone(crit, list(seen))
            rec = self.check_event(crit, "SensorEvent.1.1.ReadingAboveUpperCriticalThreshold", CPU)
            self.assertEqual(rec["MessageSeverity"], "Critical")
            self.assertEqual(rec["MessageArgs"][0], "CPU Temp")
            self.assertGreaterEqual(float(rec["MessageArgs"][1]), 100)
            self.assertEqual(rec["MessageArgs"][2:], ["Cel", "95"])
            sel = seen.get("ResourceEvent.1.4.ResourceCreated")
            self.assertIsNotNone(sel, list(seen))
            entry = bmc.get(sel["data"]["Events"][0]["OriginOfCondition"]["@odata.id"])
            self.assertIn("upper critical", entry["Message"])
            self.sim.clear(3, "over-temperature")
            normal = sse.wait_for("SensorReadingNormalRange", timeout=3, origin=CPU)
            self.assertIsNotNone(normal)
            self.check_event(normal, "SensorEvent.1.1.SensorReadingNormalRange", CPU)
        finally:
            sse.close()

    def test_authentication(self):
        bmc = self.sim.bmc(4)
        sse = SseClient(bmc, auth=False)
        self.assertEqual(sse.status, 401)
        sse.close()
        from simlib import Bmc
        wrong = Bmc(bmc.url, bmc.username, "wrong-password", bmc.fingerprint)
        sse = SseClient(wrong)
        self.assertEqual(sse.status, 401)
        sse.close()
        sse = SseClient(self.sim.bmc(4, role="ReadOnly"))
        self.assertEqual(sse.status, 200, "ReadOnly may read the event stream")
        sse.close()
        # A session token works as well.
        status, headers, _ = bmc.call("POST", "/redfish/v1/SessionService/Sessions",
                                      {"UserName": bmc.username, "Password": bmc.password}, auth=False)
        self.assertEqual(status, 201)
        sse = SseClient(bmc, auth=False, headers={"X-Auth-Token": headers["X-Auth-Token"]})
        self.assertEqual(sse.status, 200)
        sse.close()

    def test_event_service_resource(self):
        bmc = self.sim.bmc(4)
        root = bmc.call("GET", "/redfish/v1", auth=False)[2]
        self.assertEqual(root["EventService"]["@odata.id"], "/redfish/v1/EventService")
        es = bmc.get("/redfish/v1/EventService")
        self.assertTrue(es["@odata.type"].startswith("#EventService.v1_10"))
        self.assertTrue(es["ServiceEnabled"])
        self.assertEqual(es["ServerSentEventUri"], SSE)
        self.assertEqual(es["EventFormatTypes"], ["Event"])
        self.assertIn("ResourceEvent", es["RegistryPrefixes"])
        subs = bmc.get(es["Subscriptions"]["@odata.id"])
        self.assertEqual(subs["Members"], [])
        self.assertEqual(bmc.call("POST", SSE, {})[0], 405)

    def test_bound_and_cleanup_of_departed_clients(self):
        slot = 5
        bmc = self.sim.bmc(slot)
        before = self.sim.blade(slot)["bmc"]["redfishConnections"]
        clients = [SseClient(bmc) for _ in range(8)]
        self.assertTrue(all(c.status == 200 for c in clients))
        self.assertEqual(self.sim.blade(slot)["bmc"]["eventStreams"], 8)
        extra = SseClient(bmc)
        self.assertEqual(extra.status, 503, "at most 8 streams per BMC")
        extra.close()
        for c in clients:
            c.close()
        wait_until(lambda: self.sim.blade(slot)["bmc"]["eventStreams"] == 0, timeout=5,
                   what="streams of departed clients closed")
        wait_until(lambda: self.sim.blade(slot)["bmc"]["redfishConnections"] <= before, timeout=5,
                   what="connections freed")
        sse = SseClient(bmc)
        self.assertEqual(sse.status, 200, "room again once the clients left")
        sse.close()

    def test_last_event_id_replay(self):
        slot = 6
        bmc = self.sim.bmc(slot)
        sse = SseClient(bmc)
        reset(self.sim, slot, "On")
        first = sse.wait_for("ResourcePoweringOn", timeout=3)
        on = sse.wait_for("ResourcePoweredOn", timeout=3)
        self.assertIsNotNone(first)
        self.assertIsNotNone(on)
        sse.close()
        again = SseClient(bmc, headers={"Last-Event-ID": first["id"]})
        try:
            ev = again.next_event(2)
            self.assertIsNotNone(ev)
            self.assertGreater(int(ev["id"]), int(first["id"]))
            self.assertLessEqual(int(ev["id"]), int(on["id"]))
        finally:
            again.close()


class EventOverHttpsTest(EventTest):
    scheme = "https"


if __name__ == "__main__":
    unittest.main(verbosity=2)
