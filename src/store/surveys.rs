//! Surveys in storage: their definitions (the CRM's, checked, and the built-in ones), the
//! responses (a completed one with its answers, points for an identified member, and its
//! `survey_answered` event, all in one transaction; an abandoned one as a count, with no
//! answers kept), what staff set on this kiosk (which survey follows sign-ups or awards,
//! smiley mode), the results staff see, and the rows `member-kiosk export surveys` writes.
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Store, StoreError, now_rfc3339, outbox};
use crate::domain::events::{DomainEvent, SurveyAnswer};
use crate::domain::survey::builtin;
use crate::domain::survey::definition::{QuestionKind, SurveyDefinition};
use crate::domain::survey::flow::Given;
use crate::domain::survey::scores::{Csat, NpsCounts};

pub const SURVEY_REASON: &str = "survey";

/// A survey someone finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedSurvey {
    pub response_id: String,
    pub survey_id: String,
    pub version: i64,
    /// The member who identified themselves before starting, and how (`scan`, `card`,
    /// `signup`, `award`); `None` for an anonymous response.
    pub member: Option<(String, String)>,
    pub language: String,
    pub started_at: String,
    pub answers: Vec<Given>,
    /// The definition's points for completing it.
    pub points: i64,
}

/// A survey someone left (walked away, or Back out of it) after `answered` questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbandonedSurvey {
    pub survey_id: String,
    pub version: i64,
    pub identified_by: Option<String>,
    pub language: String,
    pub started_at: String,
    pub answered: usize,
}

/// Staff's results for a period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurveyResults {
    /// Completed responses, smiley votes not counted.
    pub responses: u64,
    pub abandoned: u64,
    pub nps: NpsCounts,
    pub stars: Csat,
    pub smileys: Csat,
    /// The smiley terminal's votes, by the shop's hour of the day.
    pub votes_by_hour: [u32; 24],
    pub votes: Csat,
}

impl SurveyResults {
    /// Abandoned responses as a share of all started, in percent.
    pub fn abandonment_percent(&self) -> Option<u32> {
        let started = self.responses + self.abandoned;
        (started > 0)
            .then(|| u32::try_from((self.abandoned * 100 + started / 2) / started).unwrap_or(100))
    }
}

/// One row of the export: an answer, or a response with none (abandoned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub response_id: String,
    pub survey_id: String,
    pub survey_version: i64,
    pub status: &'static str,
    pub started_at: String,
    pub ended_at: String,
    pub identified_by: String,
    pub member_id: String,
    pub language: String,
    pub question_id: String,
    pub kind: String,
    pub value: String,
}

/// Keys of `kiosk_settings`.
pub const AFTER_SIGNUP: &str = "survey_after_signup";
pub const AFTER_AWARD: &str = "survey_after_award";
pub const SMILEY_MODE: &str = "smiley_mode";

fn upsert_definition(
    conn: &Connection,
    d: &SurveyDefinition,
    source: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO surveys (id, version, title, active, updated_at, definition, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, title = excluded.title,
             active = excluded.active, updated_at = excluded.updated_at,
             definition = excluded.definition, source = excluded.source
         WHERE ?7 = 'crm'
            OR (surveys.source = 'builtin' AND surveys.definition IS NOT excluded.definition)",
        params![
            d.survey_id,
            d.version,
            serde_json::to_string(&d.title)?,
            d.active,
            now_rfc3339(),
            serde_json::to_string(d)?,
            source
        ],
    )?;
    Ok(())
}

/// The CRM's survey: stored if it passes its checks; otherwise the version in use stays
/// and the error says exactly what is wrong.
pub(super) fn apply_crm_survey(
    conn: &Connection,
    definition: &SurveyDefinition,
) -> Result<Result<(), String>, StoreError> {
    if let Err(e) = definition.check() {
        return Ok(Err(format!("{e}; the version in use stays")));
    }
    upsert_definition(conn, definition, "crm")?;
    Ok(Ok(()))
}

/// Puts a built-in survey in place (a CRM survey with the same id wins).
pub(super) fn install(conn: &Connection, d: &SurveyDefinition) -> Result<(), StoreError> {
    upsert_definition(conn, d, "builtin")
}

impl Store {
    /// The surveys staff can hand out: active, with a definition, the CRM's first; not the
    /// smiley terminal's.
    pub fn surveys(&self) -> Result<Vec<SurveyDefinition>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT definition FROM surveys
             WHERE active = 1 AND definition IS NOT NULL AND id <> ?1
             ORDER BY source = 'builtin', id",
        )?;
        let rows = stmt.query_map([builtin::SMILEY_ID], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            match serde_json::from_str::<SurveyDefinition>(&json?) {
                Ok(d) => out.push(d),
                Err(e) => tracing::warn!("a stored survey no longer reads: {e}"),
            }
        }
        Ok(out)
    }

    /// One survey by id (the smiley terminal's included), if active.
    pub fn survey(&self, id: &str) -> Result<Option<SurveyDefinition>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT definition FROM surveys WHERE id = ?1 AND active = 1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Records a finished survey, its points (an identified member, once per version) and
    /// its event, in one transaction. Returns the points awarded.
    pub fn record_survey(&mut self, s: &CompletedSurvey) -> Result<i64, StoreError> {
        for given in &s.answers {
            if let crate::domain::survey::flow::Answer::Text(t) = &given.answer {
                // The keyboard and the flow refuse these already; the store checks again.
                if crate::domain::survey::comment::clean(t).as_deref() != Ok(t.as_str()) {
                    return Err(StoreError::Io("a survey comment breaks the rules".into()));
                }
            }
        }
        let now = now_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (member_id, identified_by) = match &s.member {
            Some((m, how)) => (Some(m.as_str()), Some(how.as_str())),
            None => (None, None),
        };
        let already = match member_id {
            Some(m) => tx
                .query_row(
                    "SELECT 1 FROM survey_responses r JOIN points_ledger l ON l.client_id = r.id
                     WHERE r.member_id = ?1 AND r.survey_id = ?2 AND r.survey_version = ?3",
                    params![m, s.survey_id, s.version],
                    |_| Ok(()),
                )
                .optional()?
                .is_some(),
            None => true,
        };
        let points = if already { 0 } else { s.points.max(0) };
        tx.execute(
            "INSERT INTO survey_responses
               (id, survey_id, member_id, started_at, completed_at, survey_version,
                identified_by, language, answered)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                s.response_id,
                s.survey_id,
                member_id,
                s.started_at,
                now,
                s.version,
                identified_by,
                s.language,
                s.answers.len() as i64
            ],
        )?;
        for g in &s.answers {
            tx.execute(
                "INSERT INTO survey_answers (response_id, position, value, question_id, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    s.response_id,
                    g.position as i64,
                    g.answer.to_json().to_string(),
                    g.question_id,
                    g.kind_label()
                ],
            )?;
        }
        let event = DomainEvent::SurveyAnswered {
            response_id: s.response_id.clone(),
            survey_id: s.survey_id.clone(),
            survey_version: s.version,
            member_id: member_id.map(str::to_owned),
            identified_by: identified_by.map(str::to_owned),
            language: s.language.clone(),
            answers: s
                .answers
                .iter()
                .map(|g| SurveyAnswer {
                    position: g.position,
                    question_id: g.question_id.clone(),
                    kind: g.kind_label().into(),
                    value: g.answer.to_json(),
                })
                .collect(),
            points_awarded: points,
            completed_at: now.clone(),
        };
        match (member_id, points > 0) {
            // The points travel with the answers: one event for both.
            (Some(m), true) => super::ledger::write_change(
                &tx,
                &super::ledger::LedgerRow {
                    member_id: m,
                    delta: points,
                    reason: SURVEY_REASON,
                    client_id: &s.response_id,
                    ..Default::default()
                },
                &event,
                &now,
            )?,
            _ => {
                outbox::append(&tx, &event, &now)?;
            }
        }
        tx.commit()?;
        Ok(points)
    }

    /// Counts a survey left unfinished; its answers are not kept.
    pub fn record_abandoned(&self, s: &AbandonedSurvey) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO survey_responses
               (id, survey_id, started_at, abandoned_at, survey_version, identified_by,
                language, answered)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                uuid::Uuid::now_v7().to_string(),
                s.survey_id,
                s.started_at,
                now_rfc3339(),
                s.version,
                s.identified_by,
                s.language,
                s.answered as i64
            ],
        )?;
        Ok(())
    }

    pub fn kiosk_setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM kiosk_settings WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_kiosk_setting(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(v) => self.conn.execute(
                "INSERT INTO kiosk_settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?,
            None => self
                .conn
                .execute("DELETE FROM kiosk_settings WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// Results for responses started from `since` to before `until` (RFC 3339, UTC);
    /// smiley votes by the hour at `offset`.
    pub fn survey_results(
        &self,
        since: &str,
        until: &str,
        offset: time::UtcOffset,
    ) -> Result<SurveyResults, StoreError> {
        let mut results = SurveyResults {
            stars: Csat::new(5),
            smileys: Csat::new(4),
            votes: Csat::new(4),
            ..SurveyResults::default()
        };
        let (completed, abandoned): (i64, i64) = self.conn.query_row(
            "SELECT COALESCE(SUM(completed_at IS NOT NULL), 0), COALESCE(SUM(abandoned_at IS NOT NULL), 0)
             FROM survey_responses WHERE started_at >= ?1 AND started_at < ?2 AND survey_id <> ?3",
            params![since, until, builtin::SMILEY_ID],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        results.responses = u64::try_from(completed).unwrap_or(0);
        results.abandoned = u64::try_from(abandoned).unwrap_or(0);
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.survey_id, a.kind, a.value, r.completed_at
             FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
             WHERE r.started_at >= ?1 AND r.started_at < ?2 AND r.completed_at IS NOT NULL
               AND a.kind IN ('nps', 'csat_stars', 'csat_smileys')",
        )?;
        let rows = stmt.query_map(params![since, until], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (survey, kind, value, at) = row?;
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&value) else {
                continue;
            };
            let counted = match kind.as_str() {
                "nps" => results.nps.add(QuestionKind::Nps, &value),
                _ if survey == builtin::SMILEY_ID => {
                    let counted = results.votes.add(&value);
                    if counted.is_ok()
                        && let Ok(t) = time::OffsetDateTime::parse(
                            &at,
                            &time::format_description::well_known::Rfc3339,
                        )
                    {
                        results.votes_by_hour[usize::from(t.to_offset(offset).hour())] += 1;
                    }
                    counted
                }
                "csat_smileys" => results.smileys.add(&value),
                _ => results.stars.add(&value),
            };
            if let Err(e) = counted {
                tracing::warn!(survey, "a stored answer does not count: {e}");
            }
        }
        Ok(results)
    }

    /// Every response started from `since` to before `until`, an answer a row.
    pub fn survey_export(&self, since: &str, until: &str) -> Result<Vec<ExportRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.survey_id, COALESCE(r.survey_version, 0),
                    CASE WHEN r.completed_at IS NOT NULL THEN 'completed' ELSE 'abandoned' END,
                    r.started_at, COALESCE(r.completed_at, r.abandoned_at, ''),
                    COALESCE(r.identified_by, ''), COALESCE(r.member_id, ''),
                    COALESCE(r.language, ''), COALESCE(a.question_id, ''), COALESCE(a.kind, ''),
                    COALESCE(a.value, '')
             FROM survey_responses r LEFT JOIN survey_answers a ON a.response_id = r.id
             WHERE r.started_at >= ?1 AND r.started_at < ?2
             ORDER BY r.started_at, r.id, a.position",
        )?;
        let rows = stmt.query_map(params![since, until], |r| {
            let status: String = r.get(3)?;
            let value: String = r.get(11)?;
            Ok(ExportRow {
                response_id: r.get(0)?,
                survey_id: r.get(1)?,
                survey_version: r.get(2)?,
                status: if status == "completed" {
                    "completed"
                } else {
                    "abandoned"
                },
                started_at: r.get(4)?,
                ended_at: r.get(5)?,
                identified_by: r.get(6)?,
                member_id: r.get(7)?,
                language: r.get(8)?,
                question_id: r.get(9)?,
                kind: r.get(10)?,
                // A text answer is stored as a JSON string: export its text.
                value: match serde_json::from_str::<serde_json::Value>(&value) {
                    Ok(serde_json::Value::String(s)) => s,
                    Ok(serde_json::Value::Null) => String::new(),
                    Ok(other) => other.to_string(),
                    Err(_) => value,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
