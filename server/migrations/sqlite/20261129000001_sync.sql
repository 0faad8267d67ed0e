-- Sync (issue 5): device sessions, the server's cases with history, change
-- numbers for pulls, and per-device push state for exactly-once pushes.
-- Kept in step with migrations/postgres/20261129000001_sync.sql.

-- Devices that logged in: an opaque random token, stored as its SHA-256,
-- long-lived and revocable (a lost phone is revoked; at its next request
-- it is told so and wipes its local data).
CREATE TABLE device_session (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES account (id),
    -- the app's own installation id (also its sync client id)
    device_id    TEXT NOT NULL,
    device_name  TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX device_session_account ON device_session (account_id);
CREATE INDEX device_session_device ON device_session (device_id);

-- Cases as the server holds them: the latest version of each, whole, as
-- JSON (domain::case::Case), with the columns that queries and scoping need.
-- A deleted case stays as a tombstone (deleted = 1, payload NULL) so other
-- devices learn of the deletion.
CREATE TABLE case_record (
    id          TEXT PRIMARY KEY,
    unit_id     TEXT NOT NULL REFERENCES org_unit (id),
    -- the unit's path, copied: scoped pulls read one table
    unit_path   TEXT NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1),
    payload     TEXT,
    deleted     BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    -- the server's verdict with the shared rules (以案定补)
    tier        TEXT,
    amount_fen  BIGINT NOT NULL DEFAULT 0,
    -- set when an office locks the case (later: its quarterly claim)
    locked_reason TEXT,
    -- the change number of the latest change: pulls read "change_no > cursor"
    change_no   BIGINT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX case_record_unit ON case_record (unit_id);

-- Every version a later change replaced, with the mutation that replaced it
-- and the fields where the server's order decided (conflicts).
CREATE TABLE case_history (
    case_id      TEXT NOT NULL,
    version      BIGINT NOT NULL,
    payload      TEXT,
    deleted      BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    replaced_at  TEXT NOT NULL,
    replaced_by  TEXT NOT NULL,
    overridden   TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (case_id, version)
);

-- The change counter: one row, bumped inside every writing transaction, so
-- change numbers are handed out in commit order (a pull never skips one).
CREATE TABLE change_counter (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

-- Per device: the last seq applied, and each mutation's stored answer, so
-- a replayed push has exactly-once effect and gets the same answers.
CREATE TABLE sync_client (
    client_id  TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account (id),
    last_seq   BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE sync_mutation (
    client_id   TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    mutation_id TEXT NOT NULL UNIQUE,
    result      TEXT NOT NULL,
    applied_at  TEXT NOT NULL,
    PRIMARY KEY (client_id, seq)
);
