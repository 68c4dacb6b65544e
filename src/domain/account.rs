//! Accounts: the values a person gives us when they register, parsed once.

use serde::{Deserialize, Serialize};

pub use super::field_error::FieldError;

/// A lower-cased email address with one `@` and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(char::is_whitespace);
        if valid {
            Ok(Self(email))
        } else {
            Err(FieldError::new(
                "email",
                "must be an email address such as name@nhs.net",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password long enough to resist guessing; only its hash is ever stored.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(FieldError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > 256 {
            return Err(FieldError::new(
                "password",
                "must be at most 256 characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A trimmed, non-empty piece of text with a maximum length.
pub fn bounded_text(field: &str, raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if text.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// The NHS staff group a contributor belongs to, used for engagement reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum StaffGroup {
    NursingAndMidwifery,
    MedicalAndDental,
    AlliedHealthProfessions,
    HealthcareScience,
    Pharmacy,
    AdministrativeAndClerical,
    EstatesAndAncillary,
    Management,
    Other,
}

/// What an account may do. Everyone is a contributor; admins grant the rest.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    poem_openapi::Enum,
)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Role {
    Contributor,
    Researcher,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Researcher => "researcher",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Role::Contributor, Role::Researcher, Role::Admin]
            .into_iter()
            .find(|role| role.as_str() == raw)
    }
}

/// A role set that always includes contributor, sorted and without repeats.
pub fn normalise_roles(roles: impl IntoIterator<Item = Role>) -> Vec<Role> {
    let mut roles: Vec<Role> = roles.into_iter().chain([Role::Contributor]).collect();
    roles.sort();
    roles.dedup();
    roles
}

/// Everything needed to create an account, already validated.
pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub display_name: String,
    pub staff_group: StaffGroup,
    pub organisation: Option<String>,
    pub registration_number: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@NHS.net ").unwrap().as_str(),
            "ada@nhs.net"
        );
    }

    #[test]
    fn emails_without_a_dotted_domain_are_rejected() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@nhs.net",
            "ada@nhs",
            "a b@nhs.net",
            "a@b@nhs.net",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().field, "email", "{bad}");
        }
    }

    #[test]
    fn short_passwords_are_rejected() {
        assert!(Password::parse("123456789").is_err());
        assert!(Password::parse("1234567890").is_ok());
    }

    #[test]
    fn roles_always_include_contributor_once() {
        assert_eq!(
            normalise_roles([Role::Admin, Role::Contributor, Role::Admin]),
            vec![Role::Contributor, Role::Admin]
        );
    }

    #[test]
    fn bounded_text_rejects_blank_and_overlong_values() {
        assert!(bounded_text("name", "   ", 5).is_err());
        assert!(bounded_text("name", "abcdef", 5).is_err());
        assert_eq!(bounded_text("name", " Ada ", 5).unwrap(), "Ada");
    }
}
