//! Projects: who may join them and where they are in their life.

use serde::{Deserialize, Serialize};

use super::account::StaffGroup;

/// Where a project (or a batch) is in its life. Only `live` work is handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum WorkStatus {
    Draft,
    Live,
    Paused,
    Closed,
}

impl WorkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkStatus::Draft => "draft",
            WorkStatus::Live => "live",
            WorkStatus::Paused => "paused",
            WorkStatus::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Draft, Self::Live, Self::Paused, Self::Closed]
            .into_iter()
            .find(|status| status.as_str() == raw)
    }

    /// Closed is final: nothing reopens a closed project or batch.
    pub fn can_become(self, next: WorkStatus) -> bool {
        self != WorkStatus::Closed && !(next == WorkStatus::Draft && self != WorkStatus::Draft)
    }
}

/// Who may take part. Empty lists mean everyone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// Organisations (trusts) whose staff may join, compared case-insensitively.
    pub organisations: Vec<String>,
    pub staff_groups: Vec<StaffGroup>,
}

impl Audience {
    pub fn admits(&self, organisation: Option<&str>, staff_group: StaffGroup) -> bool {
        let organisation_ok = self.organisations.is_empty()
            || organisation.is_some_and(|org| {
                self.organisations
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(org.trim()))
            });
        let group_ok = self.staff_groups.is_empty() || self.staff_groups.contains(&staff_group);
        organisation_ok && group_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_audience_admits_everyone() {
        assert!(Audience::default().admits(None, StaffGroup::Pharmacy));
    }

    #[test]
    fn a_named_audience_admits_only_matching_staff() {
        let audience = Audience {
            organisations: vec!["North Trust".into()],
            staff_groups: vec![StaffGroup::NursingAndMidwifery],
        };
        assert!(audience.admits(Some("north trust"), StaffGroup::NursingAndMidwifery));
        assert!(!audience.admits(Some("South Trust"), StaffGroup::NursingAndMidwifery));
        assert!(!audience.admits(None, StaffGroup::NursingAndMidwifery));
        assert!(!audience.admits(Some("North Trust"), StaffGroup::Pharmacy));
    }

    #[test]
    fn closed_work_never_reopens() {
        assert!(WorkStatus::Live.can_become(WorkStatus::Paused));
        assert!(WorkStatus::Paused.can_become(WorkStatus::Live));
        assert!(!WorkStatus::Closed.can_become(WorkStatus::Live));
        assert!(!WorkStatus::Live.can_become(WorkStatus::Draft));
    }
}
