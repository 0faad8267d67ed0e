-- Call-back spot checks (回访抽查; docs/claims.md): the sample 初审 draws
-- of a claim, once, with the seed it was drawn from and the rule it was
-- drawn by (so an auditor redraws it), the cases drawn, and — append-only,
-- numbered per claim — every call to a party. Kept in step with
-- migrations/postgres/20261210000001_spot_checks.sql.

CREATE TABLE claim_spot_check (
    claim_id   TEXT PRIMARY KEY REFERENCES claim (id),
    seed       BIGINT NOT NULL CHECK (seed BETWEEN 0 AND 4294967295),
    percent    BIGINT NOT NULL CHECK (percent BETWEEN 1 AND 100),
    at_least   BIGINT NOT NULL CHECK (at_least >= 1),
    by_person  TEXT NOT NULL REFERENCES person (id),
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL
);

CREATE TABLE claim_spot_check_case (
    claim_id TEXT NOT NULL REFERENCES claim_spot_check (claim_id),
    ord      BIGINT NOT NULL,
    case_id  TEXT NOT NULL,
    PRIMARY KEY (claim_id, case_id),
    UNIQUE (claim_id, ord)
);

CREATE TABLE claim_call_back (
    claim_id  TEXT NOT NULL REFERENCES claim_spot_check (claim_id),
    seq       BIGINT NOT NULL,
    case_id   TEXT NOT NULL,
    reached   BIGINT NOT NULL CHECK (reached IN (0, 1)),
    confirms  BIGINT NOT NULL CHECK (confirms IN (0, 1)),
    satisfied BIGINT NOT NULL CHECK (satisfied IN (0, 1)),
    notes     TEXT NOT NULL,
    by_person TEXT NOT NULL REFERENCES person (id),
    by_name   TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (claim_id, seq),
    FOREIGN KEY (claim_id, case_id) REFERENCES claim_spot_check_case (claim_id, case_id),
    CHECK (reached = 1 OR (confirms = 0 AND satisfied = 0))
);
