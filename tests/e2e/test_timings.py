"""Hardware delays: `cmcsim --hardware-delays zero` makes power on/off, POST,
OS boot, OS shutdown and crash reboot take no time while every state is still
passed through (the BMC's event stream sees PoweringOn then PoweredOn); the
control API reads and changes the timings of every blade at /sim/v1/timings."""
import os
import subprocess
import time
import unittest

from simlib import (BIN, SseClient, Sim, boot_logical_server, make_logical_server, program_identity, reset, target,
                    wait_until)

FIELDS = ("powerOnMs", "powerOffMs", "postMs", "osBootMs", "osShutdownMs", "crashRebootMs")
DEFAULTS = {"powerOnMs": 1000, "powerOffMs": 1000, "postMs": 5000, "osBootMs": 20000, "osShutdownMs": 3000,
            "crashRebootMs": 5000}
ZERO = {k: 0 for k in FIELDS}


class ZeroDelayTest(unittest.TestCase):
    """Real time (speed 1): with the default delays a boot would take 26 s."""

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(blades=4, speed=1, extra=("--hardware-delays", "zero"))

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def tearDown(self):
        self.assertTrue(self.sim.alive())

    def timings(self):
        return self.sim.get("/sim/v1/timings")

    def patch(self, body, raw=None):
        return self.sim.api("PATCH", "/sim/v1/timings", body, raw=raw)

    def test_zero_delays_boot_at_once_through_every_state(self):
        self.assertEqual(self.timings(), ZERO)
        self.assertIn("/sim/v1/timings", self.sim.get("/sim/v1")["links"])
        sse = SseClient(self.sim.bmc(1))
        try:
            t0 = time.monotonic()
            boot_logical_server(self.sim, 1, "zero-boot", "02:00:0a:03:00:01", "20:00:00:25:b5:03:00:01",
                                "10.3.0.1", timeout=5)
            self.assertLess(time.monotonic() - t0, 5)
            self.assertIsNotNone(sse.wait_for("ResourcePoweringOn", timeout=2), "PoweringOn was seen")
            self.assertIsNotNone(sse.wait_for("ResourcePoweredOn", timeout=2), "PoweredOn was seen after it")
        finally:
            sse.close()
        blade = self.sim.blade(1)
        self.assertEqual((blade["power"], blade["host"], blade["bootCount"]), ("On", "Running", 1))
        wait_until(lambda: target(self.sim, "10.3.0.1")["reachable"], timeout=5, what="probe reaches the IP")
        # The host agent's watchdog is unchanged: 30 s countdown, running.
        wd = blade["watchdog"]
        self.assertTrue(wd["running"])
        self.assertGreater(wd["countdownMs"], 20000)
        self.assertLessEqual(wd["countdownMs"], 30000)
        # Graceful shutdown of the running OS takes no time either.
        reset(self.sim, 1, "GracefulShutdown")
        wait_until(lambda: self.sim.blade(1)["power"] == "Off", timeout=3, what="off at once")

    def test_patch_changes_new_phases_of_every_blade(self):
        status, _, body = self.patch({"osBootMs": 3600000})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, dict(ZERO, osBootMs=3600000))
        self.assertEqual(self.timings(), body)
        try:
            # Slot 2 now stays in OS boot (an hour of real time).
            make_logical_server(self.sim, "slow-boot", "02:00:0a:03:00:02", "20:00:00:25:b5:03:00:02", "10.3.0.2")
            program_identity(self.sim, 2, "02:00:0a:03:00:02", "20:00:00:25:b5:03:00:02")
            reset(self.sim, 2, "On")
            wait_until(lambda: self.sim.blade(2)["host"] == "BootingOs", timeout=3, what="slot 2 loading its OS")
            time.sleep(0.5)
            self.assertEqual(self.sim.blade(2)["host"], "BootingOs")
            # Back to 0: a phase already scheduled keeps its hour; a new power-on boots at once.
            status, _, body = self.patch({"osBootMs": 0})
            self.assertEqual((status, body), (200, ZERO))
            time.sleep(0.2)
            self.assertEqual(self.sim.blade(2)["host"], "BootingOs")
            reset(self.sim, 2, "ForceOff")
            reset(self.sim, 2, "On")
            wait_until(lambda: self.sim.blade(2)["host"] == "Running", timeout=3, what="slot 2 running")
        finally:
            self.patch(ZERO)

    def test_bad_patches_are_400_and_change_nothing(self):
        before = self.timings()
        bad = [
            ({"powerOnMs": 10, "bogus": 1}, "bogus"),
            ({"postMs": -1}, "postMs"),
            ({"postMs": 3600001}, "postMs"),
            ({"osBootMs": 1.5}, "osBootMs"),
            ({"osBootMs": "100"}, "osBootMs"),
            ({"crashRebootMs": True}, "crashRebootMs"),
            ({"osShutdownMs": None}, "osShutdownMs"),
            ({"powerOnMs": 5, "powerOffMs": [1]}, "powerOffMs"),
            ([1, 2], "object"),
        ]
        for body, word in bad:
            status, _, resp = self.patch(body)
            self.assertEqual(status, 400, (body, resp))
            self.assertEqual(resp["error"]["code"], "BadRequest")
            self.assertIn(word, resp["error"]["message"], body)
        status, _, resp = self.patch(None, raw=b"{not json")
        self.assertEqual(status, 400, resp)
        for method in ("POST", "PUT", "DELETE"):
            status, headers, _ = self.sim.api(method, "/sim/v1/timings", {})
            self.assertEqual(status, 405, method)
            self.assertIn("PATCH", headers.get("Allow", ""))
        self.assertEqual(self.timings(), before)
        status, _, body = self.patch({"postMs": 3600000, "powerOnMs": 0})
        self.assertEqual((status, body["postMs"]), (200, 3600000))
        status, _, body = self.patch({})
        self.assertEqual((status, body), (200, dict(before, postMs=3600000)))
        self.patch(before)


class DefaultDelayTest(unittest.TestCase):
    def test_default_timings_and_flag_errors(self):
        sim = Sim(blades=1, speed=50)
        try:
            self.assertEqual(sim.get("/sim/v1/timings"), DEFAULTS)
            self.assertIn("hardware delays default", sim.read_log())
        finally:
            sim.stop()
        sim = Sim(blades=1, speed=50, extra=("--hardware-delays=default",))
        try:
            self.assertEqual(sim.get("/sim/v1/timings"), DEFAULTS)
        finally:
            sim.stop()
        cmcsim = os.path.join(BIN, "cmcsim")
        r = subprocess.run([cmcsim, "--hardware-delays", "fast"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--hardware-delays must be default or zero", r.stderr)
        r = subprocess.run([cmcsim, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--hardware-delays", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
