-- Signed member codes: the fleet's public keys as the CRM publishes them (`signing_keys`).
-- The kiosk's own key pair is a file beside the database, never in it.
CREATE TABLE trusted_keys (
    key_id      TEXT PRIMARY KEY,     -- hex: the first 4 bytes of SHA-256 of the key
    public_key  TEXT NOT NULL,        -- hex: 32 bytes, Ed25519
    added_at    TEXT NOT NULL
) STRICT;

-- The loyalty rules: the purchase behind an award (for tiers on spend), and the CRM's own
-- figures for a member it reports (its tier's qualifying figure, and points lapsing soon).
ALTER TABLE points_ledger ADD COLUMN spend_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN tier_points INTEGER;
ALTER TABLE members ADD COLUMN expiring_points INTEGER;
ALTER TABLE members ADD COLUMN expiring_on TEXT;     -- YYYY-MM-DD
CREATE INDEX points_by_event ON points_ledger(event_id);
