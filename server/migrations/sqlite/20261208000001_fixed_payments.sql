-- Paying the fixed part (定额补助发放; docs/claims.md): the months of each
-- full-time mediator a payment paid — the bureau's to the township's
-- finance office (拨付), the township's to the mediator (核发). The payment
-- itself is a claim_payment row without claim parts. A month is paid once
-- to the township and once to the mediator (the primary key). Money is
-- integer fen. Kept in step with migrations/postgres/20261208000001_fixed_payments.sql.

CREATE TABLE fixed_payment_part (
    payment_id TEXT NOT NULL REFERENCES claim_payment (id),
    payee      TEXT NOT NULL CHECK (payee IN ('township', 'mediator')),
    person_id  TEXT NOT NULL REFERENCES person (id),
    -- '2026-07'
    month      TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (payee, person_id, month)
);
CREATE INDEX fixed_payment_part_payment ON fixed_payment_part (payment_id);
