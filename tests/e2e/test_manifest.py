"""The rack manifest cmcsim writes matches schemas/sim/rack-manifest.schema.json
and names BMC endpoints that answer with the listed credentials."""
import json
import os
import subprocess
import unittest

import jsonschema

from simlib import Sim

SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "schemas", "sim", "rack-manifest.schema.json")


class ManifestTest(unittest.TestCase):
    def test_manifest_matches_schema_and_endpoints_answer(self):
        sim = Sim(blades=8, speed=50)
        try:
            schema = json.load(open(SCHEMA))
            jsonschema.validate(sim.manifest, schema)
            self.assertEqual(len(sim.manifest["blades"]), 8)
            self.assertEqual(sim.manifest["chassis"]["slots"], 8)
            for slot in (1, 8):
                b = sim.manifest["blades"][slot - 1]
                self.assertEqual(b["slot"], slot)
                self.assertEqual(sim.bmc(slot).get("/redfish/v1/Systems/1")["UUID"], b["uuid"])
                if b["ipmi"]["port"]:
                    r = subprocess.run(["ipmitool", "-I", "lanplus", "-H", b["ipmi"]["host"], "-p", str(b["ipmi"]["port"]),
                                        "-U", b["ipmi"]["username"], "-P", b["ipmi"]["password"], "chassis", "power", "status"],
                                       capture_output=True, text=True, timeout=30)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertIn("Chassis Power is off", r.stdout)
            # Permanent addresses are unique across the rack.
            macs = [n["permanentMac"] for b in sim.manifest["blades"] for n in b["nics"]]
            self.assertEqual(len(macs), len(set(macs)))
        finally:
            sim.stop()

    def test_schema_rejects_a_broken_manifest(self):
        schema = json.load(open(SCHEMA))
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.validate({"chassis": {"id": "c", "name": "n", "slots": 1}, "control": "http://x",
                                 "blades": [{"slot": 0}]}, schema)

    def test_schema_endpoints_and_tls(self):
        schema = json.load(open(SCHEMA))
        rf = {"url": "https://10.0.0.5", "username": "u", "password": "p",
              "tls": {"fingerprintSha256": ":".join(["AB"] * 32)}}
        ipmi = {"host": "10.0.0.5", "port": 623, "username": "u", "password": "p"}

        def manifest(**endpoints):
            blade = dict(slot=1, model="m", nics=[], hbas=[], **endpoints)
            return {"chassis": {"id": "c", "name": "n", "slots": 1}, "control": "http://x", "blades": [blade]}

        jsonschema.validate(manifest(redfish=rf), schema)  # Redfish alone
        jsonschema.validate(manifest(ipmi=ipmi), schema)  # IPMI alone
        jsonschema.validate(manifest(redfish=dict(rf, tls={"caFile": "/etc/ca.pem"}), ipmi=ipmi), schema)
        jsonschema.validate(manifest(redfish=dict(rf, tls={"insecure": True})), schema)
        for bad in [manifest(),
                    manifest(redfish=dict(rf, tls={"fingerprintSha256": "ab:cd"})),
                    manifest(redfish=dict(rf, tls={"fingerprintSha256": ":".join(["ab"] * 32)})),
                    manifest(redfish=dict(rf, tls={"pin": "x"})),
                    manifest(redfish=dict(rf, tls={"insecure": "yes"}))]:
            with self.assertRaises(jsonschema.ValidationError, msg=bad):
                jsonschema.validate(bad, schema)


if __name__ == "__main__":
    unittest.main(verbosity=2)
