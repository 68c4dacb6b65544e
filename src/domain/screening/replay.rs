//! Replays a labelled screening set through the real order, redundancy
//! rule, model and stopping rule, with simulated contributors who give the
//! right answer with a fixed probability, and measures what it cost.
//!
//! One record is screened at a time, to the end of its answers, before the
//! next is picked (a live batch has several in flight; the order does not
//! change much in a few picks). Contributors' confusion matrices are taken
//! as known, as the re-estimation job learns them from gold. A record that
//! escalates is resolved by the researcher, rightly. Prior records stand
//! for the gold tasks a researcher adds: known from the start, screened,
//! and costing no answers.

use super::super::consensus::TaskState;
use super::super::policy::BatchPolicy;
use super::super::quality::ConfusionMatrix;
use super::model::{Example, RelevanceModel, TrainingOptions};
use super::order::{OrderPolicy, OrderState, Phase, PickKind};
use super::random::SeededRng;
use super::redundancy::{EXCLUDE, INCLUDE, RedundancyRule};
use super::stopping::{RandomDraw, SampleCursor, StoppingRule, estimate_remaining};
use super::tfidf::{RecordText, tfidf};

/// One record of a labelled set.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledRecord {
    pub text: RecordText,
    pub relevant: bool,
}

/// Everything a replay uses.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    pub policy: BatchPolicy,
    pub order: OrderPolicy,
    pub redundancy: RedundancyRule,
    pub stopping: StoppingRule,
    pub training: TrainingOptions,
    /// Probability that a simulated contributor answers rightly.
    pub accuracy: f64,
    /// Seeds the contributors' answers (the order has its own seed).
    pub seed: u64,
    /// Records known before screening starts.
    pub priors: Vec<usize>,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self {
            policy: BatchPolicy::default(),
            order: OrderPolicy::default(),
            redundancy: RedundancyRule::default(),
            stopping: StoppingRule::default(),
            training: TrainingOptions::default(),
            accuracy: 0.9,
            seed: 0,
            priors: Vec::new(),
        }
    }
}

/// Where the stopping rule stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopPoint {
    pub screened: usize,
    pub answers: u64,
    /// True recall there.
    pub recall: f64,
    pub p_value: f64,
    /// The estimate of relevant records left there.
    pub estimated_left: Option<f64>,
}

/// What a replay measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayReport {
    pub records: usize,
    pub relevant: usize,
    /// After each record screened (priors first): relevant records found
    /// (the crowd or the researcher included them) and answers used.
    pub found: Vec<usize>,
    pub answers: Vec<u64>,
    /// Records screened when the stopping test started.
    pub test_started: Option<usize>,
    pub stop: Option<StopPoint>,
    /// Relevant records the crowd settled as excludes.
    pub missed: usize,
    /// Irrelevant records the crowd settled as includes.
    pub false_includes: usize,
    pub escalated: usize,
    /// Answers fixed redundancy needs to reach the target recall: the
    /// batch's minimum on every record in upload order, up to the record
    /// that reaches it.
    pub fixed_answers_to_target: u64,
}

impl ReplayReport {
    /// Records screened (priors included) until `recall` of the relevant
    /// records were found; `None` if never.
    pub fn screened_to(&self, recall: f64) -> Option<usize> {
        let need = needed(self.relevant, recall);
        self.found.iter().position(|&f| f >= need).map(|i| i + 1)
    }

    /// Answers used until `recall` was reached.
    pub fn answers_to(&self, recall: f64) -> Option<u64> {
        self.screened_to(recall).map(|s| self.answers[s - 1])
    }

    /// Work saved over random order at `recall`: 1 − screened / records −
    /// (1 − recall).
    pub fn wss(&self, recall: f64) -> Option<f64> {
        self.screened_to(recall)
            .map(|s| 1.0 - s as f64 / self.records as f64 - (1.0 - recall))
    }

    /// Recall after screening `share` of the records.
    pub fn recall_at(&self, share: f64) -> f64 {
        let screened = ((share * self.records as f64).round() as usize).clamp(1, self.records);
        self.found
            .get(screened - 1)
            .map_or(0.0, |&f| f as f64 / self.relevant.max(1) as f64)
    }
}

fn needed(relevant: usize, recall: f64) -> usize {
    ((recall * relevant as f64 - 1e-9).ceil() as usize).max(1)
}

/// The running state of one replay.
struct Batch<'a> {
    records: &'a [LabelledRecord],
    open: Vec<bool>,
    decisions: Vec<Option<bool>>,
    examples: Vec<Example>,
    includes: usize,
    found: usize,
    answers: u64,
}

impl Batch<'_> {
    fn settle(&mut self, record: usize, include: bool) {
        self.open[record] = false;
        self.decisions[record] = Some(include);
        self.examples.push(Example { record, include });
        self.includes += usize::from(include);
        self.found += usize::from(include && self.records[record].relevant);
    }
}

/// Runs the replay.
pub fn replay(records: &[LabelledRecord], options: &ReplayOptions) -> ReplayReport {
    let n = records.len();
    let relevant = records.iter().filter(|r| r.relevant).count();
    let texts: Vec<RecordText> = records.iter().map(|r| r.text.clone()).collect();
    let features = tfidf(&texts);
    let matrix = ConfusionMatrix::one_coin(2, options.accuracy.clamp(0.5, 0.999))
        .unwrap_or_else(|_| unreachable!("a clamped one-coin matrix is valid"));
    let mut crowd = SeededRng::new(options.seed ^ 0x00C0_FFEE);
    let random_order = options.order.random_order(n);

    let mut batch = Batch {
        records,
        open: vec![true; n],
        decisions: vec![None; n],
        examples: Vec::new(),
        includes: 0,
        found: 0,
        answers: 0,
    };
    let mut report = ReplayReport {
        records: n,
        relevant,
        found: Vec::with_capacity(n),
        answers: Vec::with_capacity(n),
        test_started: None,
        stop: None,
        missed: 0,
        false_includes: 0,
        escalated: 0,
        fixed_answers_to_target: 0,
    };
    for &prior in options.priors.iter().filter(|&&p| p < n) {
        if batch.open[prior] {
            batch.settle(prior, records[prior].relevant);
            report.found.push(batch.found);
            report.answers.push(0);
        }
    }

    let mut model: Option<RelevanceModel> = None;
    let mut scores: Vec<f64> = Vec::new();
    let mut trained_on = 0;
    let mut picks_made = 0u64;
    let mut draws: Vec<RandomDraw> = Vec::new();
    let mut latest_ranked: Vec<bool> = Vec::new();
    let mut sample: Option<SampleCursor> = None;

    while report.found.len() < n {
        let excludes = batch.examples.len() - batch.includes;
        let phase = options
            .order
            .phase(batch.includes, excludes, sample.is_some());
        let retrain_step = (batch.examples.len() / 10).clamp(1, 10);
        let due = model.is_none() || batch.examples.len() >= trained_on + retrain_step;
        // Retrained every tenth of the settled records, at most every ten.
        if phase != Phase::Warmup
            && due
            && let Some(trained) = RelevanceModel::train(
                &features,
                &batch.examples,
                &options.training,
                model.as_ref(),
            )
        {
            scores = features.vectors.iter().map(|v| trained.score(v)).collect();
            model = Some(trained);
            trained_on = batch.examples.len();
        }
        let state = OrderState {
            open: &batch.open,
            scores: model.as_ref().map(|_| scores.as_slice()),
            phase,
            picks_made,
        };
        let Some(&(record, kind)) = options.order.next(&state, &random_order, 1).first() else {
            break;
        };
        picks_made += 1;
        let pool = batch.open.iter().filter(|&&o| o).count();
        let relevance = model
            .as_ref()
            .map(|m| m.probability(&features.vectors[record]));

        // Answers, one at a time, until the record settles or escalates.
        let truth = if records[record].relevant {
            INCLUDE
        } else {
            EXCLUDE
        };
        let mut given: Vec<(Option<u16>, &ConfusionMatrix)> = Vec::new();
        let include = loop {
            let right = crowd.next_f64() < options.accuracy;
            let label = if right { truth } else { 1 - truth };
            given.push((Some(label), &matrix));
            let verdict = options
                .redundancy
                .evaluate(&options.policy, relevance, &given);
            match verdict.state {
                TaskState::Settled => break verdict.include,
                TaskState::Escalated => {
                    report.escalated += 1;
                    break records[record].relevant;
                }
                _ if given.len() >= 50 => break records[record].relevant,
                _ => {}
            }
        };
        batch.answers += given.len() as u64;
        report.missed += usize::from(!include && records[record].relevant);
        report.false_includes += usize::from(include && !records[record].relevant);
        let includes_before = batch.includes;
        batch.settle(record, include);
        report.found.push(batch.found);
        report.answers.push(batch.answers);

        if kind == PickKind::Random {
            draws.push(RandomDraw {
                pool,
                found_before: includes_before,
                include,
            });
        }
        if phase == Phase::Ranked && kind == PickKind::Ranked {
            latest_ranked.push(include);
            if sample.is_none() && options.stopping.ranked_ran_dry(n, &latest_ranked) {
                sample = Some(SampleCursor::start(&batch.decisions));
                report.test_started = Some(report.found.len());
            }
        }
        if let Some(cursor) = sample.as_mut() {
            cursor.advance(&random_order, &batch.decisions);
            let test = options.stopping.test(&cursor.sample);
            if test.passes && report.stop.is_none() {
                report.stop = Some(StopPoint {
                    screened: report.found.len(),
                    answers: batch.answers,
                    recall: batch.found as f64 / relevant.max(1) as f64,
                    p_value: test.p_value,
                    estimated_left: estimate_remaining(&draws, batch.includes, 50),
                });
            }
        }
    }

    let need = needed(relevant, options.stopping.target_recall);
    let mut seen = 0;
    let upload_order_records = records
        .iter()
        .position(|r| {
            seen += usize::from(r.relevant);
            seen >= need
        })
        .map_or(n, |i| i + 1);
    report.fixed_answers_to_target =
        u64::from(options.policy.min_answers) * upload_order_records as u64;
    report
}

#[cfg(test)]
#[path = "replay_tests.rs"]
mod tests;
