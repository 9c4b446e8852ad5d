-- 0001_initial: the chassis, its blades, health history and events.
-- Applied by cmcd's store in one transaction; the store records the version in
-- PRAGMA user_version. A shipped migration is never edited: add 0002_... instead.
-- No BEGIN/COMMIT here: the store wraps each file in its own transaction.
-- Times are Unix milliseconds (INTEGER). Tables are STRICT (SQLite >= 3.37).

CREATE TABLE chassis (
    id            TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
    name          TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    serial_number TEXT    NOT NULL,
    slots         INTEGER NOT NULL CHECK (slots >= 0)
) STRICT;

-- One row per slot that ever held a blade; an empty slot keeps its last
-- inventory with present = 0.
CREATE TABLE blades (
    slot                 INTEGER NOT NULL PRIMARY KEY CHECK (slot >= 1),
    present              INTEGER NOT NULL CHECK (present IN (0, 1)),
    manufacturer         TEXT    NOT NULL,
    model                TEXT    NOT NULL,
    serial_number        TEXT    NOT NULL,
    part_number          TEXT    NOT NULL,
    uuid                 TEXT    NOT NULL,
    bios_version         TEXT    NOT NULL,
    bmc_firmware_version TEXT    NOT NULL,
    cpu_count            INTEGER NOT NULL CHECK (cpu_count >= 0),
    memory_gib           INTEGER NOT NULL CHECK (memory_gib >= 0),
    role                 TEXT    NOT NULL CHECK (role IN ('Unassigned', 'Active', 'Spare', 'Failed',
                                                         'Quarantined', 'Maintenance')),
    health               TEXT    NOT NULL CHECK (health IN ('Unknown', 'Healthy', 'Suspect', 'Warning',
                                                             'Critical', 'Failed', 'BmcUnreachable',
                                                             'Absent')),
    power_state          TEXT    NOT NULL,
    discovered_ms        INTEGER NOT NULL CHECK (discovered_ms >= 0),
    inventory_ms         INTEGER NOT NULL CHECK (inventory_ms >= 0)
) STRICT;

-- NICs and FC HBAs in the order the BMC reported them.
CREATE TABLE blade_nics (
    slot          INTEGER NOT NULL REFERENCES blades (slot) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position >= 0),
    permanent_mac TEXT    NOT NULL,
    current_mac   TEXT    NOT NULL,
    PRIMARY KEY (slot, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE blade_hbas (
    slot           INTEGER NOT NULL REFERENCES blades (slot) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position >= 0),
    permanent_wwpn TEXT    NOT NULL,
    current_wwpn   TEXT    NOT NULL,
    PRIMARY KEY (slot, position)
) STRICT, WITHOUT ROWID;

-- How cmcd reaches each blade's BMC.
CREATE TABLE bmc_endpoints (
    slot        INTEGER NOT NULL PRIMARY KEY REFERENCES blades (slot) ON DELETE CASCADE,
    ipmi_host   TEXT    NOT NULL,
    ipmi_port   INTEGER NOT NULL CHECK (ipmi_port BETWEEN 0 AND 65535),
    redfish_url TEXT    NOT NULL
) STRICT;

-- BMC credentials, apart from everything else: cmcd must log in, so they are
-- stored, but no query outside the store's blade load reads them and they are
-- never logged or served by the API.
CREATE TABLE bmc_credentials (
    slot     INTEGER NOT NULL PRIMARY KEY REFERENCES blades (slot) ON DELETE CASCADE,
    username TEXT    NOT NULL,
    password TEXT    NOT NULL
) STRICT;

-- Raw health observations, kept sampleRetentionMs. value is NULL when the
-- observation carried no reading. No foreign key: history outlives a blade row.
CREATE TABLE health_samples (
    id      INTEGER NOT NULL PRIMARY KEY,
    slot    INTEGER NOT NULL CHECK (slot >= 1),
    time_ms INTEGER NOT NULL,
    signal  TEXT    NOT NULL CHECK (signal <> ''),
    ok      INTEGER NOT NULL CHECK (ok IN (0, 1)),
    value   REAL,
    detail  TEXT    NOT NULL
) STRICT;
CREATE INDEX health_samples_slot_time ON health_samples (slot, time_ms);
CREATE INDEX health_samples_time ON health_samples (time_ms);  -- retention

-- Per-minute aggregates of folded raw samples, kept downsampledRetentionMs.
-- value_count counts the folded samples that carried a value (avg weight).
CREATE TABLE health_samples_minute (
    slot        INTEGER NOT NULL CHECK (slot >= 1),
    minute_ms   INTEGER NOT NULL CHECK (minute_ms % 60000 = 0),
    signal      TEXT    NOT NULL CHECK (signal <> ''),
    count       INTEGER NOT NULL CHECK (count > 0),
    bad_count   INTEGER NOT NULL CHECK (bad_count BETWEEN 0 AND count),
    value_count INTEGER NOT NULL CHECK (value_count BETWEEN 0 AND count),
    min_value   REAL,
    avg_value   REAL,
    max_value   REAL,
    PRIMARY KEY (slot, minute_ms, signal)
) STRICT, WITHOUT ROWID;
CREATE INDEX health_samples_minute_minute ON health_samples_minute (minute_ms);  -- retention

-- Health state changes of a blade, as the monitor decided them.
-- AUTOINCREMENT: an id is never reused.
CREATE TABLE health_transitions (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    slot        INTEGER NOT NULL CHECK (slot >= 1),
    time_ms     INTEGER NOT NULL,
    from_state  TEXT    NOT NULL CHECK (from_state IN ('Unknown', 'Healthy', 'Suspect', 'Warning', 'Critical',
                                                         'Failed', 'BmcUnreachable', 'Absent')),
    to_state    TEXT    NOT NULL CHECK (to_state IN ('Unknown', 'Healthy', 'Suspect', 'Warning', 'Critical',
                                                       'Failed', 'BmcUnreachable', 'Absent')),
    reason      TEXT    NOT NULL,
    bad_signals TEXT    NOT NULL CHECK (json_valid(bad_signals) AND json_type(bad_signals) = 'array')
) STRICT;
CREATE INDEX health_transitions_slot_id ON health_transitions (slot, id);

-- Redfish-registry events. AUTOINCREMENT keeps ids monotonically increasing
-- and never reused, even after retention trims the oldest rows
-- (sqlite_sequence remembers the highest id ever stored).
CREATE TABLE events (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    time_ms    INTEGER NOT NULL,
    message_id TEXT    NOT NULL CHECK (message_id <> ''),
    args       TEXT    NOT NULL CHECK (json_valid(args) AND json_type(args) = 'array'),
    severity   TEXT    NOT NULL CHECK (severity IN ('OK', 'Warning', 'Critical')),
    message    TEXT    NOT NULL,
    origin     TEXT    NOT NULL
) STRICT;
