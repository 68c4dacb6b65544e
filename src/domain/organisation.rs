//! Organisations as records: a trust's name, its NHS ODS code, the email
//! domains that prove a person works there and, optionally, its single
//! sign-on. A person's membership is verified once they confirm an address
//! at one of those domains or sign in through its provider; anything else
//! they type at registration is self-declared. Until then, the record's
//! policy for unconfirmed accounts (`practice`) says what they may work on.

use uuid::Uuid;

use super::field_error::FieldError;
use super::practice::UnconfirmedAccounts;
use super::sign_on::SignOn;

/// Most email domains one organisation may list.
pub const MAX_DOMAINS: usize = 20;

/// Domains every NHS organisation shares: an address there proves
/// employment somewhere in the NHS, never at one trust.
const SHARED_DOMAINS: &[&str] = &["nhs.net", "nhs.uk", "nhs.scot", "wales.nhs.uk"];

/// An organisation as an administrator recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    /// The NHS Organisation Data Service code, e.g. `RJ1`.
    pub ods_code: Option<String>,
    /// Lower-cased domains; an address at any of them proves membership.
    pub email_domains: Vec<String>,
    /// Its OpenID Connect provider, when staff may sign in through it.
    pub sign_on: Option<SignOn>,
    /// What accounts at its domains may do before confirming their address.
    pub unconfirmed_accounts: UnconfirmedAccounts,
}

/// What an administrator sent, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationFields {
    pub name: String,
    pub ods_code: Option<String>,
    pub email_domains: Vec<String>,
    pub sign_on: Option<SignOn>,
    pub unconfirmed_accounts: UnconfirmedAccounts,
}

impl OrganisationFields {
    /// Checks every field and reports every problem at once.
    pub fn parse(
        name: &str,
        ods_code: Option<&str>,
        email_domains: &[String],
    ) -> Result<Self, Vec<FieldError>> {
        let name = super::account::bounded_text("name", name, 200);
        let ods_code = ods_code
            .filter(|code| !code.trim().is_empty())
            .map(parse_ods_code)
            .transpose();
        let domains = parse_domains(email_domains);
        match (name, ods_code, domains) {
            (Ok(name), Ok(ods_code), Ok(email_domains)) => Ok(Self {
                name,
                ods_code,
                email_domains,
                sign_on: None,
                unconfirmed_accounts: UnconfirmedAccounts::default(),
            }),
            (name, code, domains) => Err([name.err(), code.err()]
                .into_iter()
                .flatten()
                .chain(domains.err().unwrap_or_default())
                .collect()),
        }
    }

    pub fn with_sign_on(self, sign_on: Option<SignOn>) -> Self {
        Self { sign_on, ..self }
    }

    pub fn with_unconfirmed_accounts(self, unconfirmed_accounts: UnconfirmedAccounts) -> Self {
        Self {
            unconfirmed_accounts,
            ..self
        }
    }

    pub fn into_record(self, id: Uuid) -> Organisation {
        Organisation {
            id,
            name: self.name,
            ods_code: self.ods_code,
            email_domains: self.email_domains,
            sign_on: self.sign_on,
            unconfirmed_accounts: self.unconfirmed_accounts,
        }
    }
}

/// An ODS code: 3 to 6 letters and digits (a trust's is 3, e.g. `RJ1`; its
/// sites' are 5), stored upper-case.
pub fn parse_ods_code(raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_ascii_uppercase();
    if (3..=6).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(code)
    } else {
        Err(FieldError::new(
            "ods_code",
            "must be an NHS ODS code of 3 to 6 letters and digits, such as RJ1",
        ))
    }
}

/// Email domains, lower-cased and each named once. A shared NHS domain
/// (nhs.net and the like) is refused: it cannot prove membership of one
/// organisation.
pub fn parse_domains(raw: &[String]) -> Result<Vec<String>, Vec<FieldError>> {
    if raw.len() > MAX_DOMAINS {
        return Err(vec![FieldError::new(
            "email_domains",
            format!("name at most {MAX_DOMAINS} domains"),
        )]);
    }
    let mut domains: Vec<String> = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    for (index, text) in raw.iter().enumerate() {
        let domain = text.trim().trim_start_matches('@').to_ascii_lowercase();
        let field = format!("email_domains[{index}]");
        if !is_hostname(&domain) {
            errors.push(FieldError::new(
                field,
                "must be a domain such as gstt.nhs.uk (no @, no spaces)",
            ));
        } else if SHARED_DOMAINS.contains(&domain.as_str()) {
            errors.push(FieldError::new(
                field,
                "is shared by every NHS organisation, so it cannot prove membership of this one",
            ));
        } else if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if errors.is_empty() {
        Ok(domains)
    } else {
        Err(errors)
    }
}

fn is_hostname(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// The domain of an already parsed (lower-cased) email address.
pub fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, domain)| domain)
}

/// How far a person's organisation is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum Membership {
    /// A confirmed email address at one of the organisation's domains, or
    /// a sign-in through its provider.
    Verified,
    /// Typed at registration, or not yet confirmed by email.
    SelfDeclared,
}

impl Membership {
    /// Verified only with a confirmed address that matched an organisation's
    /// record, or a sign-in through that organisation's own provider; a
    /// name alone is self-declared; no name is no membership.
    pub fn of(
        organisation: Option<&str>,
        organisation_id: Option<Uuid>,
        email_confirmed: bool,
        signed_in_through: Option<Uuid>,
    ) -> Option<Self> {
        match organisation_id {
            Some(_) if email_confirmed || signed_in_through == organisation_id => {
                Some(Self::Verified)
            }
            _ => organisation.map(|_| Self::SelfDeclared),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::SelfDeclared => "self-declared",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|text| (*text).to_owned()).collect()
    }

    #[test]
    fn domains_are_lower_cased_and_named_once() {
        let parsed = parse_domains(&domains(&[" GSTT.nhs.uk", "@gstt.nhs.uk", "kcl.ac.uk"]));
        assert_eq!(parsed.unwrap(), vec!["gstt.nhs.uk", "kcl.ac.uk"]);
    }

    #[test]
    fn shared_and_malformed_domains_are_refused_by_position() {
        let errors =
            parse_domains(&domains(&["nhs.net", "ok.nhs.uk", "no spaces.uk", "x"])).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["email_domains[0]", "email_domains[2]", "email_domains[3]"]
        );
    }

    #[test]
    fn ods_codes_are_short_alphanumeric_and_upper_cased() {
        assert_eq!(parse_ods_code(" rj1 ").unwrap(), "RJ1");
        assert_eq!(parse_ods_code("RJ122").unwrap(), "RJ122");
        for bad in ["R1", "RJ1-2", "ABCDEFG", ""] {
            assert!(parse_ods_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_field_error_is_reported_together() {
        let errors = OrganisationFields::parse(" ", Some("?"), &domains(&["nhs.net"])).unwrap_err();
        assert_eq!(errors.len(), 3);
    }

    #[test]
    fn membership_is_verified_only_by_a_confirmed_matching_address() {
        let org = Some(Uuid::new_v4());
        assert_eq!(
            Membership::of(Some("North"), org, true, None),
            Some(Membership::Verified)
        );
        assert_eq!(
            Membership::of(Some("North"), org, false, None),
            Some(Membership::SelfDeclared)
        );
        assert_eq!(
            Membership::of(Some("North"), None, true, None),
            Some(Membership::SelfDeclared)
        );
        assert_eq!(Membership::of(None, None, true, None), None);
    }

    #[test]
    fn membership_is_verified_by_signing_in_through_that_organisation_only() {
        let (north, south) = (Some(Uuid::new_v4()), Some(Uuid::new_v4()));
        assert_eq!(
            Membership::of(Some("North"), north, false, north),
            Some(Membership::Verified)
        );
        assert_eq!(
            Membership::of(Some("North"), north, false, south),
            Some(Membership::SelfDeclared)
        );
    }

    #[test]
    fn the_domain_is_what_follows_the_last_at() {
        assert_eq!(domain_of("ada@gstt.nhs.uk"), "gstt.nhs.uk");
        assert_eq!(domain_of("nobody"), "");
    }
}
