-- Photos by hash (security issue, item 7). Knowing a photo's SHA-256 was
-- enough to read it (name it in one's own case), and to jam another's
-- unfinished upload (send garbage at offset 0 first).
-- Kept in step with the other database's migration of the same name.

-- Uploads are per uploader (an account) until complete: two phones'
-- pieces never mix. Uploads under way are dropped: each phone asks where
-- its upload stands and starts again from 0.
DROP TABLE attachment_chunk;
DROP TABLE attachment_upload;
CREATE TABLE attachment_upload (
    sha256     TEXT NOT NULL,
    uploader   TEXT NOT NULL,
    bytes      BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (sha256, uploader)
);
CREATE TABLE attachment_chunk (
    sha256   TEXT NOT NULL,
    uploader TEXT NOT NULL,
    start    BIGINT NOT NULL,
    data     BLOB NOT NULL,
    PRIMARY KEY (sha256, uploader, start)
);

-- The units (by path) whose records' reference to a content is backed by
-- its bytes: somebody who could see such a record uploaded them. A
-- stored content is served through a case or a screening record only when
-- its unit is here, so a hash named in another unit's record reads
-- nothing until that unit's phone sends the same bytes.
CREATE TABLE attachment_holder (
    sha256     TEXT NOT NULL,
    unit_path  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sha256, unit_path)
);

-- what is stored today was uploaded for the records that name it
INSERT INTO attachment_holder (sha256, unit_path, created_at)
SELECT DISTINCT a.sha256, a.unit_path, b.created_at
FROM case_attachment a JOIN attachment_blob b ON b.sha256 = a.sha256
WHERE true
ON CONFLICT DO NOTHING;
INSERT INTO attachment_holder (sha256, unit_path, created_at)
SELECT DISTINCT r.photo_sha256, r.unit_path, b.created_at
FROM screening_record r JOIN attachment_blob b ON b.sha256 = r.photo_sha256
WHERE true
ON CONFLICT DO NOTHING;
