-- The quarterly money loop (以案定补兑现, docs/claims.md): a committee's
-- claim of a quarter, its lines as claimed, and — append-only — what each
-- step's reviewer did to a line and each step's signature. Nothing here is
-- ever updated but a claim's stage and version (where it waits now), and
-- `case_claim`, which holds the claim each case is in (a returned case
-- leaves it). Money is integer fen. Kept in step with
-- migrations/sqlite/20261206000001_claims.sql.

CREATE TABLE claim (
    id           TEXT PRIMARY KEY,
    -- the claiming committee, its path, and its township
    unit_id      TEXT NOT NULL REFERENCES org_unit (id),
    unit_path    TEXT NOT NULL,
    township_id  TEXT NOT NULL REFERENCES org_unit (id),
    -- '2026-Q3'
    quarter      TEXT NOT NULL,
    rule_set     TEXT NOT NULL,
    -- a step's code ('first_review' …), 'returned' or 'finished'
    stage        TEXT NOT NULL,
    version      BIGINT NOT NULL CHECK (version >= 1),
    submitted_by TEXT NOT NULL REFERENCES person (id),
    submitted_by_name TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX claim_quarter ON claim (quarter, stage);
CREATE INDEX claim_unit ON claim (unit_id, quarter);

CREATE TABLE claim_line (
    claim_id     TEXT NOT NULL REFERENCES claim (id),
    case_id      TEXT NOT NULL REFERENCES case_record (id),
    ord          BIGINT NOT NULL,
    number       TEXT NOT NULL,
    -- the parties' names, a JSON array of strings
    parties      TEXT NOT NULL,
    dispute_type TEXT NOT NULL,
    closed_on    TEXT NOT NULL,
    mediator_id  TEXT NOT NULL REFERENCES person (id),
    mediator     TEXT NOT NULL,
    tier         TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL CHECK (amount_fen >= 0),
    late         BIGINT NOT NULL CHECK (late IN (0, 1)),
    PRIMARY KEY (claim_id, case_id)
);
CREATE INDEX claim_line_case ON claim_line (case_id);

-- A case's claim while it is in one: the primary key makes "never in two
-- claims" the database's rule too (two submissions racing: one wins).
CREATE TABLE case_claim (
    case_id  TEXT PRIMARY KEY REFERENCES case_record (id),
    claim_id TEXT NOT NULL REFERENCES claim (id)
);
CREATE INDEX case_claim_claim ON case_claim (claim_id);

CREATE TABLE claim_line_change (
    claim_id   TEXT NOT NULL REFERENCES claim (id),
    seq        BIGINT NOT NULL,
    case_id    TEXT NOT NULL,
    step       TEXT NOT NULL,
    -- NULL: returned to the committee
    tier       TEXT,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    reason     TEXT NOT NULL,
    by_person  TEXT NOT NULL REFERENCES person (id),
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (claim_id, seq)
);

CREATE TABLE claim_signature (
    claim_id   TEXT NOT NULL REFERENCES claim (id),
    seq        BIGINT NOT NULL,
    step       TEXT NOT NULL,
    decision   TEXT NOT NULL CHECK (decision IN ('pass', 'return')),
    by_person  TEXT NOT NULL REFERENCES person (id),
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL,
    opinion    TEXT NOT NULL,
    total_fen  BIGINT NOT NULL CHECK (total_fen >= 0),
    PRIMARY KEY (claim_id, seq),
    -- one signature per step of a claim
    UNIQUE (claim_id, step)
);

-- Payments (拨付 to a township's finance office, 核发 to a mediator), the
-- part of each claim each paid, and the mediators' word on them (到账确认),
-- all append-only.
CREATE TABLE claim_payment (
    id           TEXT PRIMARY KEY,
    payee        TEXT NOT NULL CHECK (payee IN ('township', 'mediator')),
    township_id  TEXT NOT NULL REFERENCES org_unit (id),
    quarter      TEXT NOT NULL,
    mediator_id  TEXT REFERENCES person (id),
    mediator     TEXT,
    amount_fen   BIGINT NOT NULL CHECK (amount_fen >= 0),
    paid_on      TEXT NOT NULL,
    method       TEXT NOT NULL,
    reference    TEXT NOT NULL,
    by_person    TEXT NOT NULL REFERENCES person (id),
    by_name      TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX claim_payment_mediator ON claim_payment (mediator_id);

CREATE TABLE claim_payment_part (
    payment_id TEXT NOT NULL REFERENCES claim_payment (id),
    claim_id   TEXT NOT NULL REFERENCES claim (id),
    payee      TEXT NOT NULL,
    mediator_id TEXT,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (payment_id, claim_id)
);
CREATE INDEX claim_payment_part_claim ON claim_payment_part (claim_id);
-- a claim is paid to its township once, and to each mediator once
CREATE UNIQUE INDEX claim_paid_once ON claim_payment_part (claim_id, payee, COALESCE(mediator_id, ''));

CREATE TABLE payment_receipt (
    payment_id TEXT NOT NULL REFERENCES claim_payment (id),
    seq        BIGINT NOT NULL,
    received   BIGINT NOT NULL CHECK (received IN (0, 1)),
    note       TEXT NOT NULL,
    by_person  TEXT NOT NULL REFERENCES person (id),
    at         TEXT NOT NULL,
    PRIMARY KEY (payment_id, seq)
);

-- 履职认定 (定额补助): the judicial office's decisions on a full-time
-- mediator's month, append-only; the last of a (person, month) holds.
CREATE TABLE duty_decision (
    person_id  TEXT NOT NULL REFERENCES person (id),
    -- '2026-11'
    month      TEXT NOT NULL,
    seq        BIGINT NOT NULL CHECK (seq >= 1),
    performed  BIGINT NOT NULL CHECK (performed IN (0, 1)),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    reason     TEXT,
    by_person  TEXT NOT NULL REFERENCES person (id),
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (person_id, month, seq)
);
