-- Reference data the phones keep a copy of, pulled like cases (by change
-- number, scoped, paginated) through its own stream,
-- `GET /api/v1/sync/reference` (docs/sync.md): the organisation units in the
-- caller's scope, the screening schedules and the subsidy rule sets.

-- Units carry the change number of their latest change. Existing units get
-- numbers in path order (parents first), after every number handed out.
ALTER TABLE org_unit ADD COLUMN change_no BIGINT;
UPDATE org_unit SET change_no = (SELECT value FROM change_counter WHERE id = 1) + n.rn
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY path) AS rn FROM org_unit) AS n
WHERE n.id = org_unit.id;
UPDATE change_counter SET value = value + (SELECT COUNT(*) FROM org_unit) WHERE id = 1;
CREATE UNIQUE INDEX org_unit_change_no ON org_unit (change_no);

-- Versioned documents of a kind (`schedule`, `rule_set`), whole, as JSON.
CREATE TABLE reference_record (
    entity     TEXT NOT NULL,
    id         TEXT NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1),
    payload    TEXT NOT NULL,
    change_no  BIGINT NOT NULL UNIQUE,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (entity, id)
);
