//! Projects: who may join them and where they are in their life.

use serde::{Deserialize, Serialize};

use uuid::Uuid;

use super::account::StaffGroup;
use super::admission::Worker;

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

/// Who may take part. Empty organisation lists mean every organisation;
/// an empty staff-group list means every staff group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    /// Organisations named as people typed them at registration, compared
    /// case-insensitively. Kept for projects made before organisations were
    /// records; `organisation_ids` is the reliable form.
    pub organisations: Vec<String>,
    /// Organisation records (`/v1/organisations`) whose members may join.
    #[serde(default)]
    pub organisation_ids: Vec<Uuid>,
    pub staff_groups: Vec<StaffGroup>,
    /// Only people whose membership is verified (a confirmed address at one
    /// of their organisation's domains) may join.
    #[serde(default)]
    pub verified_only: bool,
}

impl Audience {
    pub fn admits(&self, worker: &Worker<'_>) -> bool {
        let names_anyone = self.organisations.is_empty() && self.organisation_ids.is_empty();
        let by_record = worker
            .organisation_id
            .is_some_and(|id| self.organisation_ids.contains(&id));
        let by_name = worker.organisation.is_some_and(|org| {
            self.organisations
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(org.trim()))
        });
        let organisation_ok = names_anyone || by_record || by_name;
        let verified_ok = !self.verified_only || worker.verified;
        let group_ok =
            self.staff_groups.is_empty() || self.staff_groups.contains(&worker.staff_group);
        organisation_ok && verified_ok && group_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(organisation: Option<&str>, staff_group: StaffGroup) -> Worker<'_> {
        Worker {
            organisation,
            organisation_id: None,
            verified: false,
            staff_group,
        }
    }

    #[test]
    fn an_empty_audience_admits_everyone() {
        assert!(Audience::default().admits(&worker(None, StaffGroup::Pharmacy)));
    }

    #[test]
    fn a_named_audience_admits_only_matching_staff() {
        let audience = Audience {
            organisations: vec!["North Trust".into()],
            staff_groups: vec![StaffGroup::NursingAndMidwifery],
            ..Audience::default()
        };
        let nurse = StaffGroup::NursingAndMidwifery;
        assert!(audience.admits(&worker(Some("north trust"), nurse)));
        assert!(!audience.admits(&worker(Some("South Trust"), nurse)));
        assert!(!audience.admits(&worker(None, nurse)));
        assert!(!audience.admits(&worker(Some("North Trust"), StaffGroup::Pharmacy)));
    }

    #[test]
    fn a_verified_only_audience_admits_confirmed_members_of_its_records() {
        let north = Uuid::new_v4();
        let audience = Audience {
            organisation_ids: vec![north],
            verified_only: true,
            ..Audience::default()
        };
        let mut member = worker(Some("North Trust"), StaffGroup::Pharmacy);
        member.organisation_id = Some(north);
        assert!(!audience.admits(&member), "not yet confirmed");
        member.verified = true;
        assert!(audience.admits(&member));
        member.organisation_id = Some(Uuid::new_v4());
        assert!(!audience.admits(&member), "another organisation");
        let claimant = worker(Some("North Trust"), StaffGroup::Pharmacy);
        assert!(!audience.admits(&claimant), "a typed name is not a record");
    }

    #[test]
    fn closed_work_never_reopens() {
        assert!(WorkStatus::Live.can_become(WorkStatus::Paused));
        assert!(WorkStatus::Paused.can_become(WorkStatus::Live));
        assert!(!WorkStatus::Closed.can_become(WorkStatus::Live));
        assert!(!WorkStatus::Live.can_become(WorkStatus::Draft));
    }
}
