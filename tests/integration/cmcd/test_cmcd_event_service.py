"""cmcd's northbound EventService on a real cmcsim rack: the SSE stream with
$filter on MessageId and OriginResource (and only those events), Last-Event-ID
replay from the bounded buffer, a bad $filter refused before the stream
starts; push subscriptions to HTTP receivers on 127.0.0.1 (Context, the
subscription's RegistryPrefixes/MessageIds/OriginResources, write-only
HttpHeaders), bounded retries against a receiver that answers 500 and the
subscription's state afterwards, destinations outside loopback refused unless
the configuration allows them, subscriptions surviving a restart, and a
receiver that never answers not slowing the API. Every EventService,
EventDestination, collection and Event body is validated against DMTF's
schemas. The tests run in name order (they share one rack)."""
import base64
import copy
import http.server
import json
import os
import threading
import time
import unittest
import urllib.parse
import urllib.request

from cmcdlib import ADMIN, FAST, Cmcd, Sim, http_call, wait_until
from simlib import Bmc, SseClient, assert_dmtf_error
from test_cmcd_schemas import dmtf_validator

ES = "/redfish/v1/EventService"
SUBS = ES + "/Subscriptions"
TEST = ES + "/Actions/EventService.SubmitTestEvent"
SECRET = "receiver-token-5e1f0c"


class Receiver:
    """An HTTP event receiver on 127.0.0.1: records each POST (path, headers, JSON); answers
    `status`, after `delay` seconds."""

    def __init__(self, status=200, delay=0.0):
        self.posts = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with outer.lock:
                    outer.posts.append({"path": self.path, "headers": dict(self.headers), "time": time.monotonic(),
                                        "body": json.loads(body) if body else None})
                if outer.delay:
                    time.sleep(outer.delay)
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.status, self.delay = status, delay
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def at(self, path):
        with self.lock:
            return [p for p in self.posts if p["path"] == path]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class EventServiceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.good = Receiver()
        cls.failing = Receiver(status=500)
        cls.slow = Receiver(delay=6)
        cls.sim = Sim(blades=4, speed=20)
        cls.cfg = copy.deepcopy(FAST)
        cls.cfg["eventService"] = {"allowedDestinations": ["10.9.0.0/16", "collector.example:8443"],
                                   "retryAttempts": 2, "retryIntervalSeconds": 1, "sseKeepAliveMs": 300,
                                   "sseReplayEvents": 8, "queueLimit": 3, "deliveryTimeoutMs": 3000}
        cls.cmcd = Cmcd(manifest=cls.sim.manifest_path, config=cls.cfg)
        cls.db = cls.cmcd.db
        cls.first = cls.cmcd  # its directory holds the database the restarted cmcd reuses
        wait_until(lambda: all(cls.cmcd.health(s) == "Healthy" for s in range(1, 5)), timeout=60,
                   what="4 blades Healthy")
        cls.validators = {}

    @classmethod
    def tearDownClass(cls):
        cls.cmcd.cleanup()
        if cls.first is not cls.cmcd:
            cls.first.cleanup()
        cls.sim.stop()
        for r in (cls.good, cls.failing, cls.slow):
            r.stop()

    # ---- helpers

    def call(self, method, path, body=None, headers=None, auth=ADMIN, timeout=15):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.cmcd.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        return http_call(req, timeout)

    def validate(self, body, schema, definition):
        key = (schema, definition)
        if key not in self.validators:
            self.validators[key] = dmtf_validator(schema, definition)
        errors = sorted(self.validators[key].iter_errors(body), key=str)
        self.assertEqual([], [e.message for e in errors], json.dumps(body)[:800])

    def validate_event(self, ev):
        self.validate(ev, "Event.v1_13_0.json", "Event")

    def sse(self, query="", headers=None):
        bmc = Bmc(self.cmcd.url, *ADMIN)
        c = SseClient(bmc, headers=headers, path="/redfish/v1/EventService/SSE" + query)
        self.addCleanup(c.close)
        return c

    def submit(self, message_id, origin, args=()):
        status, _, body = self.call("POST", TEST, {"MessageId": message_id, "OriginOfCondition": {"@odata.id": origin},
                                                   "MessageArgs": list(args), "Severity": "OK"})
        self.assertEqual(status, 200, body)

    def subscribe(self, **props):
        body = {"Protocol": "Redfish", **props}
        status, headers, created = self.call("POST", SUBS, body)
        self.assertEqual(status, 201, created)
        self.assertEqual(headers["Location"], created["@odata.id"])
        self.validate(created, "EventDestination.v1_16_0.json", "EventDestination")
        return created

    def read_until_marker(self, client, marker_arg, timeout=15):
        """Events of `client` up to the test event whose MessageArgs is [marker_arg] (excluded)."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ev = client.next_event(max(0.1, deadline - time.monotonic()))
            self.assertIsNotNone(ev, "stream ended before the marker; got %r" % seen)
            self.validate_event(ev["data"])
            rec = ev["data"]["Events"][0]
            if rec.get("MessageArgs") == [marker_arg]:
                return seen
            seen.append(ev)
        self.fail("no marker %s" % marker_arg)

    # ---- tests

    def test_1_service_resources(self):
        es = self.cmcd.json(ES)
        self.validate(es, "EventService.v1_12_0.json", "EventService")
        self.assertEqual(es["ServerSentEventUri"], ES + "/SSE")
        self.assertTrue(es["SSEFilterPropertiesSupported"]["MessageId"])
        self.assertTrue(es["SSEFilterPropertiesSupported"]["OriginResource"])
        self.assertEqual(es["DeliveryRetryAttempts"], 2)
        self.assertEqual(es["DeliveryRetryIntervalSeconds"], 1)
        subs = self.cmcd.json(SUBS)
        self.validate(subs, "EventDestinationCollection.json", "EventDestinationCollection")
        # No credentials: 401; unknown subscription: 404; bad PATCH: 400.
        status, _, _ = self.call("GET", ES + "/SSE", auth=None)
        self.assertEqual(status, 401)
        status, _, body = self.call("GET", SUBS + "/999")
        self.assertEqual(status, 404)
        assert_dmtf_error(self, body, "ResourceNotFound")
        status, _, body = self.call("PATCH", ES, {"DeliveryRetryAttempts": "three", "Bogus": 1})
        self.assertEqual(status, 400, body)
        ids = sorted(m["MessageId"].rsplit(".", 1)[1] for m in body["error"]["@Message.ExtendedInfo"])
        self.assertEqual(ids, ["PropertyUnknown", "PropertyValueTypeError"])

    def test_2_sse_filters_and_replay(self):
        by_message = self.sse("?$filter=" + urllib.parse.quote("MessageId eq 'OpenCMC.1.0.0.BladeFailed'"))
        by_origin = self.sse("?$filter=" + urllib.parse.quote("OriginResource eq '/redfish/v1/Chassis/blade-3'"))
        both = self.sse("?%24filter=" + urllib.parse.quote(
            "(MessageId eq 'OpenCMC.BladeFailed' or MessageId eq 'OpenCMC.BladeHealthChanged') and "
            "OriginResource eq '/redfish/v1/Chassis/blade-2'"))
        everything = self.sse()
        for c in (by_message, by_origin, both, everything):
            self.assertEqual(c.status, 200)
            self.assertTrue(c.headers["content-type"].startswith("text/event-stream"))
        self.sim.inject(2, "power-loss")
        wait_until(lambda: self.cmcd.health(2) == "Failed", timeout=15, what="blade 2 Failed")
        self.sim.inject(3, "power-loss")
        wait_until(lambda: self.cmcd.health(3) == "Failed", timeout=15, what="blade 3 Failed")
        # The marker passes every filter: BladeFailed with blade-3 as origin... except `both`.
        self.submit("OpenCMC.1.0.0.BladeFailed", "/redfish/v1/Chassis/blade-3", ["marker-1"])
        self.submit("OpenCMC.1.0.0.BladeFailed", "/redfish/v1/Chassis/blade-2", ["marker-2"])

        got = self.read_until_marker(by_message, "marker-1")
        recs = [e["data"]["Events"][0] for e in got]
        self.assertEqual({r["MessageId"] for r in recs}, {"OpenCMC.1.0.0.BladeFailed"}, recs)
        self.assertEqual(sorted(r["OriginOfCondition"]["@odata.id"] for r in recs),
                         ["/redfish/v1/Chassis/blade-2", "/redfish/v1/Chassis/blade-3"])
        for r in recs:
            self.assertEqual(r["MessageSeverity"], "Critical")
            self.assertTrue(r["EventTimestamp"].endswith("Z"))
            self.assertTrue(r["Message"])

        got = self.read_until_marker(by_origin, "marker-1")
        origins = {e["data"]["Events"][0]["OriginOfCondition"]["@odata.id"] for e in got}
        self.assertEqual(origins, {"/redfish/v1/Chassis/blade-3"})
        self.assertIn("OpenCMC.1.0.0.BladeFailed", [e["data"]["Events"][0]["MessageId"] for e in got])

        got = self.read_until_marker(both, "marker-2")
        recs = [e["data"]["Events"][0] for e in got]
        self.assertTrue(recs)
        for r in recs:
            self.assertEqual(r["OriginOfCondition"]["@odata.id"], "/redfish/v1/Chassis/blade-2")
            self.assertIn(r["MessageId"], ("OpenCMC.1.0.0.BladeFailed", "OpenCMC.1.0.0.BladeHealthChanged"))

        all_events = self.read_until_marker(everything, "marker-1")
        deadline = time.monotonic() + 1.0  # keep-alive comments every 300 ms (sseKeepAliveMs)
        while time.monotonic() < deadline and not any(c.startswith(": keep-alive") for c in everything.comments):
            everything.next_event(0.2)
        self.assertTrue(any(c.startswith(": keep-alive") for c in everything.comments), everything.comments)
        ids = [int(e["id"]) for e in all_events if "id" in e]
        self.assertEqual(ids, sorted(ids))
        self.assertGreaterEqual(len(ids), 3)
        # Last-Event-ID: the events after it, in order.
        resumed = self.sse(headers={"Last-Event-ID": str(ids[-3])})
        replay = [resumed.next_event(5) for _ in range(2)]
        self.assertEqual([int(e["id"]) for e in replay], ids[-2:])
        first_failed = next(int(e["id"]) for e in all_events
                            if e["data"]["Events"][0]["MessageId"].endswith(".BladeFailed"))
        filtered = self.sse("?$filter=" + urllib.parse.quote("MessageId eq 'OpenCMC.BladeFailed'"),
                            headers={"Last-Event-ID": str(first_failed - 1)})
        ev = filtered.next_event(5)
        self.assertEqual(int(ev["id"]), first_failed)
        # Missed more than the buffer (sseReplayEvents 8) holds: said so (a comment and a Base
        # EventBufferExceeded event without an id), then the newest 8 in order.
        self.assertGreater(ids[-1], 8)
        old = self.sse(headers={"Last-Event-ID": "0"})
        ev = old.next_event(5)
        self.assertNotIn("id", ev)
        self.assertEqual(ev["data"]["Events"][0]["MessageId"], "Base.1.22.1.EventBufferExceeded")
        self.validate_event(ev["data"])
        self.assertTrue(any("older than the replay buffer" in c for c in old.comments), old.comments)
        replayed = [int(old.next_event(5)["id"]) for _ in range(8)]
        self.assertEqual(replayed, sorted(replayed))
        self.assertGreaterEqual(replayed[-1], ids[-1])
        self.assertEqual(replayed[-1] - replayed[0], 7)

        self.sim.clear(2, "power-loss")
        self.sim.clear(3, "power-loss")

    def test_3_bad_filter_is_400_before_the_stream(self):
        for f in ("Severity eq 'OK'", "MessageId eq 'x", "MessageId ne 'x'", "(MessageId eq 'x'",
                  "MessageId eq 'x' or"):
            status, headers, body = self.call("GET", ES + "/SSE?$filter=" + urllib.parse.quote(f))
            self.assertEqual(status, 400, f)
            self.assertTrue(headers["Content-Type"].startswith("application/json"))
            assert_dmtf_error(self, body, "QueryParameterValueFormatError")
            self.assertEqual(body["error"]["@Message.ExtendedInfo"][0]["MessageId"],
                             "Base.1.22.1.QueryParameterValueFormatError")

    def test_4_push_matching_context_headers(self):
        base = self.good.url
        s1 = self.subscribe(Destination=base + "/s1", Context="ctx-one", MessageIds=["OpenCMC.TestA"],
                            HttpHeaders=[{"X-Receiver-Token": SECRET}])
        s2 = self.subscribe(Destination=base + "/s2", Context="ctx-two",
                            OriginResources=[{"@odata.id": "/redfish/v1/Chassis/blade-1"}])
        s3 = self.subscribe(Destination=base + "/s3", Context="ctx-three", RegistryPrefixes=["Other"])
        self.assertEqual(s1["HttpHeaders"], [])
        self.assertEqual(s1["Status"]["State"], "Enabled")
        self.assertEqual(s1["Context"], "ctx-one")
        subs = self.cmcd.json(SUBS)
        self.validate(subs, "EventDestinationCollection.json", "EventDestinationCollection")
        self.assertEqual(subs["Members@odata.count"], 3)

        self.submit("OpenCMC.1.0.0.TestA", "/redfish/v1/Managers/cmc")
        self.submit("OpenCMC.1.0.0.TestB", "/redfish/v1/Chassis/blade-1")
        self.submit("Other.1.0.TestC", "/redfish/v1/Systems/x")
        for path, ctx, mid in (("/s1", "ctx-one", "OpenCMC.1.0.0.TestA"), ("/s2", "ctx-two", "OpenCMC.1.0.0.TestB"),
                               ("/s3", "ctx-three", "Other.1.0.TestC")):
            posts = wait_until(lambda: self.good.at(path), timeout=10, what="a POST to " + path)
            time.sleep(0.3)  # anything else would have come by now: the three went out together
            posts = self.good.at(path)
            self.assertEqual(len(posts), 1, posts)
            p = posts[0]
            self.assertTrue(p["headers"]["Content-Type"].startswith("application/json"))
            self.validate_event(p["body"])
            self.assertEqual(p["body"]["Context"], ctx)
            self.assertEqual([r["MessageId"] for r in p["body"]["Events"]], [mid])
        self.assertEqual(self.good.at("/s1")[0]["headers"].get("X-Receiver-Token"), SECRET)
        self.assertNotIn(SECRET, self.cmcd.read_log())

        # PATCH Context (and what may not be changed), then DELETE.
        status, _, body = self.call("PATCH", s1["@odata.id"], {"Context": "ctx-one-b"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["Context"], "ctx-one-b")
        status, _, body = self.call("PATCH", s1["@odata.id"], {"Destination": "http://127.0.0.1:1/"})
        self.assertEqual(status, 400)
        assert_dmtf_error(self, body, "PropertyNotWritable")
        status, headers, body = self.call("GET", s2["@odata.id"])
        status, _, body = self.call("DELETE", s2["@odata.id"], headers={"If-Match": 'W/"0000000000000000"'})
        self.assertEqual(status, 412)
        status, _, _ = self.call("DELETE", s2["@odata.id"], headers={"If-Match": headers["ETag"]})
        self.assertEqual(status, 204)
        status, _, _ = self.call("GET", s2["@odata.id"])
        self.assertEqual(status, 404)
        self.call("DELETE", s3["@odata.id"])

    def test_5_retries_then_suspended(self):
        sub = self.subscribe(Destination=self.failing.url + "/fail", Context="failing",
                             MessageIds=["OpenCMC.RetryMe"], DeliveryRetryPolicy="SuspendRetries")
        gone = self.subscribe(Destination=self.failing.url + "/gone", Context="terminate",
                              MessageIds=["OpenCMC.RetryMe"], DeliveryRetryPolicy="TerminateAfterRetries")
        self.submit("OpenCMC.1.0.0.RetryMe", "/redfish/v1/Managers/cmc")
        wait_until(lambda: self.cmcd.json(sub["@odata.id"])["Status"]["State"] == "Disabled", timeout=15,
                   what="the subscription suspended")
        posts = self.failing.at("/fail")
        self.assertEqual(len(posts), 3, "one attempt and DeliveryRetryAttempts (2) retries")
        gaps = [b["time"] - a["time"] for a, b in zip(posts, posts[1:])]
        for g in gaps:
            self.assertGreater(g, 0.8, gaps)  # DeliveryRetryIntervalSeconds (1) apart
        body = self.cmcd.json(sub["@odata.id"])
        self.validate(body, "EventDestination.v1_16_0.json", "EventDestination")
        self.assertEqual(body["Status"]["Health"], "Warning")
        wait_until(lambda: self.call("GET", gone["@odata.id"])[0] == 404, timeout=10,
                   what="TerminateAfterRetries deleted its subscription")
        self.assertEqual(len(self.failing.at("/gone")), 3)
        # Suspended: no more attempts for new events; resumed: delivery again.
        self.submit("OpenCMC.1.0.0.RetryMe", "/redfish/v1/Managers/cmc")
        time.sleep(0.5)
        self.assertEqual(len(self.failing.at("/fail")), 3)
        status, _, body = self.call("POST", sub["@odata.id"] + "/Actions/EventDestination.ResumeSubscription", {})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.cmcd.json(sub["@odata.id"])["Status"]["State"], "Enabled")
        wait_until(lambda: len(self.failing.at("/fail")) > 3, timeout=10, what="delivery after the resume")
        self.call("PATCH", ES, {"DeliveryRetryAttempts": 0})
        wait_until(lambda: self.cmcd.json(sub["@odata.id"])["Status"]["State"] == "Disabled", timeout=15,
                   what="suspended again")
        self.call("PATCH", ES, {"DeliveryRetryAttempts": 2})
        type(self).suspended_uri = sub["@odata.id"]

    def test_6_destinations_outside_loopback(self):
        for dest in ("http://10.1.2.3/", "https://192.168.1.1:8443/x", "http://collector.example/events",
                     "http://[fd00::1]/"):
            status, _, body = self.call("POST", SUBS, {"Destination": dest, "Protocol": "Redfish"})
            self.assertEqual(status, 400, (dest, body))
            assert_dmtf_error(self, body, "PropertyValueIncorrect")
            self.assertIn("allowedDestinations", json.dumps(body))
        for dest in ("http://10.9.1.2/", "https://collector.example:8443/events"):
            status, _, body = self.call("POST", SUBS, {"Destination": dest, "Protocol": "Redfish"})
            self.assertEqual(status, 201, (dest, body))
            self.assertEqual(self.call("DELETE", body["@odata.id"])[0], 204)
        for body, problem in (({"Protocol": "Redfish"}, "CreateFailedMissingReqProperties"),
                              ({"Destination": "ftp://127.0.0.1/", "Protocol": "Redfish"}, "PropertyValueFormatError"),
                              ({"Destination": "http://127.0.0.1/", "Protocol": "SNMPv2c"}, "PropertyValueNotInList"),
                              ({"Destination": "http://127.0.0.1/", "Protocol": "Redfish", "Id": "7"},
                               "PropertyNotWritable")):
            status, _, err = self.call("POST", SUBS, body)
            self.assertEqual(status, 400, (body, err))
            assert_dmtf_error(self, err, problem)

    def test_7_slow_receiver_does_not_slow_the_api(self):
        sub = self.subscribe(Destination=self.slow.url + "/slow", Context="slow", MessageIds=["OpenCMC.Slow"],
                             DeliveryRetryPolicy="RetryForever")
        for i in range(10):
            self.submit("OpenCMC.1.0.0.Slow", "/redfish/v1/Managers/cmc", [str(i)])
        wait_until(lambda: self.slow.at("/slow"), timeout=10, what="the slow receiver reached")
        worst = 0.0
        for _ in range(30):
            t = time.monotonic()
            self.cmcd.json("/redfish/v1/Chassis/blade-1")
            worst = max(worst, time.monotonic() - t)
        self.assertLess(worst, 0.5, "an API GET took %.3f s while a receiver hangs" % worst)
        wait_until(lambda: "queue full" in self.cmcd.read_log(), timeout=5, what="the bounded queue dropping")
        self.assertEqual(self.call("DELETE", sub["@odata.id"])[0], 204)

    def test_8_subscriptions_survive_a_restart(self):
        keep = self.subscribe(Destination=self.good.url + "/after", Context="survivor",
                              RegistryPrefixes=["OpenCMC"], MessageIds=["OpenCMC.AfterRestart"],
                              OriginResources=[{"@odata.id": "/redfish/v1/Managers/cmc"}],
                              HttpHeaders=[{"X-Receiver-Token": SECRET}])
        before = {m["@odata.id"]: self.cmcd.json(m["@odata.id"]) for m in self.cmcd.json(SUBS)["Members"]}
        self.cmcd.stop()
        type(self).cmcd = Cmcd(manifest=self.sim.manifest_path, config=self.cfg, db=self.db)
        after = {m["@odata.id"]: self.cmcd.json(m["@odata.id"]) for m in self.cmcd.json(SUBS)["Members"]}
        self.assertEqual(before, after)
        if getattr(self, "suspended_uri", None):
            self.assertEqual(after[self.suspended_uri]["Status"]["State"], "Disabled")
        self.submit("OpenCMC.1.0.0.AfterRestart", "/redfish/v1/Managers/cmc")
        posts = wait_until(lambda: self.good.at("/after"), timeout=10, what="delivery after the restart")
        self.assertEqual(posts[0]["body"]["Context"], "survivor")
        self.assertEqual(posts[0]["headers"].get("X-Receiver-Token"), SECRET)
        # Ids are never reused: a new subscription gets a new one.
        new = self.subscribe(Destination=self.good.url + "/new")
        self.assertGreater(int(new["Id"]), int(keep["Id"]))
        self.assertNotIn(SECRET, self.cmcd.read_log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
