"""The demo's declarative set-up, shared by the demo and the tests: identity
pools, one spare pool (warm and cold spares) and logical servers, as cmcd's
config file declares them. cmcd allocates the identities, binds each server to
its blade and keeps it running there or on a spare."""

NAMES = ["web01", "web02", "web03", "web04", "app01", "app02", "app03", "app04", "db01", "db02", "db03", "db04"]


def server_names(count):
    names = list(NAMES[:count])
    i = len(names)
    while len(names) < count:
        i += 1
        names.append("srv%02d" % i)
    return names


def volume_name(server):
    return server + "-boot"


def declarations(servers=12, warm=(13, 14), cold=(15, 16), pool="default", automatic=True):
    """The identityPools, sparePools and logicalServers keys of cmcd's config."""
    members = [{"slot": s, "kind": "Warm"} for s in warm] + [{"slot": s, "kind": "Cold"} for s in cold]
    out = {
        "identityPools": [
            {"name": "macs", "kind": "MAC", "first": "02:00:0a:00:00:01", "last": "02:00:0a:00:0f:ff"},
            {"name": "wwpns", "kind": "WWPN", "first": "20:00:00:25:b5:00:00:01", "last": "20:00:00:25:b5:00:0f:ff"},
            {"name": "ips", "kind": "IPv4", "subnet": "10.0.0.0/20", "gateway": "10.0.0.1",
             "first": "10.0.0.11", "last": "10.0.15.250"},
            {"name": "uuids", "kind": "UUID", "prefix": "4f70656e-434d-4300-8000", "first": 1, "last": 65535},
        ],
        "sparePools": [{"name": pool, "members": members}],
        "logicalServers": [],
    }
    for i, name in enumerate(server_names(servers)):
        out["logicalServers"].append({
            "name": name,
            "blade": i + 1,
            "uuidPool": "uuids",
            "vnics": [{"name": "eth0", "macPool": "macs", "ipPool": "ips"}],
            "vhbas": [{"name": "fc0", "wwpnPool": "wwpns"}],
            "bootVolume": {"volume": volume_name(name), "lun": 0},
            "failover": {"sparePool": pool, "priority": 0, "automatic": automatic},
        })
    return out


def volumes(servers=12):
    """The SAN volumes the servers boot from (the storage administrator's part)."""
    return [{"name": volume_name(n), "lun": 0, "sizeGiB": 100} for n in server_names(servers)]
