-- Members, their consents, the points ledger and the outbox of domain events.
CREATE TABLE members (
    id          TEXT PRIMARY KEY,              -- UUIDv7 generated on the kiosk
    phone_e164  TEXT NOT NULL UNIQUE,          -- identity: the E.164 number
    crm_id      TEXT,                          -- canonical id once the CRM has answered
    joined_at   TEXT NOT NULL,                 -- RFC 3339, UTC
    source      TEXT NOT NULL                  -- how they joined, e.g. 'kiosk_phone'
) STRICT;

CREATE TABLE consents (
    id              INTEGER PRIMARY KEY,
    member_id       TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('privacy_notice', 'marketing')),
    granted         INTEGER NOT NULL CHECK (granted IN (0, 1)),
    notice_version  TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
) STRICT;
CREATE INDEX consents_by_member ON consents(member_id, kind, id);

-- The balance is derived from this ledger; rows are never updated.
CREATE TABLE points_ledger (
    id          INTEGER PRIMARY KEY,
    member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    delta       INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX points_by_member ON points_ledger(member_id);

-- Domain events waiting for the CRM; written in the same transaction as the change.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- delivery order
    event_id    TEXT NOT NULL UNIQUE,               -- UUIDv7, lets the CRM deduplicate
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,                      -- JSON
    created_at  TEXT NOT NULL
) STRICT;
