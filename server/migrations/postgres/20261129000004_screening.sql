-- Screening records (排查记录, "五个一"): what a unit did for a duty of the
-- screening schedule on a day, pushed by devices like cases (exactly once,
-- scoped by the unit's path). The reminders and the compliance view read
-- (unit_id, duty, done_on).
CREATE TABLE screening_record (
    id         TEXT PRIMARY KEY,
    unit_id    TEXT NOT NULL REFERENCES org_unit (id),
    -- the unit's path, copied: scoped reads use one table
    unit_path  TEXT NOT NULL,
    duty       TEXT NOT NULL,
    -- the China date the duty was done
    done_on    TEXT NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1),
    payload    TEXT NOT NULL,
    change_no  BIGINT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX screening_record_unit_duty ON screening_record (unit_id, duty, done_on);
