-- Case numbers (案号 `(2026)楚人调字第 N 号`): unique per committee and
-- year (docs/offline.md, "Case numbers"). Phones number their cases
-- offline, so two phones of one committee can give the same number; the
-- push keeps the first and gives the later case the next free number
-- (service/sync/numbers.rs). One number per case; a deleted case keeps its
-- number (it may have been printed). Kept in step with the other
-- database's migration of the same name.
CREATE TABLE case_number (
    unit_id  TEXT NOT NULL,
    year     BIGINT NOT NULL,
    seq      BIGINT NOT NULL CHECK (seq >= 1),
    case_id  TEXT NOT NULL UNIQUE,
    PRIMARY KEY (unit_id, year, seq)
);
-- the numbers already given: the earliest change keeps a number two cases
-- share; the later one is renumbered at its next push
INSERT INTO case_number (unit_id, year, seq, case_id)
SELECT unit_id,
       CAST(substr(payload::jsonb ->> 'received_on', 1, 4) AS BIGINT),
       CAST(payload::jsonb ->> 'seq' AS BIGINT),
       id
FROM case_record
WHERE payload IS NOT NULL AND CAST(payload::jsonb ->> 'seq' AS BIGINT) >= 1
ORDER BY change_no
ON CONFLICT DO NOTHING;
