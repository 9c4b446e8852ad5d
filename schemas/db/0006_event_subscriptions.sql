-- 0006_event_subscriptions: the northbound EventService's push subscriptions
-- (Redfish EventDestination) and the settings a client changed, so both
-- survive a restart. Lists are JSON arrays of strings; http_headers a JSON
-- array of [name, value] pairs (sent to the receiver, never shown).
CREATE TABLE event_subscriptions (
    id                INTEGER NOT NULL PRIMARY KEY CHECK (id >= 1),
    destination       TEXT    NOT NULL,
    context           TEXT    NOT NULL,
    registry_prefixes TEXT    NOT NULL,
    message_ids       TEXT    NOT NULL,
    origin_resources  TEXT    NOT NULL,
    http_headers      TEXT    NOT NULL,
    retry_policy      TEXT    NOT NULL CHECK (retry_policy IN ('TerminateAfterRetries', 'SuspendRetries', 'RetryForever')),
    suspended         INTEGER NOT NULL CHECK (suspended IN (0, 1)),
    created_ms        INTEGER NOT NULL CHECK (created_ms >= 0)
) STRICT;

-- One row: the EventService settings and the next subscription id (ids are
-- never reused, even after the newest subscription was deleted).
CREATE TABLE event_service (
    id                     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    enabled                INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    retry_attempts         INTEGER NOT NULL CHECK (retry_attempts >= 0),
    retry_interval_seconds INTEGER NOT NULL CHECK (retry_interval_seconds >= 1),
    next_subscription_id   INTEGER NOT NULL CHECK (next_subscription_id >= 1)
) STRICT;
