-- Staff mode: who made each ledger entry (NULL for the kiosk's own, e.g. a sign-up bonus),
-- a client id per staff action so a retry never adds twice, the reward a redemption bought,
-- the client id an undo reverses (nothing is ever deleted), and when the CRM acknowledged
-- the entry's event (Unix ms).
ALTER TABLE points_ledger ADD COLUMN staff_id TEXT;
ALTER TABLE points_ledger ADD COLUMN client_id TEXT;
ALTER TABLE points_ledger ADD COLUMN reward_id TEXT;
ALTER TABLE points_ledger ADD COLUMN reverses TEXT;
ALTER TABLE points_ledger ADD COLUMN acked_ms INTEGER;
CREATE UNIQUE INDEX points_by_client_id ON points_ledger(client_id) WHERE client_id IS NOT NULL;
CREATE INDEX points_by_reverses ON points_ledger(reverses) WHERE reverses IS NOT NULL;
CREATE INDEX points_staff_actions ON points_ledger(created_at) WHERE client_id IS NOT NULL;

-- When the CRM's figures for a member were last applied (Unix ms). An entry the CRM
-- acknowledged after that still counts on top of them, until its next member_upsert.
ALTER TABLE members ADD COLUMN crm_at_ms INTEGER;
CREATE INDEX members_by_joined ON members(joined_at);

-- The staff sign-in lock-out: one row, kept across restarts and power cuts.
CREATE TABLE staff_lockout (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    failures         INTEGER NOT NULL,
    locks            INTEGER NOT NULL,
    locked_until_ms  INTEGER NOT NULL
) STRICT;

-- Who signed in to staff mode, who got their PIN wrong, and when; never deleted here.
CREATE TABLE staff_audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,                 -- RFC 3339, UTC
    staff_id  TEXT,                          -- as picked on the sign-in screen
    action    TEXT NOT NULL,                 -- signed_in, wrong_pin, locked, signed_out
    detail    TEXT
) STRICT;
