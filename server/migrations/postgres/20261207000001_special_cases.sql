-- Especially grave disputes (重特大纠纷, tier E; docs/claims.md): the
-- committee's reason when it reports a claimed case as one (一案一报), and —
-- append-only, one per line of a claim — the bureau's party group's
-- decision on it at 审批, with the amount when recognised. Money is integer
-- fen. Kept in step with migrations/sqlite/20261207000001_special_cases.sql.

ALTER TABLE claim_line ADD COLUMN special_reason TEXT;

CREATE TABLE claim_special_decision (
    claim_id   TEXT NOT NULL REFERENCES claim (id),
    case_id    TEXT NOT NULL,
    approved   BIGINT NOT NULL CHECK (approved IN (0, 1)),
    -- set exactly when approved
    amount_fen BIGINT CHECK (amount_fen > 0),
    minutes    TEXT NOT NULL,
    by_person  TEXT NOT NULL REFERENCES person (id),
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (claim_id, case_id),
    CHECK ((approved = 1) = (amount_fen IS NOT NULL))
);
