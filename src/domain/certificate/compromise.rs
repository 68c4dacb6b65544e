//! A certificate key reported compromised. Whoever holds a stolen key can
//! sign anything, with any date in it, so a signature by that key proves
//! nothing on its own. What still proves a certificate is Tessera's own
//! record, written when it was issued: a stored certificate (or the trace
//! kept after its holder's erasure) is still checked as before, and a
//! credential handed over without its id is believed only when that record
//! says exactly the same.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// When and why a key stopped being trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compromise {
    /// From when the key may have been in someone else's hands.
    pub since: DateTime<Utc>,
    pub reason: String,
}

/// Whether a credential signed with a compromised key stands: only when
/// Tessera's record of the certificate says the same (`recorded_same`),
/// and that record was made before the compromise. One issued later was
/// signed by Tessera while the key was already out, so it is withdrawn
/// from trust too; its holder can ask for a new certificate.
pub fn stands(compromise: &Compromise, recorded_same: bool, issued_at: DateTime<Utc>) -> bool {
    recorded_same && issued_at < compromise.since
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn only_a_recorded_certificate_from_before_the_compromise_stands() {
        let compromise = Compromise {
            since: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
            reason: "stolen".into(),
        };
        let before = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        assert!(stands(&compromise, true, before));
        assert!(
            !stands(&compromise, false, before),
            "no record vouches for it"
        );
        assert!(
            !stands(&compromise, true, after),
            "signed once the key was out"
        );
    }
}
