-- The server's reminders (docs/screening.md, "The server's reminders"):
-- settings shared by every server instance, the Web Push subscriptions of
-- devices, and one row per reminder, channel and recipient the scheduler
-- has claimed, so each is sent at most once per period per channel.

-- Settings generated once and shared by every instance (the VAPID key).
CREATE TABLE server_setting (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- A browser's Web Push subscription (PushSubscription.toJSON()), held for
-- the person logged in on that device; gone with the device's session.
CREATE TABLE push_subscription (
    -- sha256 of the endpoint
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES device_session (id),
    person_id  TEXT NOT NULL REFERENCES person (id),
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX push_subscription_person ON push_subscription (person_id);

-- A reminder (domain::screening::Reminder::reminder_key) claimed for one
-- channel and one recipient. The primary key is the claim: an instance
-- that inserted the row sends it; another that finds it does not.
CREATE TABLE reminder_notice (
    reminder_key TEXT NOT NULL,
    channel      TEXT NOT NULL,
    recipient_id TEXT NOT NULL REFERENCES person (id),
    unit_id      TEXT NOT NULL REFERENCES org_unit (id),
    -- due or overdue, when claimed
    state        TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    claimed_by   TEXT NOT NULL,
    claimed_at   TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 1,
    sent_at      TEXT,
    last_error   TEXT,
    PRIMARY KEY (reminder_key, channel, recipient_id)
);
CREATE INDEX reminder_notice_unsent ON reminder_notice (sent_at, claimed_at);

-- One row per scheduler pass, for the operator.
CREATE TABLE reminder_run (
    id          TEXT PRIMARY KEY,
    instance    TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    units       BIGINT NOT NULL,
    reminders   BIGINT NOT NULL,
    claimed     BIGINT NOT NULL,
    sent        BIGINT NOT NULL,
    failed      BIGINT NOT NULL
);

-- What the server tells a person in the app (收件箱): a high-risk dispute
-- in a unit they supervise, at once. One row per person and subject.
CREATE TABLE inbox_item (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES person (id),
    -- the notice's key: `<unit>/escalate:<case>/high`
    subject    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    case_id    TEXT,
    unit_id    TEXT NOT NULL REFERENCES org_unit (id),
    created_at TEXT NOT NULL,
    read_at    TEXT,
    UNIQUE (person_id, subject)
);
CREATE INDEX inbox_item_person ON inbox_item (person_id, created_at);
