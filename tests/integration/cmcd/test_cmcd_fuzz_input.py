"""Fuzz-style: mutated rack manifests and configuration files (wrong types,
nulls, removed keys, garbage, truncation) fed to the real cmcd binary. Every
run must end with exit 0 or 2 and a message, never a signal (abort, segfault)
or a hang."""
import concurrent.futures
import copy
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cmcdlib import BIN  # noqa: E402

CMCD = os.path.join(BIN, "cmcd")
SEED = int(os.environ.get("CMC_FUZZ_SEED", "20261201"))
RUNS = int(os.environ.get("CMC_FUZZ_RUNS", "250"))
# The --check runs are independent processes: as many at once as there are cores (a
# sanitizer build spends most of a run starting up).
JOBS = int(os.environ.get("CMC_FUZZ_JOBS", str(os.cpu_count() or 1)))

MANIFEST = {
    "chassis": {"id": "chassis", "name": "Rack", "model": "OpenCMC-16", "serialNumber": "SIM-1", "slots": 3},
    "control": "http://127.0.0.1:7070",
    "seed": 1,
    "speed": 1,
    "blades": [
        {"slot": 1, "model": "SimBlade", "serialNumber": "S1", "uuid": "00000000-0000-4000-8000-000000000001",
         "ipmi": {"host": "127.0.0.1", "port": 20000, "username": "admin", "password": "pw"},
         "redfish": {"url": "https://127.0.0.1:20000", "username": "admin", "password": "pw",
                     "tls": {"fingerprintSha256": ":".join(["AB"] * 32)}},
         "nics": [{"permanentMac": "02:00:00:00:00:01"}], "hbas": [{"permanentWwpn": "50:00:00:00:00:00:00:01"}]},
        {"slot": 2, "redfish": {"url": "http://127.0.0.1:20001", "username": "admin", "password": "pw",
                                "auth": "basic", "system": "/redfish/v1/Systems/1", "tls": {"insecure": True}}},
        {"slot": 3, "ipmi": {"host": "127.0.0.1", "port": 20002, "username": "admin", "password": "pw"}},
    ],
}

CONFIG = {
    "listen": "127.0.0.1:0",
    "admin": {"username": "admin", "password": "fuzz-pw"},
    "ipmiTimeoutMs": 1000,
    "redfishTimeoutMs": 3000,
    "monitor": {"ipmiIntervalMs": 250, "redfishIntervalMs": 5000, "redfishOnlyIntervalMs": 1000,
                "redfishEvents": True, "selIntervalMs": 1000, "networkSuspectFraction": 0.5,
                "flapCount": 3, "redfishOnlyLossThresholdMs": 3000},
    "retention": {"samplesHours": 24, "aggregatesDays": 30, "events": 100000},
}

VALUES = [None, 0, -1, 1, 2 ** 63, -2 ** 63, 1.5, 1e308, "", "x", "http://", "\u0000", [], [1, "a", None], {},
          {"a": {"b": []}}, True, False]


def paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, prefix + (i,))


def mutate(doc, rng):
    d = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 4)):
        all_paths = [p for p in paths(d) if p]
        if not all_paths:
            break
        p = rng.choice(all_paths)
        parent = d
        for k in p[:-1]:
            parent = parent[k]
        op = rng.random()
        if op < 0.25 and isinstance(parent, dict):
            del parent[p[-1]]
        elif op < 0.35 and isinstance(parent, dict):
            parent["unknownKey%d" % rng.randint(0, 9)] = rng.choice(VALUES)
        else:
            parent[p[-1]] = copy.deepcopy(rng.choice(VALUES))
    return d


def text_of(doc, rng):
    s = json.dumps(doc)
    r = rng.random()
    if r < 0.05:
        return s[: rng.randint(0, len(s))]  # truncated
    if r < 0.08:
        i = rng.randint(0, len(s))
        return s[:i] + rng.choice(["\x00", "}", "{", "\"", "\\u", "\xff"]) + s[i:]
    if r < 0.10:
        return "[" * 100000  # deep nesting
    return s


def spawn(args, timeout=20):
    """One cmcd run to its end; None when it hung."""
    try:
        return subprocess.run([CMCD] + args, capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return None


def start_and_stop(d, i, cfg, man):
    """cmcd started on a manifest with its own database: SIGTERM once it listens (it may exit
    by itself first). (exit code, log); exit code None when it did not stop."""
    log = os.path.join(d, "log%d" % i)
    with open(log, "w") as out:
        p = subprocess.Popen([CMCD, "--config", cfg, "--rack", man, "--db", os.path.join(d, "db%d" % i)],
                             stdout=out, stderr=subprocess.STDOUT)
        deadline = 100
        started = False
        while deadline and p.poll() is None:
            with open(log) as f:
                if "listening on" in f.read():
                    started = True
                    break
            deadline -= 1
            try:
                p.wait(0.1)
            except subprocess.TimeoutExpired:
                pass
        if started:
            p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = None
    with open(log) as f:
        return rc, f.read()


class FuzzInputTest(unittest.TestCase):
    def check(self, args, p):
        if p is None:
            self.fail("cmcd hung: %s" % args)
        self.assertGreaterEqual(p.returncode, 0, "cmcd died of signal %d: %s %s" %
                                (-p.returncode, args, p.stderr[-500:]))
        self.assertIn(p.returncode, (0, 2), "%s: %s" % (args, p.stderr[-500:]))
        self.assertNotIn("terminate called", p.stderr)
        if p.returncode == 2:
            self.assertTrue(p.stderr.strip(), "exit 2 without a message")
        return p

    def test_mutated_manifests_and_configs_with_check(self):
        rng = random.Random(SEED)
        with tempfile.TemporaryDirectory(prefix="cmcd-fuzz-") as d:
            runs = []
            for i in range(RUNS):  # every input first, in the order the one rng draws them
                cfg = os.path.join(d, "cmcd%d.json" % i)
                man = os.path.join(d, "rack%d.json" % i)
                with open(cfg, "w") as f:
                    f.write(json.dumps(CONFIG) if i % 2 else text_of(mutate(CONFIG, rng), rng))
                with open(man, "w") as f:
                    f.write(text_of(mutate(MANIFEST, rng), rng) if i % 2 else json.dumps(MANIFEST))
                runs.append(["--config", cfg, "--rack", man, "--check"])
            with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
                results = list(pool.map(spawn, runs))
            outcomes = {0: 0, 2: 0}
            for args, p in zip(runs, results):
                p = self.check(args, p)
                outcomes[p.returncode] += 1
            # Both outcomes occur: the mutations reach valid and invalid input.
            self.assertGreater(outcomes[0], RUNS // 10, outcomes)
            self.assertGreater(outcomes[2], RUNS // 10, outcomes)
            print("fuzz: %d runs, seed %d: %s" % (RUNS, SEED, outcomes))

    def test_mutated_manifests_on_a_live_start(self):
        """Without --check: the same parse runs inside a starting cmcd with a
        database; it listens (then stops on SIGTERM with 0) or exits 2."""
        rng = random.Random(SEED + 1)
        with tempfile.TemporaryDirectory(prefix="cmcd-fuzz-live-") as d:
            cfg = os.path.join(d, "cmcd.json")
            with open(cfg, "w") as f:
                json.dump(CONFIG, f)
            mans = []
            for i in range(12):  # every manifest first, in the order the rng draws them
                mans.append(os.path.join(d, "rack%d.json" % i))
                with open(mans[-1], "w") as f:
                    f.write(text_of(mutate(MANIFEST, rng), rng))
            with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
                results = list(pool.map(lambda i: start_and_stop(d, i, cfg, mans[i]), range(12)))
            for i, (rc, text) in enumerate(results):
                if rc is None:
                    self.fail("cmcd did not stop (run %d)" % i)
                self.assertIn(rc, (0, 2), "run %d rc %d: %s" % (i, rc, text[-800:]))
                self.assertNotIn("terminate called", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
