//! A batch's redundancy and scheduling rules, fixed when the batch is created.

use serde::{Deserialize, Serialize};

use super::field_error::FieldError;
use super::quality::QualificationRule;

/// How many answers a task gets, how confident consensus must be, how much
/// gold is mixed in, and how long a lease lasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPolicy {
    pub min_answers: u32,
    pub max_answers: u32,
    pub target_confidence: f64,
    pub gold_rate: f64,
    pub estimated_seconds: u32,
    pub lease_seconds: u32,
    pub priority: u32,
    /// Gold answers that must be right (`required_correct` of the first
    /// `out_of`) before a contributor's answers count towards consensus.
    pub qualify_correct: u32,
    pub qualify_out_of: u32,
}

impl Default for BatchPolicy {
    fn default() -> Self {
        Self {
            min_answers: 3,
            max_answers: 7,
            target_confidence: 0.95,
            gold_rate: 0.1,
            estimated_seconds: 30,
            lease_seconds: 1800,
            priority: 1,
            qualify_correct: 0,
            qualify_out_of: 0,
        }
    }
}

impl BatchPolicy {
    /// Checks every bound, reporting each bad field.
    pub fn validate(self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |ok: bool, field: &str, message: &str| {
            if !ok {
                errors.push(FieldError::new(field, message));
            }
        };
        check(
            (1..=50).contains(&self.min_answers),
            "min_answers",
            "must be between 1 and 50",
        );
        check(
            self.max_answers >= self.min_answers.max(1) && self.max_answers <= 50,
            "max_answers",
            "must be at least min_answers and at most 50",
        );
        check(
            self.target_confidence > 0.5 && self.target_confidence < 1.0,
            "target_confidence",
            "must be above 0.5 and below 1",
        );
        check(
            (0.0..=0.5).contains(&self.gold_rate),
            "gold_rate",
            "must be between 0 and 0.5",
        );
        check(
            (3..=1800).contains(&self.estimated_seconds),
            "estimated_seconds",
            "must be between 3 and 1800",
        );
        check(
            (60..=86_400).contains(&self.lease_seconds),
            "lease_seconds",
            "must be between 60 and 86400",
        );
        check(
            (1..=100).contains(&self.priority),
            "priority",
            "must be between 1 and 100",
        );
        check(
            self.qualify_correct <= self.qualify_out_of && self.qualify_out_of <= 50,
            "qualify_correct",
            "must be at most qualify_out_of, which is at most 50",
        );
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    pub fn qualification_rule(&self) -> QualificationRule {
        QualificationRule {
            required_correct: self.qualify_correct,
            out_of: self.qualify_out_of,
        }
    }

    /// How many more people may hold a lease on a task that has `answers`
    /// counted answers: enough to reach the minimum at once, then one at a
    /// time so adaptive stopping can end the task early; never past the maximum.
    pub fn open_places(&self, answers: u32) -> u32 {
        let to_max = self.max_answers.saturating_sub(answers);
        self.min_answers.saturating_sub(answers).max(1).min(to_max)
    }

    /// Share of a bundle drawn from gold tasks. Newcomers (fewer gold answers
    /// than the qualification needs, or fewer than three) see twice as much.
    pub fn gold_share(&self, gold_answered: u32) -> f64 {
        let settling_in = gold_answered < self.qualify_out_of.max(3);
        if settling_in && self.gold_rate > 0.0 {
            (self.gold_rate * 2.0).min(0.5)
        } else {
            self.gold_rate
        }
    }

    /// The range the learned median may move in: from a third of the
    /// researcher's estimate to ten times it. Without a floor, a few instant
    /// answers (or a script) would drag the median to a second and every
    /// "five-minute" bundle would hold hundreds of tasks.
    pub fn pace_bounds(&self) -> (f64, f64) {
        let estimate = f64::from(self.estimated_seconds);
        ((estimate / 3.0).max(1.0), estimate * 10.0)
    }

    /// Most seconds one answer can earn: three times the learned median.
    pub fn credit_cap(&self, median_seconds: f64) -> f64 {
        3.0 * median_seconds.max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_fill_to_the_minimum_then_one_at_a_time() {
        let policy = BatchPolicy {
            min_answers: 3,
            max_answers: 5,
            ..BatchPolicy::default()
        };
        assert_eq!(policy.open_places(0), 3);
        assert_eq!(policy.open_places(2), 1);
        assert_eq!(policy.open_places(3), 1);
        assert_eq!(policy.open_places(4), 1);
        assert_eq!(policy.open_places(5), 0);
    }

    #[test]
    fn the_learned_pace_stays_within_a_third_and_ten_times_the_estimate() {
        let policy = BatchPolicy {
            estimated_seconds: 30,
            ..BatchPolicy::default()
        };
        assert_eq!(policy.pace_bounds(), (10.0, 300.0));
    }

    #[test]
    fn newcomers_see_more_gold() {
        let policy = BatchPolicy {
            gold_rate: 0.1,
            qualify_out_of: 5,
            ..BatchPolicy::default()
        };
        assert!((policy.gold_share(0) - 0.2).abs() < 1e-9);
        assert!((policy.gold_share(5) - 0.1).abs() < 1e-9);
    }

    #[test]
    fn invalid_bounds_name_each_field() {
        let policy = BatchPolicy {
            min_answers: 0,
            max_answers: 0,
            target_confidence: 1.5,
            ..BatchPolicy::default()
        };
        let fields: Vec<String> = policy
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["min_answers", "max_answers", "target_confidence"]);
    }
}
