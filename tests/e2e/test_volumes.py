"""SAN volumes through the control API: POST on an existing volume changes only
the fields the body names; each volume lists the WWPNs that have an active
session on it ("logins"), which is how the SAN sees a spare log in."""
import unittest

from simlib import Sim, boot_logical_server, make_logical_server, program_identity, reset, wait_until

W1, W2 = "20:00:00:25:b5:04:00:01", "20:00:00:25:b5:04:00:02"


class VolumeTest(unittest.TestCase):
    def setUp(self):
        self.sim = Sim(blades=3, speed=50)

    def tearDown(self):
        self.assertTrue(self.sim.alive())
        self.sim.stop()

    def post(self, body):
        return self.sim.api("POST", "/sim/v1/volumes", body)

    def volume(self, name):
        return self.sim.get("/sim/v1/volumes/" + name)

    def logins(self, name):
        return self.volume(name)["logins"]

    def test_post_on_an_existing_volume_keeps_absent_fields(self):
        status, headers, body = self.post({"name": "data", "lun": 3, "sizeGiB": 500, "initiators": [W1]})
        self.assertEqual(status, 201, body)
        self.assertEqual(headers["Location"], "/sim/v1/volumes/data")
        self.assertEqual(body, {"name": "data", "lun": 3, "sizeGiB": 500, "initiators": [W1], "logins": []})

        status, _, body = self.post({"name": "data", "initiators": [W2.upper()]})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["lun"], body["sizeGiB"], body["initiators"]), (3, 500, [W2]))
        status, _, body = self.post({"name": "data", "lun": 5})
        self.assertEqual((status, body["lun"], body["sizeGiB"], body["initiators"]), (200, 5, 500, [W2]))
        status, _, body = self.post({"name": "data", "sizeGiB": 50})
        self.assertEqual((status, body["lun"], body["sizeGiB"], body["initiators"]), (200, 5, 50, [W2]))
        status, _, body = self.post({"name": "data"})
        self.assertEqual((status, body["lun"], body["sizeGiB"], body["initiators"]), (200, 5, 50, [W2]))
        self.assertEqual(self.volume("data"), body)

        # A rejected update changes nothing.
        for bad in ({"name": "data", "lun": 99999}, {"name": "data", "initiators": ["nope"]},
                    {"name": "data", "sizeGiB": 0}, {"name": "data", "initiators": "x"}):
            status, _, resp = self.post(bad)
            self.assertEqual(status, 400, (bad, resp))
            self.assertIn("message", resp["error"])
        self.assertEqual(self.volume("data"), body)

        # An explicit empty list unmasks the volume.
        status, _, body = self.post({"name": "data", "initiators": []})
        self.assertEqual((status, body["initiators"], body["lun"]), (200, [], 5))

        # A new volume still starts from the defaults.
        status, _, body = self.post({"name": "fresh"})
        self.assertEqual(status, 201, body)
        self.assertEqual(body, {"name": "fresh", "lun": 0, "sizeGiB": 100, "initiators": [], "logins": []})
        listed = {v["name"]: v for v in self.sim.get("/sim/v1/volumes")["volumes"]}
        self.assertEqual(set(listed), {"data", "fresh"})
        self.assertEqual(listed["fresh"], body)

    def test_logins_follow_the_host_that_boots_the_volume(self):
        mac, ip = "02:00:0a:04:00:01", "10.4.0.1"
        boot_logical_server(self.sim, 1, "web", mac, W1, ip)
        wait_until(lambda: self.logins("web") == [W1], what="the SAN sees slot 1 log in")
        listed = {v["name"]: v for v in self.sim.get("/sim/v1/volumes")["volumes"]}
        self.assertEqual(listed["web"]["logins"], [W1])
        self.assertEqual([v["logins"] for v in self.sim.get("/sim/v1/fabric")["san"]["volumes"]], [[W1]])

        # Unmasking the running host's WWPN ends its session; lun and size stay.
        status, _, body = self.post({"name": "web", "initiators": []})
        self.assertEqual((status, body["lun"], body["sizeGiB"]), (200, 0, 100))
        wait_until(lambda: self.logins("web") == [], what="session gone after unmasking")
        status, _, body = self.post({"name": "web", "initiators": [W1]})
        self.assertEqual(status, 200, body)

        # Fence slot 1, move the identity to a warm spare in slot 2: its login shows.
        reset(self.sim, 1, "ForceOff")
        wait_until(lambda: self.logins("web") == [], what="no login while fenced")
        program_identity(self.sim, 2, "02:00:0a:04:00:99", "20:00:00:25:b5:04:00:99")
        reset(self.sim, 2, "On")
        wait_until(lambda: self.sim.blade(2)["host"] == "Firmware", what="slot 2 a warm spare")
        self.assertEqual(self.logins("web"), [])
        program_identity(self.sim, 2, mac, W1)
        reset(self.sim, 2, "On")
        wait_until(lambda: self.logins("web") == [W1], what="the SAN sees the spare log in")
        writers = [w for w in self.sim.get("/sim/v1/fabric")["san"]["writers"] if w["active"]]
        self.assertEqual([(w["volume"], w["slot"], w["wwpn"]) for w in writers], [("web", 2, W1)])

    def test_logins_are_empty_for_a_volume_nobody_boots(self):
        make_logical_server(self.sim, "idle", "02:00:0a:04:00:02", W2, "10.4.0.2")
        reset(self.sim, 3, "On")  # slot 3 has its burned-in WWPN: it cannot see "idle"
        wait_until(lambda: self.sim.blade(3)["host"] == "Firmware", what="slot 3 at firmware")
        self.assertEqual(self.logins("idle"), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
