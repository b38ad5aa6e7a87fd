-- NFC cards linked to members, and satisfaction surveys with their answers.
CREATE TABLE nfc_cards (
    uid         TEXT PRIMARY KEY,                  -- hex UID as read from the card
    member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    linked_at   TEXT NOT NULL
) STRICT;
CREATE INDEX nfc_cards_by_member ON nfc_cards(member_id);

CREATE TABLE surveys (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,                     -- JSON: { "zh-Hant": ..., "zh-Hans": ..., "en": ... }
    active      INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE survey_questions (
    survey_id   TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('nps', 'csat', 'single_choice', 'multiple_choice', 'comment')),
    prompt      TEXT NOT NULL,                     -- JSON, per language
    choices     TEXT,                              -- JSON, per language, for choice questions
    required    INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)),
    PRIMARY KEY (survey_id, position)
) STRICT;

CREATE TABLE survey_responses (
    id            TEXT PRIMARY KEY,                -- UUIDv7
    survey_id     TEXT NOT NULL REFERENCES surveys(id),
    member_id     TEXT REFERENCES members(id) ON DELETE SET NULL,  -- NULL: anonymous
    started_at    TEXT NOT NULL,
    completed_at  TEXT
) STRICT;

CREATE TABLE survey_answers (
    response_id  TEXT NOT NULL REFERENCES survey_responses(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    value        TEXT NOT NULL,                    -- JSON
    PRIMARY KEY (response_id, position)
) STRICT;
