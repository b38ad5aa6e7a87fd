-- Surveys as versioned definitions: the CRM's survey_upsert body, or one built into the
-- kiosk (source 'builtin', replaced by the CRM's if it publishes the same id).
ALTER TABLE surveys ADD COLUMN definition TEXT;
ALTER TABLE surveys ADD COLUMN source TEXT NOT NULL DEFAULT 'crm';

-- A response: the survey's version, who answered if they identified themselves (NULL:
-- anonymous) and how, the language, and how it ended: completed, or abandoned after
-- `answered` questions (an abandoned response keeps no answers).
ALTER TABLE survey_responses ADD COLUMN survey_version INTEGER;
ALTER TABLE survey_responses ADD COLUMN identified_by TEXT;
ALTER TABLE survey_responses ADD COLUMN language TEXT;
ALTER TABLE survey_responses ADD COLUMN abandoned_at TEXT;
ALTER TABLE survey_responses ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;
CREATE INDEX survey_responses_by_time ON survey_responses(started_at);
ALTER TABLE survey_answers ADD COLUMN question_id TEXT;
ALTER TABLE survey_answers ADD COLUMN kind TEXT;

-- What staff set on this kiosk: which survey follows sign-ups or awards, smiley mode.
CREATE TABLE kiosk_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
