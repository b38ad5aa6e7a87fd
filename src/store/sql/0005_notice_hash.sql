-- What a customer agreed to: besides the notice's version, the SHA-256 (hex) of the exact
-- text shown to them, in the language they read it in. NULL for consents recorded before.
ALTER TABLE consents ADD COLUMN notice_sha256 TEXT;
