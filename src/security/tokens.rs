//! Access tokens are short-lived EdDSA JWTs; refresh tokens are opaque random
//! strings of which only a SHA-256 hash is stored.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::account::Role;

const ISSUER: &str = "tessera";

/// What an access token proves about its bearer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: Uuid,
    pub roles: Vec<Role>,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

impl Claims {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The audience of confirmation links, so one can never pass as an access
/// token (access tokens carry no audience and are refused with one) and an
/// access token never confirms an address.
const CONFIRMATION_AUDIENCE: &str = "tessera:email-confirmation";

/// What an email confirmation link proves: the holder received mail at
/// `email` for the account `sub`, and `nonce` is the link's single use.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConfirmationClaims {
    pub sub: Uuid,
    pub email: String,
    pub nonce: String,
    pub aud: String,
    pub exp: i64,
    pub iss: String,
}

/// Why a confirmation link was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfirmationError {
    Expired,
    Invalid,
}

/// Issues and checks access tokens with the service's signing key.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    key_id: String,
    access_ttl: Duration,
    validation: Validation,
    confirmation: Validation,
}

impl TokenService {
    pub fn new(key: &SigningKey, access_ttl: Duration) -> anyhow::Result<Self> {
        let der = key
            .to_pkcs8_der()
            .map_err(|err| anyhow::anyhow!("encoding the signing key failed: {err}"))?;
        // Only EdDSA is accepted, so `alg: none` and HMAC-confusion tokens fail.
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        let mut confirmation = validation.clone();
        confirmation.set_audience(&[CONFIRMATION_AUDIENCE]);
        confirmation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        Ok(Self {
            confirmation,
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            decoding: DecodingKey::from_ed_der(key.verifying_key().as_bytes()),
            key_id: super::keys::key_id(&key.verifying_key()),
            access_ttl,
            validation,
        })
    }

    /// Signs an access token for the account; returns it with its lifetime in seconds.
    pub fn issue(
        &self,
        account_id: Uuid,
        roles: &[Role],
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, u64)> {
        let ttl = self.access_ttl.as_secs();
        let claims = Claims {
            sub: account_id,
            roles: roles.to_vec(),
            iat: now.timestamp(),
            exp: now.timestamp() + ttl as i64,
            iss: ISSUER.to_owned(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key_id.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)?;
        Ok((token, ttl))
    }

    /// A signed link token confirming `email` for the account, usable once
    /// (the store keeps `nonce` until it is used) until `now + ttl`.
    pub fn issue_confirmation(
        &self,
        account_id: Uuid,
        email: &str,
        nonce: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> anyhow::Result<String> {
        let claims = ConfirmationClaims {
            sub: account_id,
            email: email.to_owned(),
            nonce: nonce.to_owned(),
            aud: CONFIRMATION_AUDIENCE.to_owned(),
            exp: now.timestamp() + ttl.as_secs() as i64,
            iss: ISSUER.to_owned(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key_id.clone());
        Ok(jsonwebtoken::encode(&header, &claims, &self.encoding)?)
    }

    /// The claims of a genuine confirmation link, or why it is refused.
    pub fn verify_confirmation(
        &self,
        token: &str,
    ) -> Result<ConfirmationClaims, ConfirmationError> {
        use jsonwebtoken::errors::ErrorKind;
        jsonwebtoken::decode::<ConfirmationClaims>(token, &self.decoding, &self.confirmation)
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => ConfirmationError::Expired,
                _ => ConfirmationError::Invalid,
            })
    }

    /// The claims of a genuine, unexpired token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A new opaque refresh token: 32 random bytes, base64url.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// How a refresh token is stored: a database leak must not yield usable tokens.
pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> TokenService {
        TokenService::new(
            &SigningKey::from_bytes(&[3u8; 32]),
            Duration::from_secs(900),
        )
        .unwrap()
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let id = Uuid::new_v4();
        let (token, ttl) = service()
            .issue(id, &[Role::Contributor], Utc::now())
            .unwrap();
        assert_eq!(ttl, 900);
        let claims = service().verify(&token).unwrap();
        assert_eq!(claims.sub, id);
        assert_eq!(claims.roles, vec![Role::Contributor]);
    }

    #[test]
    fn confirmation_links_and_access_tokens_never_pass_for_each_other() {
        let id = Uuid::new_v4();
        let ttl = Duration::from_secs(3600);
        let link = service()
            .issue_confirmation(id, "ada@north.nhs.uk", "n1", Utc::now(), ttl)
            .unwrap();
        let claims = service().verify_confirmation(&link).unwrap();
        assert_eq!((claims.sub, claims.nonce.as_str()), (id, "n1"));
        assert!(service().verify(&link).is_none());
        let (access, _) = service()
            .issue(id, &[Role::Contributor], Utc::now())
            .unwrap();
        assert_eq!(
            service().verify_confirmation(&access),
            Err(ConfirmationError::Invalid)
        );
    }

    #[test]
    fn an_expired_confirmation_link_says_so() {
        let past = Utc::now() - chrono::Duration::hours(3);
        let link = service()
            .issue_confirmation(
                Uuid::new_v4(),
                "a@b.uk",
                "n",
                past,
                Duration::from_secs(3600),
            )
            .unwrap();
        assert_eq!(
            service().verify_confirmation(&link),
            Err(ConfirmationError::Expired)
        );
        let mut forged = link.clone();
        forged.pop();
        assert_ne!(
            service().verify_confirmation(&forged),
            Err(ConfirmationError::Expired)
        );
    }

    #[test]
    fn an_expired_token_is_rejected() {
        let past = Utc::now() - chrono::Duration::hours(1);
        let (token, _) = service().issue(Uuid::new_v4(), &[], past).unwrap();
        assert!(service().verify(&token).is_none());
    }

    #[test]
    fn a_token_signed_by_another_key_is_rejected() {
        let other = TokenService::new(
            &SigningKey::from_bytes(&[4u8; 32]),
            Duration::from_secs(900),
        )
        .unwrap();
        let (token, _) = other.issue(Uuid::new_v4(), &[], Utc::now()).unwrap();
        assert!(service().verify(&token).is_none());
    }

    #[test]
    fn refresh_tokens_are_unique_and_hash_stably() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a), hash_refresh_token(&a));
        assert_ne!(hash_refresh_token(&a), hash_refresh_token(&b));
    }
}
