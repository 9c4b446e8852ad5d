#!/usr/bin/env python3
"""Copies into tests/data/redfish-schemas/ the DMTF Redfish JSON Schemas the
tests validate against: for every root type (the resources cmcd and the blade
BMC serve, plus the payload/annotation/error schemas), its unversioned file and
its newest versioned file, then the closure of their $refs.

A reference to another resource's unversioned file (a navigation link, e.g.
Chassis -> Drive.json#/definitions/Drive) copies that file but not its
versioned files unless that resource is a root too: a link is validated by its
idRef branch, and an expanded object of a type that is not a root fails
validation loudly (the schema is not in the copy) instead of passing. Add the
type to ROOTS and rerun when a service starts to serve a new one.

usage: tests/tools/vendor-schemas.py [--from DIR] [--to DIR] [--check]
  --check  exit 1 if the vendored copy differs from what the script would write.
"""
import argparse
import filecmp
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FROM = os.path.join(HERE, "..", "..", "..", "shared", "redfish", "json-schema")
DEFAULT_TO = os.path.join(HERE, "..", "data", "redfish-schemas")
PREFIX = "http://redfish.dmtf.org/schemas/v1/"

# Resource types served (or planned by issue 9) by cmcd and the blade BMC firmware.
ROOTS = """
ServiceRoot Chassis ChassisCollection Manager ManagerCollection ComputerSystem ComputerSystemCollection
EthernetInterface EthernetInterfaceCollection IPAddresses VLanNetworkInterface
CompositionService ResourceBlock ResourceBlockCollection Zone ZoneCollection
TaskService Task TaskCollection EventService EventDestination EventDestinationCollection Event
SessionService Session SessionCollection AccountService ManagerAccount ManagerAccountCollection
Role RoleCollection LogService LogServiceCollection LogEntry LogEntryCollection
MessageRegistryFile MessageRegistryFileCollection MessageRegistry JsonSchemaFile JsonSchemaFileCollection
NetworkAdapter NetworkAdapterCollection NetworkDeviceFunction NetworkDeviceFunctionCollection
Port PortCollection Sensor SensorCollection PowerSubsystem PowerSupply PowerSupplyCollection
ThermalSubsystem Fan FanCollection ThermalMetrics CertificateService Certificate CertificateCollection
CertificateLocations ManagerNetworkProtocol ActionInfo Message Settings Resource
Redundancy PowerSupplyMetrics EnvironmentMetrics SoftwareInventory
""".split()
# Schemas that are not resources: the error body, OData and payload annotations.
EXTRA_FILES = ["odata-v4.json", "redfish-error.v1_0_2.json", "redfish-payload-annotations-v1.json"]

REF = re.compile(r'"\$ref"\s*:\s*"' + re.escape(PREFIX) + r'([^"#]+)')
VERSIONED = re.compile(r"^([A-Za-z0-9-]+)\.v(\d+)_(\d+)_(\d+)\.json$")


def newest_versions(src):
    """{stem: file name} of the newest versioned file of each schema in the bundle."""
    best = {}
    for name in os.listdir(src):
        m = VERSIONED.match(name)
        if m:
            key = tuple(int(x) for x in m.groups()[1:])
            if m.group(1) not in best or key > best[m.group(1)][0]:
                best[m.group(1)] = (key, name)
    return {stem: name for stem, (_, name) in best.items()}


def closure(src):
    newest = newest_versions(src)
    roots = set(ROOTS)
    todo = list(EXTRA_FILES)
    for t in ROOTS:
        todo.append(t + ".json")
        if t in newest:
            todo.append(newest[t])
    seen, missing = set(), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        m = VERSIONED.match(name)
        if m and not os.path.exists(os.path.join(src, name)):
            name = newest.get(m.group(1), name)  # the bundle holds the newest errata only
        path = os.path.join(src, name)
        if not os.path.exists(path):
            missing.add(name)
            continue
        seen.add(name)
        own_stem = None if VERSIONED.match(name) else name[:-len(".json")]
        with open(path) as f:
            text = f.read()
        for ref in REF.findall(text):
            rm = VERSIONED.match(ref)
            if own_stem and own_stem not in roots and rm and rm.group(1) == own_stem:
                continue  # versions of a linked-to (not served) resource: not needed
            todo.append(ref)
    return sorted(seen), sorted(missing)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from", dest="src", default=DEFAULT_FROM)
    ap.add_argument("--to", dest="dst", default=DEFAULT_TO)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    files, missing = closure(args.src)
    if missing:
        print("not in the bundle (ignored): " + " ".join(missing), file=sys.stderr)
    licence = os.path.join(args.src, "..", "LICENSE.md")
    wanted = set(files) | {"LICENSE.md"}
    if args.check:
        have = set(os.listdir(args.dst)) if os.path.isdir(args.dst) else set()
        diff = sorted(wanted ^ have)
        diff += [f for f in files if f in have and not filecmp.cmp(os.path.join(args.src, f),
                                                                     os.path.join(args.dst, f), shallow=False)]
        for f in diff:
            print("differs: " + f)
        return 1 if diff else 0
    os.makedirs(args.dst, exist_ok=True)
    for f in os.listdir(args.dst):
        if f not in wanted:
            os.remove(os.path.join(args.dst, f))
    for f in files:
        shutil.copyfile(os.path.join(args.src, f), os.path.join(args.dst, f))
    shutil.copyfile(licence, os.path.join(args.dst, "LICENSE.md"))
    size = sum(os.path.getsize(os.path.join(args.dst, f)) for f in wanted)
    print("%d schema files, %.1f MB, in %s" % (len(files), size / 1e6, os.path.normpath(args.dst)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
