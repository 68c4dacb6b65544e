//! Changing one's address or organisation. A verified membership is only
//! as good as what proved it, so a change keeps it only while that proof
//! still holds:
//!
//! - A new address is unconfirmed. It names the organisation record whose
//!   domains include its domain (the account is then that organisation's
//!   self-declared member until it opens the link sent to the new address).
//!   At a domain no record lists, the account keeps the organisation it
//!   signed on through, if any (the provider proved that membership, not
//!   the address); otherwise it names no record and the organisation's
//!   name stays, self-declared.
//! - A new organisation name keeps the record only when it is the record's
//!   own name (or names the record again when it is the name of the record
//!   of the address's domain); any other name is self-declared and names
//!   no record.
//!
//! Sign-on links stay; they verify a membership only while the account's
//! record is the organisation signed on through
//! (`organisation::Membership::of`).

use uuid::Uuid;

use super::account::Email;

/// Who an account says it is, and how far its address is proven: what a
/// change of address or organisation rewrites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affiliation {
    pub email: String,
    pub email_confirmed: bool,
    pub organisation: Option<String>,
    pub organisation_id: Option<Uuid>,
}

/// An organisation record as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    pub id: Uuid,
    pub name: &'a str,
}

/// What the owner asked to change; `None` leaves it as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AffiliationChange {
    pub email: Option<Email>,
    /// The organisation's name as typed, trimmed; `Some(None)` removes it.
    pub organisation: Option<Option<String>>,
}

impl AffiliationChange {
    /// The domain of the account's address after the change, when the
    /// change touches the address or the organisation: the store looks up
    /// the record whose domains include it and passes it to [`Self::apply`].
    /// `None` when nothing changes, so nothing needs looking up.
    pub fn address_domain<'a>(&'a self, current: &'a Affiliation) -> Option<&'a str> {
        let email = self.new_email(current);
        if email.is_none() && self.organisation.is_none() {
            return None;
        }
        let address = email.map_or(current.email.as_str(), Email::as_str);
        Some(super::organisation::domain_of(address))
    }

    fn new_email(&self, current: &Affiliation) -> Option<&Email> {
        self.email
            .as_ref()
            .filter(|email| email.as_str() != current.email)
    }

    /// The affiliation after the change. `record` is the organisation
    /// record whose domains include [`Self::address_domain`], if any;
    /// `signed_in_through` is the organisation the account signed on
    /// through, if any.
    pub fn apply(
        &self,
        current: Affiliation,
        signed_in_through: Option<Uuid>,
        record: Option<Record<'_>>,
    ) -> Affiliation {
        let mut next = current.clone();
        if let Some(email) = self.new_email(&current) {
            next.email = email.as_str().to_owned();
            next.email_confirmed = false;
            match record {
                Some(record) => {
                    next.organisation_id = Some(record.id);
                    next.organisation = Some(record.name.to_owned());
                }
                None if signed_in_through.is_some()
                    && signed_in_through == current.organisation_id => {}
                None => next.organisation_id = None,
            }
        }
        if let Some(typed) = &self.organisation {
            let names = |name: Option<&str>| {
                typed
                    .as_deref()
                    .zip(name)
                    .is_some_and(|(typed, name)| typed.eq_ignore_ascii_case(name.trim()))
            };
            if next.organisation_id.is_some() && names(next.organisation.as_deref()) {
                // The record's own name: nothing changes.
            } else if let Some(record) = record.filter(|record| names(Some(record.name))) {
                // Back to the record of the address's domain.
                next.organisation_id = Some(record.id);
                next.organisation = Some(record.name.to_owned());
            } else {
                next.organisation = typed.clone();
                next.organisation_id = None;
            }
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::organisation::Membership;

    const NORTH: &str = "North Hospitals";

    fn member_of(north: Uuid) -> Affiliation {
        Affiliation {
            email: "ada@north.nhs.uk".into(),
            email_confirmed: true,
            organisation: Some(NORTH.into()),
            organisation_id: Some(north),
        }
    }

    fn membership(
        affiliation: &Affiliation,
        signed_in_through: Option<Uuid>,
    ) -> Option<Membership> {
        Membership::of(
            affiliation.organisation.as_deref(),
            affiliation.organisation_id,
            affiliation.email_confirmed,
            signed_in_through,
        )
    }

    fn email(raw: &str) -> Option<Email> {
        Some(Email::parse(raw).unwrap())
    }

    #[test]
    fn a_new_address_at_the_same_domain_is_self_declared_until_confirmed() {
        let north = Uuid::new_v4();
        let change = AffiliationChange {
            email: email("ada.new@north.nhs.uk"),
            ..AffiliationChange::default()
        };
        let current = member_of(north);
        assert_eq!(change.address_domain(&current), Some("north.nhs.uk"));
        let record = Record {
            id: north,
            name: NORTH,
        };
        let next = change.apply(current, None, Some(record));
        assert_eq!(next.email, "ada.new@north.nhs.uk");
        assert!(!next.email_confirmed);
        assert_eq!(next.organisation_id, Some(north));
        assert_eq!(membership(&next, None), Some(Membership::SelfDeclared));
        let confirmed = Affiliation {
            email_confirmed: true,
            ..next
        };
        assert_eq!(membership(&confirmed, None), Some(Membership::Verified));
    }

    #[test]
    fn a_new_address_names_the_record_of_its_domain_or_none() {
        let (north, south) = (Uuid::new_v4(), Uuid::new_v4());
        let change = AffiliationChange {
            email: email("ada@south.nhs.uk"),
            ..AffiliationChange::default()
        };
        let record = Record {
            id: south,
            name: "South",
        };
        let moved = change.apply(member_of(north), None, Some(record));
        assert_eq!(moved.organisation_id, Some(south));
        assert_eq!(moved.organisation.as_deref(), Some("South"));
        let nowhere = change.apply(member_of(north), None, None);
        assert_eq!(nowhere.organisation_id, None);
        assert_eq!(nowhere.organisation.as_deref(), Some(NORTH), "stays, typed");
        assert_eq!(membership(&nowhere, None), Some(Membership::SelfDeclared));
    }

    #[test]
    fn the_same_address_changes_nothing() {
        let north = Uuid::new_v4();
        let change = AffiliationChange {
            email: email(" ADA@north.nhs.uk "),
            ..AffiliationChange::default()
        };
        assert_eq!(change.address_domain(&member_of(north)), None);
        assert_eq!(change.apply(member_of(north), None, None), member_of(north));
    }

    #[test]
    fn a_signed_on_member_keeps_the_provider_proven_organisation() {
        let north = Uuid::new_v4();
        let signed_on = Affiliation {
            email: "ada@nhs.net".into(),
            email_confirmed: false,
            ..member_of(north)
        };
        let new_address = AffiliationChange {
            email: email("ada.w@nhs.net"),
            ..AffiliationChange::default()
        };
        let next = new_address.apply(signed_on.clone(), Some(north), None);
        assert_eq!(next.organisation_id, Some(north));
        assert_eq!(membership(&next, Some(north)), Some(Membership::Verified));

        let away = AffiliationChange {
            organisation: Some(Some("Elsewhere".into())),
            ..AffiliationChange::default()
        };
        let moved = away.apply(signed_on, Some(north), None);
        assert_eq!(moved.organisation_id, None);
        assert_eq!(
            membership(&moved, Some(north)),
            Some(Membership::SelfDeclared)
        );
    }

    #[test]
    fn only_the_records_own_name_keeps_the_record() {
        let north = Uuid::new_v4();
        let same = AffiliationChange {
            organisation: Some(Some("north hospitals".into())),
            ..AffiliationChange::default()
        };
        assert_eq!(same.apply(member_of(north), None, None), member_of(north));
        let other = AffiliationChange {
            organisation: Some(Some("North Trust".into())),
            ..AffiliationChange::default()
        };
        let record = Record {
            id: north,
            name: NORTH,
        };
        let typed = other.apply(member_of(north), None, Some(record));
        assert_eq!(typed.organisation.as_deref(), Some("North Trust"));
        assert_eq!(typed.organisation_id, None);
        assert!(typed.email_confirmed, "the address stays confirmed");
        assert_eq!(membership(&typed, None), Some(Membership::SelfDeclared));
        assert_eq!(
            same.apply(typed, None, Some(record)),
            member_of(north),
            "typing the record's name again names it again"
        );
        let removed = AffiliationChange {
            organisation: Some(None),
            ..AffiliationChange::default()
        };
        assert_eq!(
            removed.address_domain(&member_of(north)),
            Some("north.nhs.uk")
        );
        let none = removed.apply(member_of(north), None, Some(record));
        assert_eq!((none.organisation, none.organisation_id), (None, None));
    }

    #[test]
    fn a_new_address_and_the_new_records_name_together_keep_that_record() {
        let (north, south) = (Uuid::new_v4(), Uuid::new_v4());
        let change = AffiliationChange {
            email: email("ada@south.nhs.uk"),
            organisation: Some(Some("South".into())),
        };
        let record = Record {
            id: south,
            name: "South",
        };
        let next = change.apply(member_of(north), None, Some(record));
        assert_eq!(next.organisation_id, Some(south));
    }
}
