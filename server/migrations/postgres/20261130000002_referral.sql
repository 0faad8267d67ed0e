-- First-mediator responsibility and referral (docs/screening.md,
-- "Ownership and referral"): who owns a case and every hand-over, as
-- domain::referral::Ownership JSON, kept beside the case (server-owned;
-- the case's owner_id follows an acceptance). A case without a row is
-- still its first mediator's.
CREATE TABLE case_ownership (
    case_id         TEXT PRIMARY KEY REFERENCES case_record (id),
    payload         TEXT NOT NULL,
    -- the unit a pending referral waits at (its people answer it)
    pending_to_unit TEXT REFERENCES org_unit (id),
    updated_at      TEXT NOT NULL
);
CREATE INDEX case_ownership_pending ON case_ownership (pending_to_unit);
