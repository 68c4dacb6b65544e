//! The PRISMA flow counts of a screening batch, as a review reports them:
//! records identified, duplicates removed, records screened and their
//! outcome. Records still waiting for a decision are counted as such,
//! never folded into the excluded.

use serde::Serialize;

use super::Decision;

/// A screening batch's flow counts; gold records are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, poem_openapi::Object)]
pub struct PrismaCounts {
    /// Records in the upload, duplicates included.
    pub records_identified: u64,
    /// Records dropped at upload as duplicates of an earlier one.
    pub duplicates_removed: u64,
    /// Records with a final decision (include, exclude or unsure).
    pub records_screened: u64,
    pub included: u64,
    pub excluded: u64,
    /// Resolved as unsure by the researcher (e.g. full text needed).
    pub unsure: u64,
    /// Records still collecting answers or waiting in the resolver queue.
    pub awaiting_decision: u64,
}

/// Counts the final decisions of a batch's regular records.
pub fn tally(
    duplicates_removed: u64,
    decisions: impl IntoIterator<Item = Decision>,
) -> PrismaCounts {
    let mut counts = PrismaCounts {
        duplicates_removed,
        ..PrismaCounts::default()
    };
    for decision in decisions {
        match decision {
            Decision::Include => counts.included += 1,
            Decision::Exclude => counts.excluded += 1,
            Decision::Unsure => counts.unsure += 1,
            Decision::Undecided => counts.awaiting_decision += 1,
        }
    }
    counts.records_screened = counts.included + counts.excluded + counts.unsure;
    counts.records_identified =
        counts.records_screened + counts.awaiting_decision + counts.duplicates_removed;
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_is_counted_once_and_undecided_ones_are_not_excluded() {
        use Decision::*;
        let counts = tally(3, [Include, Exclude, Exclude, Unsure, Undecided, Undecided]);
        assert_eq!(
            counts,
            PrismaCounts {
                records_identified: 9,
                duplicates_removed: 3,
                records_screened: 4,
                included: 1,
                excluded: 2,
                unsure: 1,
                awaiting_decision: 2,
            }
        );
    }
}
