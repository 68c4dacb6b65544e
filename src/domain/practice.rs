//! Practice before confirmation. Anyone can register with an address at a
//! trust's domain, so until the person opens the link sent there, the
//! trust's policy decides what their work is worth: with `practice_only`
//! (the default) they are handed only practice tasks, the batches' gold
//! tasks with known answers, and their answers teach them (gold feedback)
//! but earn no credit and never count towards consensus, the contributor
//! models or the batch's pace. Accounts that no organisation record names,
//! and confirmed or signed-on members, are not affected.

use uuid::Uuid;

/// What an organisation lets accounts do while their address is not yet
/// confirmed.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    poem_openapi::Enum,
)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum UnconfirmedAccounts {
    /// Practice tasks only (gold tasks with known answers), for no credit,
    /// until the address is confirmed.
    #[default]
    PracticeOnly,
    /// Every task the account's audiences allow, credited as usual.
    AllTasks,
}

impl UnconfirmedAccounts {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PracticeOnly => "practice_only",
            Self::AllTasks => "all_tasks",
        }
    }

    /// `practice_only` or `all_tasks` (a hyphen for the underscore is fine).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().replace('-', "_").as_str() {
            "practice_only" => Some(Self::PracticeOnly),
            "all_tasks" => Some(Self::AllTasks),
            _ => None,
        }
    }
}

/// What decides whether an account practises: read from the stored account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The membership is verified (`organisation::Membership::Verified`).
    pub verified: bool,
    pub email_confirmed: bool,
    /// The organisation record the account's address matched, if any.
    pub organisation_id: Option<Uuid>,
}

impl Standing {
    /// The organisation whose policy applies to the account: its record,
    /// while the account is neither a verified member nor confirmed.
    /// `None` means no policy applies, so none needs to be read.
    pub fn deciding_organisation(&self) -> Option<Uuid> {
        if self.verified || self.email_confirmed {
            None
        } else {
            self.organisation_id
        }
    }

    /// Whether the account answers practice tasks only, given the policy
    /// of [`Self::deciding_organisation`] (`None` when there is none).
    pub fn practice_only(&self, policy: Option<UnconfirmedAccounts>) -> bool {
        self.deciding_organisation().is_some() && policy == Some(UnconfirmedAccounts::PracticeOnly)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unconfirmed_at(organisation_id: Option<Uuid>) -> Standing {
        Standing {
            verified: false,
            email_confirmed: false,
            organisation_id,
        }
    }

    #[test]
    fn an_unconfirmed_account_named_by_a_record_follows_its_policy() {
        let north = unconfirmed_at(Some(Uuid::new_v4()));
        assert!(north.practice_only(Some(UnconfirmedAccounts::PracticeOnly)));
        assert!(!north.practice_only(Some(UnconfirmedAccounts::AllTasks)));
        assert_eq!(north.deciding_organisation(), north.organisation_id);
    }

    #[test]
    fn accounts_no_record_names_are_not_affected() {
        let anywhere = unconfirmed_at(None);
        assert_eq!(anywhere.deciding_organisation(), None);
        assert!(!anywhere.practice_only(Some(UnconfirmedAccounts::PracticeOnly)));
    }

    #[test]
    fn confirmed_and_signed_on_members_work_on_everything() {
        let org = Some(Uuid::new_v4());
        let confirmed = Standing {
            email_confirmed: true,
            ..unconfirmed_at(org)
        };
        let signed_on = Standing {
            verified: true,
            ..unconfirmed_at(org)
        };
        for standing in [confirmed, signed_on] {
            assert_eq!(standing.deciding_organisation(), None);
            assert!(!standing.practice_only(Some(UnconfirmedAccounts::PracticeOnly)));
        }
    }

    #[test]
    fn a_policy_is_named_as_the_api_names_it() {
        for policy in [
            UnconfirmedAccounts::PracticeOnly,
            UnconfirmedAccounts::AllTasks,
        ] {
            assert_eq!(UnconfirmedAccounts::parse(policy.as_str()), Some(policy));
        }
        assert_eq!(
            UnconfirmedAccounts::parse("all-tasks"),
            Some(UnconfirmedAccounts::AllTasks)
        );
        assert_eq!(UnconfirmedAccounts::parse("gold"), None);
        assert_eq!(
            UnconfirmedAccounts::default(),
            UnconfirmedAccounts::PracticeOnly
        );
    }
}
