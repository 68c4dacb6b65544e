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

/// Issues and checks access tokens with the service's signing key.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    key_id: String,
    access_ttl: Duration,
    validation: Validation,
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
        Ok(Self {
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
