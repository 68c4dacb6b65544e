//! What an arriving answer amounts to: whether it came in time, whether it
//! counts towards consensus, how much time it earns and how it moves the
//! batch's learned median. Every store adapter reads the facts, calls
//! [`assess`] and writes what it returns, so the rules are written once.

use super::consensus::TaskState;
use super::kinds::Vote;
use super::pace;
use super::policy::BatchPolicy;
use super::quality::qualification;

/// Most seconds one person can be credited per UTC day, whatever they
/// answer: a long shift's worth. Past it answers are still stored and
/// counted, but earn nothing more that day.
pub const DAILY_CREDIT_CEILING_SECONDS: u32 = 8 * 3600;

/// Seconds still creditable today, given what the day has credited so far.
pub fn day_headroom(credited_today_seconds: i64) -> u32 {
    (i64::from(DAILY_CREDIT_CEILING_SECONDS) - credited_today_seconds)
        .clamp(0, i64::from(DAILY_CREDIT_CEILING_SECONDS)) as u32
}

/// The start of `now_ms`'s UTC day, in milliseconds.
pub fn day_start_ms(now_ms: i64) -> i64 {
    now_ms - now_ms.rem_euclid(86_400_000)
}

/// How an answer was received, before the store names it for the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receipt {
    /// Within its lease, on a task that still needed it.
    Accepted,
    /// After its lease expired.
    Late,
    /// The task had already left the open state.
    Extra,
}

/// The contributor's lease on the task, expired or not, with the time the
/// session it belongs to and the day can still credit. Every stored answer
/// has one: [`super::admission::may_answer`] refuses the rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeaseWindow {
    pub leased_at_ms: i64,
    pub expires_at_ms: i64,
    /// Seconds of the session's wall clock not yet credited; see [`session_headroom`].
    pub session_headroom: u32,
    /// Seconds the contributor's day can still credit; see [`day_headroom`].
    pub day_headroom: u32,
}

/// Everything the store knows when one answer arrives.
#[derive(Debug, Clone, Copy)]
pub struct AnswerFacts<'a> {
    pub task_state: TaskState,
    pub is_gold: bool,
    /// The known votes of a gold task that has a known answer; `None` otherwise.
    pub gold_votes: Option<&'a [Vote]>,
    pub lease: LeaseWindow,
    /// The contributor's gold record on the batch before this answer.
    pub gold_total: u32,
    pub gold_correct: u32,
    pub policy: &'a BatchPolicy,
    /// The batch's learned median before this answer.
    pub median_seconds: f64,
    pub votes: &'a [Vote],
    pub seconds_spent: Option<f64>,
    pub now_ms: i64,
    /// The answerer may only practise (`domain::practice`).
    pub practice_only: bool,
}

/// What to store for the answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    pub receipt: Receipt,
    /// For gold tasks with a known answer: whether this answer matched it.
    pub gold_correct_answer: Option<bool>,
    /// The contributor's gold record on the batch after this answer.
    pub gold_total: u32,
    pub gold_correct: u32,
    /// Whether the contributor is qualified on the batch's gold.
    pub qualified: bool,
    /// Whether the answer counts towards the task's consensus.
    pub counted: bool,
    pub credited_seconds: u32,
    /// Credited but flagged in the ledger: unqualified, or wrong on gold.
    pub marked: bool,
    /// The batch median after this answer.
    pub median_seconds: f64,
    /// A practice answer: stored with its gold feedback, but it earns
    /// nothing and writes no ledger entry, counts towards no consensus,
    /// trains no contributor model and leaves the batch's pace alone. It
    /// still counts in the person's own gold record, since they cannot
    /// answer that gold task again.
    pub practice: bool,
}

/// Applies the answer rules to one arriving answer.
pub fn assess(facts: &AnswerFacts<'_>) -> Assessment {
    let receipt = if facts.task_state != TaskState::Open {
        Receipt::Extra
    } else if facts.lease.expires_at_ms > facts.now_ms {
        Receipt::Accepted
    } else {
        Receipt::Late
    };

    let gold_correct_answer = facts
        .gold_votes
        .filter(|_| facts.is_gold)
        .map(|expected| expected == facts.votes);
    let (gold_total, gold_correct) = match gold_correct_answer {
        Some(correct) => (
            facts.gold_total + 1,
            facts.gold_correct + u32::from(correct),
        ),
        None => (facts.gold_total, facts.gold_correct),
    };
    let qualified = qualification(gold_correct, gold_total, facts.policy.qualification_rule())
        .counts_towards_consensus();
    let practice = facts.practice_only;
    let counted = !practice && qualified && !facts.is_gold && receipt != Receipt::Extra;

    // Credit: the server-measured window from the lease, capped, and never
    // more than the session's wall clock or the day's ceiling allows.
    let median = facts.median_seconds;
    let cap = facts.policy.credit_cap(median);
    let lease = facts.lease;
    let window = (facts.now_ms - lease.leased_at_ms) as f64 / 1000.0;
    let credited_seconds = if practice {
        0
    } else {
        pace::credited_seconds(window, facts.seconds_spent, median, cap)
            .min(lease.session_headroom)
            .min(lease.day_headroom)
    };
    let observed = facts.seconds_spent.unwrap_or(window).min(window.max(1.0));
    let (floor, ceiling) = facts.policy.pace_bounds();
    let median_seconds = if practice {
        median
    } else {
        pace::update_median(median, observed).clamp(floor, ceiling)
    };

    Assessment {
        receipt,
        gold_correct_answer,
        gold_total,
        gold_correct,
        qualified,
        counted,
        credited_seconds,
        marked: !qualified || gold_correct_answer == Some(false),
        median_seconds,
        practice,
    }
}

/// Seconds a session can still credit: its wall-clock age minus what it has
/// already credited, never below zero.
pub fn session_headroom(started_at_ms: i64, credited_seconds: i64, now_ms: i64) -> u32 {
    let elapsed = (now_ms - started_at_ms).max(0) / 1000;
    (elapsed - credited_seconds).clamp(0, i64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes() -> Vec<Vote> {
        vec![Vote {
            question: 0,
            label: Some(0),
        }]
    }

    fn facts<'a>(policy: &'a BatchPolicy, votes: &'a [Vote]) -> AnswerFacts<'a> {
        AnswerFacts {
            task_state: TaskState::Open,
            is_gold: false,
            gold_votes: None,
            lease: LeaseWindow {
                leased_at_ms: 0,
                expires_at_ms: 60_000,
                session_headroom: 600,
                day_headroom: 28_800,
            },
            gold_total: 0,
            gold_correct: 0,
            policy,
            median_seconds: 20.0,
            votes,
            seconds_spent: Some(15.0),
            now_ms: 30_000,
            practice_only: false,
        }
    }

    #[test]
    fn an_answer_within_its_lease_is_accepted_counted_and_credited() {
        let policy = BatchPolicy::default();
        let votes = yes();
        let assessed = assess(&facts(&policy, &votes));
        assert_eq!(assessed.receipt, Receipt::Accepted);
        assert!(assessed.counted && !assessed.marked);
        assert_eq!(assessed.credited_seconds, 15);
        assert!(assessed.median_seconds < 20.0);
    }

    #[test]
    fn instant_answers_cannot_drag_the_pace_below_a_third_of_the_estimate() {
        let policy = BatchPolicy {
            estimated_seconds: 30,
            ..BatchPolicy::default()
        };
        let votes = yes();
        let mut instant = facts(&policy, &votes);
        instant.median_seconds = 10.0;
        instant.seconds_spent = Some(0.0);
        assert_eq!(assess(&instant).median_seconds, 10.0);
    }

    #[test]
    fn late_and_extra_answers_are_told_apart() {
        let policy = BatchPolicy::default();
        let votes = yes();
        let mut late = facts(&policy, &votes);
        late.now_ms = 90_000;
        assert_eq!(assess(&late).receipt, Receipt::Late);
        let mut extra = facts(&policy, &votes);
        extra.task_state = TaskState::Settled;
        let assessed = assess(&extra);
        assert_eq!(assessed.receipt, Receipt::Extra);
        assert!(!assessed.counted);
    }

    #[test]
    fn a_wrong_gold_answer_is_marked_and_never_counted() {
        let policy = BatchPolicy {
            qualify_correct: 1,
            qualify_out_of: 1,
            ..BatchPolicy::default()
        };
        let votes = yes();
        let expected = vec![Vote {
            question: 0,
            label: Some(1),
        }];
        let mut gold = facts(&policy, &votes);
        gold.is_gold = true;
        gold.gold_votes = Some(&expected);
        let assessed = assess(&gold);
        assert_eq!(assessed.gold_correct_answer, Some(false));
        assert_eq!((assessed.gold_total, assessed.gold_correct), (1, 0));
        assert!(!assessed.counted && !assessed.qualified && assessed.marked);
    }

    #[test]
    fn practice_earns_nothing_counts_nothing_and_keeps_the_pace_but_teaches() {
        let policy = BatchPolicy::default();
        let votes = yes();
        let mut regular = facts(&policy, &votes);
        regular.practice_only = true;
        let assessed = assess(&regular);
        assert!(assessed.practice && !assessed.counted);
        assert_eq!(assessed.credited_seconds, 0);
        assert_eq!(assessed.median_seconds, 20.0);

        let mut gold = facts(&policy, &votes);
        gold.practice_only = true;
        gold.is_gold = true;
        gold.gold_votes = Some(&votes);
        let assessed = assess(&gold);
        assert_eq!(
            assessed.gold_correct_answer,
            Some(true),
            "feedback still given"
        );
        assert_eq!((assessed.gold_total, assessed.gold_correct), (1, 1));
        assert_eq!(assessed.credited_seconds, 0);
    }

    #[test]
    fn credit_never_exceeds_what_the_day_has_left() {
        let policy = BatchPolicy::default();
        let votes = yes();
        let mut tired = facts(&policy, &votes);
        tired.lease.day_headroom = day_headroom(i64::from(DAILY_CREDIT_CEILING_SECONDS) - 3);
        assert_eq!(assess(&tired).credited_seconds, 3);
        assert_eq!(day_headroom(40 * 3600), 0);
        assert_eq!(day_headroom(0), DAILY_CREDIT_CEILING_SECONDS);
        assert_eq!(day_start_ms(86_400_000 + 5), 86_400_000);
    }

    #[test]
    fn credit_never_exceeds_the_session_headroom() {
        let policy = BatchPolicy::default();
        let votes = yes();
        let mut tight = facts(&policy, &votes);
        tight.lease.session_headroom = 4;
        assert_eq!(assess(&tight).credited_seconds, 4);
        assert_eq!(session_headroom(0, 10, 30_000), 20);
        assert_eq!(session_headroom(0, 40, 30_000), 0);
        assert_eq!(session_headroom(50_000, 0, 30_000), 0);
    }
}
