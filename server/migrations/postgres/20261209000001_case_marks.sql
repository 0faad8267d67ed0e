-- The duplicate check's index (重复申报核查; docs/claims.md): what each
-- live case is marked by — a party's resident ID, an oral case's parties
-- and day, a photo's SHA-256 — as a keyed hash (the key is the server
-- setting case_mark_key), so the index holds no ID number or name. Two
-- cases sharing a mark may be one dispute. Rewritten with every write of
-- the case; filled for the cases already stored when the server first
-- migrates (the setting case_marks_indexed).
-- Kept in step with migrations/sqlite/20261209000001_case_marks.sql.

CREATE TABLE case_mark (
    case_id      TEXT NOT NULL,
    -- 'party', 'oral' or 'photo'
    kind         TEXT NOT NULL CHECK (kind IN ('party', 'oral', 'photo')),
    mark         TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    unit_path    TEXT NOT NULL,
    -- the case's number in its committee's year, if it has one
    seq          BIGINT,
    dispute_type TEXT NOT NULL,
    -- '2026-03-01'
    received_on  TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, mark)
);
CREATE INDEX case_mark_mark ON case_mark (mark, kind);
