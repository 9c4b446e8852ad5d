-- 0004_logical_servers: what the failover orchestrator persists: identity
-- pools and every identity handed out, logical servers with their vNICs and
-- vHBAs, spare pools, per-blade flags, the failover journal with its phase
-- history, and the audit trail of who asked for what.
-- Enumerations are stored as the domain's toString text and checked here.

-- Identity pools. first_value/last_value are the inclusive range as 16 lower
-- case hex digits (a WWPN needs all 64 bits, beyond a signed INTEGER), so
-- that text order is numeric order. MAC and UUID (node field) ranges are 48
-- bits, IPv4 32. uuid_prefix, prefix_length and gateway are '' / 0 for the
-- kinds that have none.
CREATE TABLE identity_pools (
    name          TEXT    NOT NULL PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
    kind          TEXT    NOT NULL CHECK (kind IN ('MAC', 'WWPN', 'IPv4', 'UUID')),
    first_value   TEXT    NOT NULL CHECK (length(first_value) = 16 AND first_value NOT GLOB '*[^0-9a-f]*'),
    last_value    TEXT    NOT NULL CHECK (length(last_value) = 16 AND last_value NOT GLOB '*[^0-9a-f]*'),
    uuid_prefix   TEXT    NOT NULL,
    prefix_length INTEGER NOT NULL CHECK (prefix_length BETWEEN 0 AND 32),
    gateway       TEXT    NOT NULL,
    CHECK (first_value <= last_value),
    CHECK (kind = 'WWPN' OR last_value <= (CASE kind WHEN 'IPv4' THEN '00000000ffffffff'
                                                     ELSE '0000ffffffffffff' END))
) STRICT;

-- Every identity held, from a pool or given explicitly (pool ''). The
-- primary key is the durable guard of invariant 7: no identity is ever held
-- twice. value is the canonical text form. No foreign keys: an allocation is
-- written before (or in the same batch as) the server that owns it.
CREATE TABLE identity_allocations (
    kind  TEXT NOT NULL CHECK (kind IN ('MAC', 'WWPN', 'IPv4', 'UUID')),
    value TEXT NOT NULL CHECK (value <> ''),
    owner TEXT NOT NULL CHECK (owner <> ''),
    pool  TEXT NOT NULL,
    PRIMARY KEY (kind, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX identity_allocations_owner ON identity_allocations (owner);

-- Logical servers. slot is the blade the server is bound to (NULL: none);
-- UNIQUE: a blade holds at most one server (NULLs do not collide).
CREATE TABLE logical_servers (
    name           TEXT    NOT NULL PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 63),
    uuid           TEXT    NOT NULL UNIQUE CHECK (uuid <> ''),
    uuid_pool      TEXT    NOT NULL,
    boot_volume    TEXT    NOT NULL,
    boot_lun       INTEGER NOT NULL CHECK (boot_lun BETWEEN 0 AND 4294967295),
    boot_target    TEXT    NOT NULL,
    min_cpus       INTEGER NOT NULL CHECK (min_cpus >= 0),
    min_memory_gib INTEGER NOT NULL CHECK (min_memory_gib >= 0),
    model_family   TEXT    NOT NULL,
    spare_pool     TEXT    NOT NULL,
    priority       INTEGER NOT NULL,
    automatic      INTEGER NOT NULL CHECK (automatic IN (0, 1)),
    desired_power  TEXT    NOT NULL CHECK (desired_power IN ('On', 'Off')),
    slot           INTEGER UNIQUE CHECK (slot IS NULL OR slot >= 1),
    state          TEXT    NOT NULL CHECK (state IN ('Unbound', 'Binding', 'Running', 'Stopped', 'Down')),
    state_reason   TEXT    NOT NULL,
    origin         TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL CHECK (created_ms >= 0),
    updated_ms     INTEGER NOT NULL CHECK (updated_ms >= 0)
) STRICT;

-- vNICs and vHBAs in the order the server declares them. A MAC, IP or WWPN
-- appears on one of them at most (invariant 7 again, at the point of use).
CREATE TABLE server_vnics (
    server   TEXT    NOT NULL REFERENCES logical_servers (name) ON DELETE CASCADE,
    idx      INTEGER NOT NULL CHECK (idx >= 0),
    name     TEXT    NOT NULL CHECK (name <> ''),
    mac      TEXT    NOT NULL UNIQUE CHECK (mac <> ''),
    ip       TEXT    NOT NULL,
    vlan     INTEGER NOT NULL CHECK (vlan BETWEEN 0 AND 4094),
    mac_pool TEXT    NOT NULL,
    ip_pool  TEXT    NOT NULL,
    PRIMARY KEY (server, idx),
    UNIQUE (server, name)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX server_vnics_ip ON server_vnics (ip) WHERE ip <> '';

CREATE TABLE server_vhbas (
    server    TEXT    NOT NULL REFERENCES logical_servers (name) ON DELETE CASCADE,
    idx       INTEGER NOT NULL CHECK (idx >= 0),
    name      TEXT    NOT NULL CHECK (name <> ''),
    wwpn      TEXT    NOT NULL UNIQUE CHECK (wwpn <> ''),
    wwpn_pool TEXT    NOT NULL,
    PRIMARY KEY (server, idx),
    UNIQUE (server, name)
) STRICT, WITHOUT ROWID;

-- Spare pools and their members; a blade is a member of one pool at most.
CREATE TABLE spare_pools (
    name TEXT NOT NULL PRIMARY KEY CHECK (name <> '')
) STRICT;

CREATE TABLE spare_members (
    pool TEXT    NOT NULL REFERENCES spare_pools (name) ON DELETE CASCADE,
    slot INTEGER NOT NULL UNIQUE CHECK (slot >= 1),
    kind TEXT    NOT NULL CHECK (kind IN ('Warm', 'Cold')),
    PRIMARY KEY (pool, slot)
) STRICT, WITHOUT ROWID;

-- Per-blade flags beside the inventory. No foreign key: a flag may be set for
-- a slot before discovery.
CREATE TABLE blade_flags (
    slot        INTEGER NOT NULL PRIMARY KEY CHECK (slot >= 1),
    maintenance INTEGER NOT NULL CHECK (maintenance IN (0, 1)),
    role_reason TEXT    NOT NULL
) STRICT;

-- The failover journal: one row per identity move. ids are given by the
-- orchestrator; AUTOINCREMENT makes sqlite_sequence remember the highest id
-- ever stored, so an id is never reused even after rows are deleted. No
-- foreign key to logical_servers: the history outlives a deleted server.
-- tried: the spares that failed, as slots separated by commas ('' for none).
-- *_ms of a phase: its first entry (0: never entered).
CREATE TABLE failovers (
    id             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT CHECK (id >= 1),
    server         TEXT    NOT NULL CHECK (server <> ''),
    kind           TEXT    NOT NULL CHECK (kind IN ('Automatic', 'Migrate', 'Failback', 'Evacuate', 'Bind')),
    cause          TEXT    NOT NULL,
    requested_by   TEXT    NOT NULL,
    from_slot      INTEGER CHECK (from_slot IS NULL OR from_slot >= 1),
    to_slot        INTEGER CHECK (to_slot IS NULL OR to_slot >= 1),
    target_slot    INTEGER CHECK (target_slot IS NULL OR target_slot >= 1),
    phase          TEXT    NOT NULL CHECK (phase IN ('Detected', 'Fencing', 'Allocating', 'Programming',
                                                     'PoweringOn', 'Verifying', 'Completed', 'Failed')),
    fence          TEXT    NOT NULL CHECK (fence IN ('None', 'PowerOff', 'AlreadyOff', 'Fabric', 'NotNeeded')),
    tried          TEXT    NOT NULL CHECK (tried NOT GLOB '*[^0-9,]*'),
    reason         TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL CHECK (created_ms >= 0),
    end_ms         INTEGER NOT NULL CHECK (end_ms >= 0),
    detected_ms    INTEGER NOT NULL CHECK (detected_ms >= 0),
    fencing_ms     INTEGER NOT NULL CHECK (fencing_ms >= 0),
    allocating_ms  INTEGER NOT NULL CHECK (allocating_ms >= 0),
    programming_ms INTEGER NOT NULL CHECK (programming_ms >= 0),
    powering_on_ms INTEGER NOT NULL CHECK (powering_on_ms >= 0),
    verifying_ms   INTEGER NOT NULL CHECK (verifying_ms >= 0),
    completed_ms   INTEGER NOT NULL CHECK (completed_ms >= 0),
    failed_ms      INTEGER NOT NULL CHECK (failed_ms >= 0)
) STRICT;
CREATE INDEX failovers_server ON failovers (server, id);

-- Every phase entry of a failover, repeated phases included, in order.
-- slot 0: the phase acts on no blade.
CREATE TABLE failover_phases (
    failover INTEGER NOT NULL REFERENCES failovers (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL CHECK (seq >= 0),
    phase    TEXT    NOT NULL CHECK (phase IN ('Detected', 'Fencing', 'Allocating', 'Programming',
                                               'PoweringOn', 'Verifying', 'Completed', 'Failed')),
    time_ms  INTEGER NOT NULL CHECK (time_ms >= 0),
    slot     INTEGER NOT NULL CHECK (slot >= 0),
    note     TEXT    NOT NULL,
    PRIMARY KEY (failover, seq)
) STRICT, WITHOUT ROWID;

-- Who asked for what, and why ("policy" for the orchestrator itself), and
-- what came of it. AUTOINCREMENT: an id is never reused.
CREATE TABLE audit (
    id      INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    time_ms INTEGER NOT NULL CHECK (time_ms >= 0),
    who     TEXT    NOT NULL CHECK (who <> ''),
    action  TEXT    NOT NULL CHECK (action <> ''),
    subject TEXT    NOT NULL,
    reason  TEXT    NOT NULL,
    outcome TEXT    NOT NULL
) STRICT;
