//! Survey arithmetic for staff: the Net Promoter Score and the CSAT average, from stored
//! answers (JSON values). Edge cases other tools got wrong, each tested: a 9 is a promoter
//! (promoters are 9–10, detractors 0–6, passives 7–8 and counted in the total); only
//! whole numbers count (a 9.5 is refused, not rounded); and an NPS is only ever computed
//! from 0–10 questions, never from a 5-point scale. Below 30 answers the NPS is not shown.
use super::definition::QuestionKind;

/// Below this many NPS answers the score is "not enough answers yet".
pub const MIN_NPS_ANSWERS: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NpsCounts {
    pub promoters: u32,
    pub passives: u32,
    pub detractors: u32,
    /// How many answered each score, 0 to 10 (for the bar chart).
    pub by_score: [u32; 11],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("not a whole number")]
    NotWhole,
    #[error("off the question's scale")]
    OffScale,
    #[error("an NPS is computed from 0–10 questions only")]
    NotNps,
}

/// A whole number in `lo..=hi`, or why not.
fn whole(value: &serde_json::Value, lo: i64, hi: i64) -> Result<i64, ScoreError> {
    let n = value.as_i64().ok_or(ScoreError::NotWhole)?;
    if (lo..=hi).contains(&n) {
        Ok(n)
    } else {
        Err(ScoreError::OffScale)
    }
}

impl NpsCounts {
    pub fn total(&self) -> u32 {
        self.promoters + self.passives + self.detractors
    }

    /// Adds one answer to a question of `kind`.
    pub fn add(&mut self, kind: QuestionKind, value: &serde_json::Value) -> Result<(), ScoreError> {
        if kind != QuestionKind::Nps {
            return Err(ScoreError::NotNps);
        }
        let n = whole(value, 0, 10)?;
        match n {
            9..=10 => self.promoters += 1,
            7..=8 => self.passives += 1,
            _ => self.detractors += 1,
        }
        self.by_score[usize::try_from(n).unwrap_or(0)] += 1;
        Ok(())
    }

    /// % promoters − % detractors, rounded half away from zero, from −100 to 100; `None`
    /// below [`MIN_NPS_ANSWERS`] answers.
    pub fn score(&self) -> Option<i32> {
        let total = self.total();
        if total < MIN_NPS_ANSWERS {
            return None;
        }
        let diff = i64::from(self.promoters) - i64::from(self.detractors);
        let total = i64::from(total);
        // round(100 × diff / total), half away from zero, in integers.
        let scaled = 200 * diff;
        let rounded = if scaled >= 0 {
            (scaled + total) / (2 * total)
        } else {
            -((-scaled + total) / (2 * total))
        };
        i32::try_from(rounded).ok()
    }
}

/// CSAT answers on one scale: 1 to `top` (5 for stars, 4 for smileys).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Csat {
    pub top: i64,
    pub sum: i64,
    pub count: u32,
    /// How many answered each score, 1 to `top` (index 0 is score 1).
    pub by_score: Vec<u32>,
}

impl Csat {
    pub fn new(top: i64) -> Csat {
        Csat {
            top,
            sum: 0,
            count: 0,
            by_score: vec![0; usize::try_from(top).unwrap_or(0)],
        }
    }

    pub fn add(&mut self, value: &serde_json::Value) -> Result<(), ScoreError> {
        let n = whole(value, 1, self.top)?;
        self.sum += n;
        self.count += 1;
        self.by_score[usize::try_from(n - 1).unwrap_or(0)] += 1;
        Ok(())
    }

    /// The mean score, or `None` without answers.
    pub fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / f64::from(self.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nps(scores: &[i64]) -> NpsCounts {
        let mut n = NpsCounts::default();
        for s in scores {
            n.add(QuestionKind::Nps, &json!(s)).unwrap();
        }
        n
    }

    fn repeat(pattern: &[(i64, usize)]) -> Vec<i64> {
        pattern
            .iter()
            .flat_map(|(s, n)| std::iter::repeat_n(*s, *n))
            .collect()
    }

    #[test]
    fn nps_against_examples_computed_by_hand() {
        // 15 promoters (9 and 10), 10 passives, 5 detractors of 30: (15 - 5) / 30 = 33.3 → 33.
        let a = nps(&repeat(&[(10, 5), (9, 10), (8, 6), (7, 4), (6, 3), (0, 2)]));
        assert_eq!((a.promoters, a.passives, a.detractors), (15, 10, 5));
        assert_eq!(a.score(), Some(33));
        // A 9 is a promoter, not a passive: 30 nines make 100.
        assert_eq!(nps(&[9; 30]).score(), Some(100));
        // Passives count in the total: 10 promoters, 20 passives → 10 / 30 = 33.
        assert_eq!(nps(&repeat(&[(10, 10), (7, 20)])).score(), Some(33));
        // All detractors, a 6 included: -100.
        assert_eq!(nps(&repeat(&[(6, 20), (0, 10)])).score(), Some(-100));
        // Rounding half away from zero: 13 promoters, 12 detractors of 40 → 2.5 → 3;
        // 12 promoters, 13 detractors → -2.5 → -3.
        assert_eq!(nps(&repeat(&[(9, 13), (0, 12), (8, 15)])).score(), Some(3));
        assert_eq!(nps(&repeat(&[(9, 12), (0, 13), (8, 15)])).score(), Some(-3));
        // Below 30 answers: not enough yet.
        assert_eq!(nps(&[10; 29]).score(), None);
        assert_eq!(nps(&[]).score(), None);
        assert_eq!(nps(&[3, 9, 9]).by_score[9], 2);
    }

    #[test]
    fn non_integers_and_other_scales_are_refused() {
        let mut n = NpsCounts::default();
        assert_eq!(
            n.add(QuestionKind::Nps, &json!(9.5)),
            Err(ScoreError::NotWhole)
        );
        assert_eq!(
            n.add(QuestionKind::Nps, &json!("9")),
            Err(ScoreError::NotWhole)
        );
        assert_eq!(
            n.add(QuestionKind::Nps, &json!(11)),
            Err(ScoreError::OffScale)
        );
        assert_eq!(
            n.add(QuestionKind::Nps, &json!(-1)),
            Err(ScoreError::OffScale)
        );
        // No NPS on a 5-point scale: a 5 of 5 stars is not a promoter.
        assert_eq!(
            n.add(QuestionKind::Csat, &json!(5)),
            Err(ScoreError::NotNps)
        );
        assert_eq!(n.total(), 0);
    }

    #[test]
    fn csat_average() {
        let mut stars = Csat::new(5);
        for s in [5, 4, 4, 2] {
            stars.add(&json!(s)).unwrap();
        }
        assert_eq!(stars.average(), Some(3.75));
        assert_eq!(stars.by_score, [0, 1, 0, 2, 1]);
        assert_eq!(stars.add(&json!(4.5)), Err(ScoreError::NotWhole));
        assert_eq!(stars.add(&json!(0)), Err(ScoreError::OffScale));
        let mut faces = Csat::new(4);
        assert_eq!(
            faces.add(&json!(5)),
            Err(ScoreError::OffScale),
            "four faces"
        );
        assert_eq!(faces.average(), None);
    }
}
