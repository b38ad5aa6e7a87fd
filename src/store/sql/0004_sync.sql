-- Sync with the central CRM: the events it rejected, the pull cursor, and what it publishes
-- (members for offline lookup, catalogue, settings).

-- Events the CRM will never store, kept for staff with its reason; never sent again.
CREATE TABLE outbox_rejected (
    seq          INTEGER PRIMARY KEY,                -- the outbox seq it had
    event_id     TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    rejected_at  TEXT NOT NULL
) STRICT;

-- Small durable sync facts: the pull cursor, the last successful sync.
CREATE TABLE sync_state (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;

-- The CRM's view of a member: tier and balance (NULL until first pulled). The balance shown
-- is crm_balance plus ledger rows whose event the CRM has not acknowledged yet.
ALTER TABLE members ADD COLUMN tier TEXT;
ALTER TABLE members ADD COLUMN crm_balance INTEGER;
CREATE INDEX members_by_crm_id ON members(crm_id);
ALTER TABLE points_ledger ADD COLUMN event_id TEXT;  -- the outbox event carrying this change

-- Tiers, rewards and earning rules as the CRM sends them (JSON documents).
CREATE TABLE crm_catalog (
    collection  TEXT NOT NULL CHECK (collection IN ('tiers', 'rewards', 'earning_rules')),
    id          TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (collection, id)
) STRICT;

-- Settings the CRM manages (JSON values), applied over the config file at start-up.
CREATE TABLE crm_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
