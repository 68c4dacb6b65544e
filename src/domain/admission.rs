//! Who may work on what. Credit and consensus come only from work that was
//! handed out: claims and answers apply the same rules (live project, live
//! batch, caller inside the audience), and an answer also needs a lease the
//! caller held. Both store adapters read the facts and call these functions,
//! so the rules are written once.

use uuid::Uuid;

use super::account::StaffGroup;
use super::kinds::Vote;
use super::project::{Audience, WorkStatus};

/// Why one answer of a submission was refused. The whole submission is then
/// refused and nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// There is no task with this id.
    UnknownTask,
    /// The caller never held a lease on this task: it was not handed out to them.
    NotHandedOut,
    /// The project or batch is not live (draft, paused or closed).
    NotLive {
        what: &'static str,
        status: WorkStatus,
    },
    /// The project's audience does not include the caller.
    OutsideAudience,
    /// The caller logged this observation; others verify it.
    OwnObservation,
    /// The `client_id` belongs to someone else's answer.
    ForeignClientId,
    /// The `client_id` was already used for a different task or answer.
    ReusedClientId,
    /// The caller already answered this task differently.
    DifferentAnswer,
}

/// How the API should classify a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalClass {
    /// The request names something that does not exist (422).
    Invalid,
    /// The caller may not do this (403).
    Forbidden,
    /// It clashes with what is stored or with the work's state (409).
    Conflict,
}

impl Refusal {
    pub fn class(&self) -> RefusalClass {
        match self {
            Refusal::UnknownTask => RefusalClass::Invalid,
            Refusal::NotHandedOut | Refusal::OutsideAudience | Refusal::OwnObservation => {
                RefusalClass::Forbidden
            }
            Refusal::NotLive { .. }
            | Refusal::ForeignClientId
            | Refusal::ReusedClientId
            | Refusal::DifferentAnswer => RefusalClass::Conflict,
        }
    }

    /// A sentence for the person (or the phone developer) reading the error.
    pub fn detail(&self) -> String {
        match self {
            Refusal::UnknownTask => "There is no such task.".to_owned(),
            Refusal::NotHandedOut => "This task was not handed out to you: answer only tasks \
                                      from a session you claimed (POST /v1/sessions)."
                .to_owned(),
            Refusal::NotLive { what, status } => format!(
                "This {what} is {}, so it takes no answers.",
                status.as_str()
            ),
            Refusal::OutsideAudience => {
                "This project is not open to your organisation or staff group.".to_owned()
            }
            Refusal::OwnObservation => "You logged this observation; other staff verify it, \
                                        so it cannot be answered by you."
                .to_owned(),
            Refusal::ForeignClientId => "This client_id belongs to another answer; generate a \
                                         fresh UUID per answer."
                .to_owned(),
            Refusal::ReusedClientId => "This client_id was already used for a different task \
                                        or answer; generate a fresh UUID per answer."
                .to_owned(),
            Refusal::DifferentAnswer => {
                "You already answered this task with a different answer.".to_owned()
            }
        }
    }
}

/// Where a piece of work sits: its project's and batch's state and audience.
#[derive(Debug, Clone, Copy)]
pub struct Workplace<'a> {
    pub project_status: WorkStatus,
    pub batch_status: WorkStatus,
    pub audience: &'a Audience,
}

/// Who is asking, as the stored account says now.
#[derive(Debug, Clone, Copy)]
pub struct Worker<'a> {
    /// The organisation's name, as typed or from its record.
    pub organisation: Option<&'a str>,
    /// The organisation record the person's email domain matched.
    pub organisation_id: Option<Uuid>,
    /// The membership is verified (see `domain::organisation::Membership`).
    pub verified: bool,
    pub staff_group: StaffGroup,
}

/// Whether the worker may be handed work from this place, or answer it.
pub fn may_work(place: &Workplace<'_>, worker: &Worker<'_>) -> Result<(), Refusal> {
    if place.project_status != WorkStatus::Live {
        return Err(Refusal::NotLive {
            what: "project",
            status: place.project_status,
        });
    }
    if place.batch_status != WorkStatus::Live {
        return Err(Refusal::NotLive {
            what: "batch",
            status: place.batch_status,
        });
    }
    if !place.audience.admits(worker) {
        return Err(Refusal::OutsideAudience);
    }
    Ok(())
}

/// Whether a new answer may be stored: the task was handed out to the
/// caller (`lease` is the caller's lease on it, if the store found one) and
/// the work is still open to them. A lease that has expired still counts
/// (staff work offline); a task never leased does not. `own_observation`:
/// the caller logged the observation this task verifies. Returns the lease.
pub fn may_answer<L>(
    lease: Option<L>,
    place: &Workplace<'_>,
    own_observation: bool,
    worker: &Worker<'_>,
) -> Result<L, Refusal> {
    if own_observation {
        return Err(Refusal::OwnObservation);
    }
    let lease = lease.ok_or(Refusal::NotHandedOut)?;
    may_work(place, worker)?;
    Ok(lease)
}

/// An answer already stored under the `client_id` a submission carries.
#[derive(Debug, Clone, Copy)]
pub struct StoredUnderClientId<'a> {
    pub mine: bool,
    pub task_id: Uuid,
    pub votes: &'a [Vote],
}

/// A resubmission under a stored `client_id` is a retry (its stored outcome
/// is returned) only when it is the caller's and names the same task and
/// answer; anything else is a loud conflict, never a silent drop.
pub fn retry_of(
    stored: &StoredUnderClientId<'_>,
    task_id: Uuid,
    votes: &[Vote],
) -> Result<(), Refusal> {
    if !stored.mine {
        return Err(Refusal::ForeignClientId);
    }
    if stored.task_id != task_id || stored.votes != votes {
        return Err(Refusal::ReusedClientId);
    }
    Ok(())
}

/// Who is looking at a project.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    /// The viewer is the project's researcher.
    pub owns: bool,
    pub admin: bool,
    pub worker: Worker<'a>,
}

/// A project is visible to its researcher and to admins; to everyone else
/// only once it is out of draft, and only inside its audience.
pub fn may_see_project(status: WorkStatus, audience: &Audience, viewer: &Viewer<'_>) -> bool {
    viewer.owns || viewer.admin || (status != WorkStatus::Draft && audience.admits(&viewer.worker))
}

/// Most organisations one audience may name.
pub const MAX_AUDIENCE_ORGANISATIONS: usize = 50;

/// Longest organisation name an audience may hold, in characters.
pub const MAX_ORGANISATION_CHARS: usize = 200;

/// An audience from what a researcher sent: organisation names trimmed,
/// non-empty, bounded in length and number, each named once; staff groups
/// each named once.
pub fn parse_audience(
    organisations: Vec<String>,
    organisation_ids: Vec<Uuid>,
    staff_groups: Vec<StaffGroup>,
    verified_only: bool,
) -> Result<Audience, super::field_error::FieldError> {
    use super::field_error::FieldError;
    if organisation_ids.len() > MAX_AUDIENCE_ORGANISATIONS {
        return Err(FieldError::new(
            "audience.organisation_ids",
            format!("name at most {MAX_AUDIENCE_ORGANISATIONS} organisations"),
        ));
    }
    let mut ids = Vec::with_capacity(organisation_ids.len());
    for id in organisation_ids {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if organisations.len() > MAX_AUDIENCE_ORGANISATIONS {
        return Err(FieldError::new(
            "audience.organisations",
            format!("name at most {MAX_AUDIENCE_ORGANISATIONS} organisations"),
        ));
    }
    let mut named: Vec<String> = Vec::with_capacity(organisations.len());
    for (index, raw) in organisations.iter().enumerate() {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > MAX_ORGANISATION_CHARS {
            return Err(FieldError::new(
                format!("audience.organisations[{index}]"),
                format!("must be between 1 and {MAX_ORGANISATION_CHARS} characters"),
            ));
        }
        if !named.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            named.push(name.to_owned());
        }
    }
    let mut groups = Vec::with_capacity(staff_groups.len().min(16));
    for group in staff_groups {
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    Ok(Audience {
        organisations: named,
        organisation_ids: ids,
        staff_groups: groups,
        verified_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(audience: &Audience) -> Workplace<'_> {
        Workplace {
            project_status: WorkStatus::Live,
            batch_status: WorkStatus::Live,
            audience,
        }
    }

    const NURSE: Worker<'static> = Worker {
        organisation: Some("North Trust"),
        organisation_id: None,
        verified: false,
        staff_group: StaffGroup::NursingAndMidwifery,
    };

    #[test]
    fn an_answer_needs_a_lease_even_on_live_open_work() {
        let everyone = Audience::default();
        let place = live(&everyone);
        assert_eq!(
            may_answer(None::<()>, &place, false, &NURSE),
            Err(Refusal::NotHandedOut)
        );
        assert_eq!(may_answer(Some(7), &place, false, &NURSE), Ok(7));
        assert_eq!(
            may_answer(Some(7), &place, true, &NURSE),
            Err(Refusal::OwnObservation)
        );
    }

    #[test]
    fn paused_draft_and_closed_work_takes_no_answers() {
        let everyone = Audience::default();
        for status in [WorkStatus::Draft, WorkStatus::Paused, WorkStatus::Closed] {
            let mut place = live(&everyone);
            place.batch_status = status;
            assert_eq!(
                may_work(&place, &NURSE),
                Err(Refusal::NotLive {
                    what: "batch",
                    status
                })
            );
            let mut place = live(&everyone);
            place.project_status = status;
            assert!(matches!(
                may_work(&place, &NURSE),
                Err(Refusal::NotLive {
                    what: "project",
                    ..
                })
            ));
        }
    }

    #[test]
    fn the_audience_is_checked_for_answers_as_for_claims() {
        let south = Audience {
            organisations: vec!["South Trust".into()],
            ..Audience::default()
        };
        assert_eq!(
            may_work(&live(&south), &NURSE),
            Err(Refusal::OutsideAudience)
        );
    }

    #[test]
    fn a_reused_client_id_is_a_conflict_unless_it_is_the_same_answer() {
        let task = Uuid::from_u128(1);
        let votes = [Vote {
            question: 0,
            label: Some(1),
        }];
        let stored = StoredUnderClientId {
            mine: true,
            task_id: task,
            votes: &votes,
        };
        assert_eq!(retry_of(&stored, task, &votes), Ok(()));
        assert_eq!(
            retry_of(&stored, Uuid::from_u128(2), &votes),
            Err(Refusal::ReusedClientId)
        );
        assert_eq!(retry_of(&stored, task, &[]), Err(Refusal::ReusedClientId));
        let foreign = StoredUnderClientId {
            mine: false,
            ..stored
        };
        assert_eq!(
            retry_of(&foreign, task, &votes),
            Err(Refusal::ForeignClientId)
        );
    }

    #[test]
    fn drafts_and_other_audiences_stay_hidden_from_staff() {
        let south = Audience {
            organisations: vec!["South Trust".into()],
            ..Audience::default()
        };
        let staff = Viewer {
            owns: false,
            admin: false,
            worker: NURSE,
        };
        assert!(!may_see_project(WorkStatus::Live, &south, &staff));
        assert!(!may_see_project(
            WorkStatus::Draft,
            &Audience::default(),
            &staff
        ));
        assert!(may_see_project(
            WorkStatus::Paused,
            &Audience::default(),
            &staff
        ));
        let owner = Viewer {
            owns: true,
            ..staff
        };
        assert!(may_see_project(WorkStatus::Draft, &south, &owner));
    }

    #[test]
    fn audiences_are_bounded_trimmed_and_deduplicated() {
        let names = |names: Vec<String>| parse_audience(names, vec![], vec![], false);
        let north = Uuid::new_v4();
        let parsed = parse_audience(
            vec![" North Trust ".into(), "north trust".into()],
            vec![north, north],
            vec![StaffGroup::Pharmacy, StaffGroup::Pharmacy],
            true,
        )
        .unwrap();
        assert_eq!(parsed.organisations, ["North Trust"]);
        assert_eq!(parsed.organisation_ids, [north]);
        assert_eq!(parsed.staff_groups, [StaffGroup::Pharmacy]);
        assert!(parsed.verified_only);
        let many = vec!["Trust".to_owned(); MAX_AUDIENCE_ORGANISATIONS + 1];
        assert_eq!(names(many).unwrap_err().field, "audience.organisations");
        let many_ids = (0..=MAX_AUDIENCE_ORGANISATIONS)
            .map(|_| Uuid::new_v4())
            .collect();
        assert_eq!(
            parse_audience(vec![], many_ids, vec![], false)
                .unwrap_err()
                .field,
            "audience.organisation_ids"
        );
        assert!(names(vec!["  ".into()]).is_err());
        assert!(names(vec!["x".repeat(201)]).is_err());
    }

    #[test]
    fn refusals_are_classed_for_the_api() {
        assert_eq!(Refusal::NotHandedOut.class(), RefusalClass::Forbidden);
        assert_eq!(Refusal::UnknownTask.class(), RefusalClass::Invalid);
        assert_eq!(Refusal::ReusedClientId.class(), RefusalClass::Conflict);
    }
}
