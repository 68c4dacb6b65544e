//! What a ledger entry was credited for. Answering is credited by the kind
//! of batch answered in; logging an observation is credited apart from
//! verifying one, so certificates can tell the two activities apart.

use std::str::FromStr;

use crate::domain::certificate::TaskKind as CertificateKind;
use crate::domain::kinds::TaskKind;

/// The activity a ledger entry credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditKind {
    /// Answering a screening task.
    Screening,
    /// Answering a coding task.
    Coding,
    /// Answering an observation's verification task: confirming or
    /// rejecting what another member of staff logged.
    Verification,
    /// Logging an observation (`POST /v1/projects/{id}/observations`).
    ObservationLogging,
}

impl CreditKind {
    /// Every kind, in the order breakdowns list them.
    pub const ALL: &'static [CreditKind] = &[
        CreditKind::Screening,
        CreditKind::Coding,
        CreditKind::Verification,
        CreditKind::ObservationLogging,
    ];

    /// What answering a task of `kind` is credited as.
    pub fn of_answer(kind: TaskKind) -> Self {
        match kind {
            TaskKind::Screening => CreditKind::Screening,
            TaskKind::Coding => CreditKind::Coding,
            TaskKind::Observation => CreditKind::Verification,
        }
    }

    /// The name stored in the ledger and sent by the API. Answers keep
    /// their batch kind's name (`observation` for verification), as they
    /// have been stored since the ledger began.
    pub fn as_str(self) -> &'static str {
        match self {
            CreditKind::Screening => TaskKind::Screening.as_str(),
            CreditKind::Coding => TaskKind::Coding.as_str(),
            CreditKind::Verification => TaskKind::Observation.as_str(),
            CreditKind::ObservationLogging => "observation_logging",
        }
    }

    /// How certificates name the activity.
    pub fn certificate_kind(self) -> CertificateKind {
        match self {
            CreditKind::Screening => CertificateKind::LiteratureScreening,
            CreditKind::Coding => CertificateKind::DataCoding,
            CreditKind::Verification => CertificateKind::Verification,
            CreditKind::ObservationLogging => CertificateKind::ObservationLogging,
        }
    }

    /// The plain-language name, as certificates print it, e.g. "verification".
    pub fn label(self) -> &'static str {
        self.certificate_kind().label()
    }
}

impl FromStr for CreditKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        CreditKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| format!("unknown credit kind {name:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_ledger_name() {
        for kind in CreditKind::ALL {
            assert_eq!(kind.as_str().parse::<CreditKind>(), Ok(*kind));
        }
        assert!("answering".parse::<CreditKind>().is_err());
    }

    #[test]
    fn verifying_and_logging_observations_are_told_apart() {
        let verifying = CreditKind::of_answer(TaskKind::Observation);
        assert_eq!(verifying.as_str(), "observation", "as the ledger stores it");
        assert_eq!(verifying.label(), "verification");
        assert_eq!(
            CreditKind::ObservationLogging.label(),
            "observation logging"
        );
    }
}
