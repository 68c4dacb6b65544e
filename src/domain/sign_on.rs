//! Single sign-on through an organisation's OpenID Connect provider: what
//! an administrator records for it, and which account a signed-in person
//! is. Signing in through an organisation's provider proves membership of
//! it, as a confirmed address at one of its domains does.

use url::Url;
use uuid::Uuid;

use super::account::{Email, bounded_text};
use super::field_error::FieldError;

/// An organisation's provider, as registered with it: the issuer (whose
/// `/.well-known/openid-configuration` describes it) and Tessera's client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOn {
    /// Exactly as the provider writes it in the `iss` claim.
    pub issuer: String,
    pub client_id: String,
    /// Absent for a public client (PKCE alone); never shown back.
    pub client_secret: Option<String>,
}

impl SignOn {
    /// Checks an administrator's settings, reporting every problem at once.
    /// The issuer must be https; plain http only on this machine's loopback,
    /// where a test or a developer runs a provider.
    pub fn parse(
        issuer: &str,
        client_id: &str,
        client_secret: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let issuer = parse_issuer(issuer.trim());
        let client_id = bounded_text("sign_on.client_id", client_id, 200);
        let client_secret = client_secret
            .filter(|secret| !secret.trim().is_empty())
            .map(|secret| bounded_text("sign_on.client_secret", secret, 500))
            .transpose();
        match (issuer, client_id, client_secret) {
            (Ok(issuer), Ok(client_id), Ok(client_secret)) => Ok(Self {
                issuer,
                client_id,
                client_secret,
            }),
            (issuer, id, secret) => Err([issuer.err(), id.err(), secret.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

fn parse_issuer(raw: &str) -> Result<String, FieldError> {
    let problem = |message: &str| FieldError::new("sign_on.issuer", message);
    let url = Url::parse(raw).map_err(|_| {
        problem("must be the provider's issuer URL, such as https://login.example.nhs.uk")
    })?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(problem("must be an https address"));
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(problem("must have no query, fragment or user name"));
    }
    Ok(raw.to_owned())
}

/// Who the provider says signed in, from an id token whose signature,
/// issuer, audience, nonce and expiry were all checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The provider's `sub`: stable for this person and this client.
    pub subject: String,
    pub email: Email,
    /// The provider vouches for the address (`email_verified`).
    pub email_verified: bool,
    pub name: Option<String>,
}

impl Identity {
    /// The name a new account starts with: the provider's, else the part
    /// of the address before the `@`. The person can change it later.
    pub fn display_name(&self) -> String {
        self.name
            .as_deref()
            .and_then(|name| bounded_text("display_name", name, 100).ok())
            .unwrap_or_else(|| {
                let local = self.email.as_str().split('@').next().unwrap_or_default();
                local.chars().take(100).collect()
            })
    }
}

/// An account with the same address as the one signing in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SameEmail<'a> {
    pub account_id: Uuid,
    /// The subject it is already linked to at this organisation, if any.
    pub linked_subject: Option<&'a str>,
}

/// Which account a sign-in is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The account already linked to this subject.
    Known(Uuid),
    /// An account with the provider's verified address, linked from now on.
    ByEmail(Uuid),
    /// Nobody yet: a new account.
    New,
}

/// Why a sign-in cannot be tied to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "An account already uses this email address, and the provider has not verified it, so \
         it cannot be linked. Sign in with your password instead."
    )]
    EmailNotVerified,
    #[error(
        "The account with this email address is linked to another person at this \
         organisation's sign-in."
    )]
    LinkedToSomeoneElse,
}

/// The account a sign-in belongs to. The subject decides first, so a
/// person whose address changes at the provider keeps their account. Only
/// an address the provider verified may claim an existing account, so a
/// provider that lets people type any address cannot take over one.
pub fn link(
    by_subject: Option<Uuid>,
    same_email: Option<SameEmail<'_>>,
    identity: &Identity,
) -> Result<Link, Refusal> {
    if let Some(known) = by_subject {
        return Ok(Link::Known(known));
    }
    match same_email {
        None => Ok(Link::New),
        Some(found) if found.linked_subject.is_some_and(|s| s != identity.subject) => {
            Err(Refusal::LinkedToSomeoneElse)
        }
        Some(_) if !identity.email_verified => Err(Refusal::EmailNotVerified),
        Some(found) => Ok(Link::ByEmail(found.account_id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(verified: bool) -> Identity {
        Identity {
            subject: "sub-1".into(),
            email: Email::parse("ada@north.nhs.uk").unwrap(),
            email_verified: verified,
            name: None,
        }
    }

    #[test]
    fn the_subject_decides_before_the_address() {
        let known = Uuid::new_v4();
        let other = SameEmail {
            account_id: Uuid::new_v4(),
            linked_subject: None,
        };
        assert_eq!(
            link(Some(known), Some(other), &identity(false)),
            Ok(Link::Known(known))
        );
    }

    #[test]
    fn only_a_verified_address_claims_an_existing_account() {
        let account_id = Uuid::new_v4();
        let same = SameEmail {
            account_id,
            linked_subject: None,
        };
        assert_eq!(
            link(None, Some(same), &identity(true)),
            Ok(Link::ByEmail(account_id))
        );
        assert_eq!(
            link(None, Some(same), &identity(false)),
            Err(Refusal::EmailNotVerified)
        );
    }

    #[test]
    fn an_account_linked_to_another_subject_is_not_taken_over() {
        let same = SameEmail {
            account_id: Uuid::new_v4(),
            linked_subject: Some("sub-2"),
        };
        assert_eq!(
            link(None, Some(same), &identity(true)),
            Err(Refusal::LinkedToSomeoneElse)
        );
    }

    #[test]
    fn nobody_with_the_address_is_a_new_account() {
        assert_eq!(link(None, None, &identity(false)), Ok(Link::New));
    }

    #[test]
    fn a_new_account_is_named_by_the_provider_or_the_address() {
        let mut person = identity(true);
        assert_eq!(person.display_name(), "ada");
        person.name = Some("  Ada Lovelace ".into());
        assert_eq!(person.display_name(), "Ada Lovelace");
    }

    #[test]
    fn issuers_are_https_or_loopback_http() {
        assert!(SignOn::parse("https://login.north.nhs.uk/tenant/v2.0", "c", None).is_ok());
        assert!(SignOn::parse("http://127.0.0.1:4000", "c", Some("s")).is_ok());
        for bad in [
            "http://login.north.nhs.uk",
            "ftp://x.uk",
            "https://x.uk/?a=1",
            "not a url",
        ] {
            let errors = SignOn::parse(bad, "c", None).unwrap_err();
            assert_eq!(errors[0].field, "sign_on.issuer", "{bad}");
        }
    }

    #[test]
    fn every_sign_on_problem_is_reported_together() {
        let errors = SignOn::parse("http://x.uk", " ", Some(&"s".repeat(501))).unwrap_err();
        assert_eq!(errors.len(), 3);
    }
}
