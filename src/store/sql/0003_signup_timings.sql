-- Per sign-up timing telemetry. Deliberately no member id or number: only durations.
CREATE TABLE signup_timings (
    id                  INTEGER PRIMARY KEY,
    recorded_at         TEXT NOT NULL,             -- RFC 3339, UTC: selects the period
    returning_member    INTEGER NOT NULL CHECK (returning_member IN (0, 1)),
    touch_to_valid_ms   INTEGER NOT NULL,
    valid_to_join_ms    INTEGER NOT NULL,
    join_to_welcome_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX signup_timings_by_time ON signup_timings(recorded_at);
