-- Attachments (issue 5): photos of signed paper and other files, kept once
-- per content (SHA-256), uploaded in resumable pieces, reachable only
-- through a case the caller can see.
-- Kept in step with migrations/postgres/20261129000002_attachments.sql.

-- Which case refers to which content: replaced on every applied change of
-- the case (cleared when it is deleted). Scope checks read unit_path.
CREATE TABLE case_attachment (
    case_id       TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    unit_path     TEXT NOT NULL,
    bytes         BIGINT NOT NULL CHECK (bytes > 0),
    content_type  TEXT NOT NULL,
    PRIMARY KEY (case_id, attachment_id)
);
CREATE INDEX case_attachment_sha256 ON case_attachment (sha256);

-- Contents whose bytes have all arrived and matched their SHA-256.
CREATE TABLE attachment_blob (
    sha256       TEXT PRIMARY KEY,
    bytes        BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    created_at   TEXT NOT NULL
);

-- An upload under way: how much has arrived, and the pieces in order.
-- A dropped connection resumes at `received`.
CREATE TABLE attachment_upload (
    sha256     TEXT PRIMARY KEY,
    bytes      BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE attachment_chunk (
    sha256 TEXT NOT NULL,
    start  BIGINT NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, start)
);
