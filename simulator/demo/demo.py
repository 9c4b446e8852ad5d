#!/usr/bin/python3
"""The OpenCMC demo: a simulated 16-blade rack with 12 logical servers running
and 4 spares (2 warm, 2 cold). Runs in the foreground until SIGINT/SIGTERM,
then stops everything it started."""
import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_config  # noqa: E402

SERVERS = 12


def call(method, url, body=None, auth=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin"))
    ap.add_argument("--speed", default="4", help="simulated time scale (default 4)")
    ap.add_argument("--var", default="var", help="directory for the manifest (default ./var)")
    args = ap.parse_args()

    os.makedirs(args.var, exist_ok=True)
    manifest_path = os.path.join(args.var, "rack.json")
    if os.path.exists(manifest_path):
        os.remove(manifest_path)
    sim = subprocess.Popen([os.path.join(args.bin, "cmcsim"), "--blades", "16", "--control-port", "7070",
                            "--bmc-base-port", "20000", "--manifest", manifest_path, "--speed", args.speed])
    stopping = []
    cmcd = None

    def stop(signum, _frame):
        stopping.append(signum)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(manifest_path):
            if sim.poll() is not None or time.monotonic() > deadline or stopping:
                print("demo: cmcsim did not start", file=sys.stderr)
                return 1
            time.sleep(0.05)
        manifest = json.load(open(manifest_path))
        control = manifest["control"]

        # The storage administrator's part: the boot volumes exist on the SAN.
        # Everything else (identities, masking, DHCP, power, spares) is
        # declared in cmcd's config and applied by cmcd.
        for v in demo_config.volumes(SERVERS):
            call("POST", control + "/sim/v1/volumes", v)
        cmcd_bin = os.path.join(args.bin, "cmcd")
        cfg_path = os.path.join(args.var, "cmcd.json")
        cfg = {"listen": "127.0.0.1:8080", "admin": {"username": "admin", "password": "opencmc-demo"}}
        cfg.update(demo_config.declarations(servers=SERVERS, warm=(13, 14), cold=(15, 16)))
        with open(cfg_path, "w") as f:
            json.dump(cfg, f, indent=2)
        os.chmod(cfg_path, 0o600)
        db_path = os.path.join(args.var, "cmc.db")
        for suffix in ("", "-wal", "-shm"):  # a fresh rack: a fresh controller state
            if os.path.exists(db_path + suffix):
                os.remove(db_path + suffix)
        cmcd = subprocess.Popen([cmcd_bin, "--config", cfg_path, "--db", db_path, "--rack", manifest_path])

        print()
        print("OpenCMC demo: simulated 16-blade rack")
        print("  control API   %s/sim/v1   (blades, faults, fabric, probe, invariants)" % control)
        print("  rack manifest %s   (BMC endpoints and per-blade credentials)" % manifest_path)
        print("  blade BMCs    Redfish http://127.0.0.1:20000-20015, IPMI UDP 127.0.0.1:20000-20015")
        print("  12 logical servers %s..%s declared in %s, bound by cmcd to blades 1-12" %
              (demo_config.server_names(SERVERS)[0], demo_config.server_names(SERVERS)[-1], cfg_path))
        print("  spare pool 'default': warm spares 13-14 (on, held at firmware), cold spares 15-16 (off)")
        print("  try: curl -s %s/sim/v1/probe | head -40" % control)
        print("  cmcd          http://127.0.0.1:8080/redfish/v1   administrator: admin / opencmc-demo")
        print("  try: curl -s -u admin:opencmc-demo http://127.0.0.1:8080/redfish/v1/Chassis/blade-3 | head -60")
        print("  try: curl -s -u admin:opencmc-demo http://127.0.0.1:8080/redfish/v1/Managers/cmc/LogServices/EventLog/Entries")
        print("  try: curl -s -u admin:opencmc-demo http://127.0.0.1:8080/redfish/v1/Systems/web01")
        print("  try: curl -s -X POST %s/sim/v1/blades/1/faults -d '{\"fault\":\"power-loss\"}'   (web01 moves to a spare)" % control)
        print("Press Ctrl-C to stop.", flush=True)

        announced = False
        while not stopping and sim.poll() is None and cmcd.poll() is None:
            if not announced:
                probe = call("GET", control + "/sim/v1/probe")
                up = sum(1 for t in probe["targets"] if t["reachable"])
                if up == SERVERS:
                    print("demo: all %d logical servers answer at their IPs" % SERVERS, flush=True)
                    announced = True
            time.sleep(0.5)
    finally:
        if cmcd is not None and cmcd.poll() is None:
            cmcd.terminate()
            try:
                cmcd.wait(10)
            except subprocess.TimeoutExpired:
                cmcd.kill()
        if sim.poll() is None:
            sim.terminate()
            try:
                sim.wait(10)
            except subprocess.TimeoutExpired:
                sim.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
