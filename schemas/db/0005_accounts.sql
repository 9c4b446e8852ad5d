-- 0005_accounts: the AccountService's accounts (passwords only as PBKDF2
-- hashes) and its policy. The policy row exists once an administrator has
-- changed it through the API; until then the configuration's applies.
CREATE TABLE accounts (
    id            INTEGER NOT NULL PRIMARY KEY CHECK (id >= 1),
    user_name     TEXT    NOT NULL UNIQUE CHECK (length(user_name) >= 1),
    role_id       TEXT    NOT NULL CHECK (role_id IN ('Administrator', 'Operator', 'ReadOnly')),
    enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    password_hash TEXT    NOT NULL CHECK (password_hash LIKE 'pbkdf2-sha256$%'),
    account_types TEXT    NOT NULL -- JSON array of AccountTypes
) STRICT;

CREATE TABLE account_policy (
    id                      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    min_password_length     INTEGER NOT NULL CHECK (min_password_length >= 1),
    max_password_length     INTEGER NOT NULL CHECK (max_password_length >= min_password_length),
    lockout_threshold       INTEGER NOT NULL CHECK (lockout_threshold >= 0),
    lockout_duration_s      INTEGER NOT NULL CHECK (lockout_duration_s >= 0),
    lockout_reset_after_s   INTEGER NOT NULL CHECK (lockout_reset_after_s >= 0)
) STRICT;
