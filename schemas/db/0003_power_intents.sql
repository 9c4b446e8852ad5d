-- 0003_power_intents: whether cmcd wants each blade on or off (power intent),
-- so that a planned power-off survives a restart and is never read as a
-- failure. No foreign key: an intent may be set for a slot before discovery.
CREATE TABLE power_intents (
    slot    INTEGER NOT NULL PRIMARY KEY CHECK (slot >= 1),
    intent  TEXT    NOT NULL CHECK (intent IN ('On', 'Off')),
    reason  TEXT    NOT NULL,
    set_ms  INTEGER NOT NULL CHECK (set_ms >= 0),
    learned INTEGER NOT NULL CHECK (learned IN (0, 1))
) STRICT;
