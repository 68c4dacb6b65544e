//! The keys certificates are signed with, kept apart from the token key so
//! that rotating either never voids a certificate already issued.
//!
//! - The **current** key (`TESSERA_CERTIFICATE_KEY`, by default
//!   `<data dir>/certificate.key`, 32-byte seed as hex) signs new
//!   certificates; it is generated at first start.
//! - **Retired** keys are public keys only, one file `<key id>.pub` (the
//!   32 bytes as base64) each in `TESSERA_RETIRED_CERTIFICATE_KEYS` (by
//!   default `<data dir>/retired-certificate-keys`). Certificates signed with
//!   them still verify, years later; nothing can be signed with them.
//! - `tessera certificate-key rotate` retires the current key and makes a
//!   new one; a running server picks the change up when it restarts.
//! - `tessera certificate-key compromised --key-id ID --since DATE` marks a
//!   retired key as compromised from that date (`<key id>.compromised`, JSON,
//!   beside its `.pub`): the key list says so, and a credential it signed is
//!   only believed when Tessera's own record of that certificate vouches
//!   for it (see `domain::certificate::compromise`).
//!
//! Earlier versions signed certificates with the token key. When the
//! certificate key is first created on a store that already holds data,
//! the token key's public half is retired, so those certificates still
//! verify and the token key can then be rotated freely.

use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::{SigningKey, VerifyingKey};

use super::keys::{self, key_id};
use crate::domain::certificate::compromise::Compromise;

/// The current signing key and every retired public key.
pub struct CertificateKeys {
    current: SigningKey,
    current_id: String,
    retired: Vec<(String, VerifyingKey)>,
    compromised: Vec<(String, Compromise)>,
}

/// Why a VC-JWT was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtRefusal {
    /// Not a compact JWS signed with EdDSA.
    Malformed,
    /// Its `kid` names no key Tessera ever signed with.
    UnknownKey,
    /// The signature does not match the content (it was altered).
    BadSignature,
}

/// Where the keys live.
#[derive(Debug, Clone)]
pub struct KeyPaths {
    pub current: PathBuf,
    pub retired: PathBuf,
}

impl CertificateKeys {
    /// Loads the keys, creating the current one if there is none. `legacy`
    /// is retired when the current key is created (see the module docs).
    pub fn open(paths: &KeyPaths, legacy: Option<&VerifyingKey>) -> anyhow::Result<Self> {
        let created = !paths.current.exists();
        let current = keys::load_or_generate(&paths.current)?;
        if created && let Some(legacy) = legacy {
            retire(&paths.retired, legacy)?;
            tracing::info!(key_id = %key_id(legacy), "the token key's public half now verifies earlier certificates");
        }
        let retired = read_retired(&paths.retired)?;
        let compromised = read_compromised(&paths.retired, &retired)?;
        Ok(Self {
            current_id: key_id(&current.verifying_key()),
            current,
            retired,
            compromised,
        })
    }

    /// The key new certificates are signed with, and its id.
    pub fn signer(&self) -> (&SigningKey, &str) {
        (&self.current, &self.current_id)
    }

    /// Signs `claims` as a compact JWS (EdDSA) under the current key, named
    /// by `kid`: the proof of an Open Badges 3.0 VC-JWT.
    pub fn sign_jwt(&self, claims: &serde_json::Value) -> anyhow::Result<String> {
        let der = self
            .current
            .to_pkcs8_der()
            .map_err(|err| anyhow::anyhow!("encoding the certificate key failed: {err}"))?;
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some(self.current_id.clone());
        header.typ = Some("JWT".to_owned());
        let key = jsonwebtoken::EncodingKey::from_ed_der(der.as_bytes());
        Ok(jsonwebtoken::encode(&header, claims, &key)?)
    }

    /// Checks a VC-JWT (a credential's proof) against the key its `kid`
    /// names, current or retired: that key's id and the claims, when the
    /// signature holds.
    pub fn verify_jwt(&self, jwt: &str) -> Result<(String, serde_json::Value), JwtRefusal> {
        let header = jsonwebtoken::decode_header(jwt).map_err(|_| JwtRefusal::Malformed)?;
        if header.alg != jsonwebtoken::Algorithm::EdDSA {
            return Err(JwtRefusal::Malformed);
        }
        let kid = header.kid.ok_or(JwtRefusal::UnknownKey)?;
        let key = self.lookup(&kid).ok_or(JwtRefusal::UnknownKey)?;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
        // A credential does not expire; `nbf` is its issue time.
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = true;
        let decoding = jsonwebtoken::DecodingKey::from_ed_der(key.as_bytes());
        jsonwebtoken::decode::<serde_json::Value>(jwt, &decoding, &validation)
            .map(|data| (kid, data.claims))
            .map_err(|_| JwtRefusal::BadSignature)
    }

    /// The public key with this id, current or retired.
    pub fn lookup(&self, id: &str) -> Option<VerifyingKey> {
        if id == self.current_id {
            return Some(self.current.verifying_key());
        }
        self.retired
            .iter()
            .find(|(retired, _)| retired == id)
            .map(|(_, key)| *key)
    }

    /// When and why the key with this id was reported compromised, if it was.
    pub fn compromise(&self, id: &str) -> Option<&Compromise> {
        self.compromised
            .iter()
            .find(|(key, _)| key == id)
            .map(|(_, compromise)| compromise)
    }

    /// Every public key with its id, the current one first and marked so.
    pub fn public_keys(&self) -> Vec<(String, VerifyingKey, bool)> {
        let mut all = vec![(self.current_id.clone(), self.current.verifying_key(), true)];
        all.extend(
            self.retired
                .iter()
                .map(|(id, key)| (id.clone(), *key, false)),
        );
        all
    }
}

/// Retires the current key and creates a new one; returns both ids.
pub fn rotate(paths: &KeyPaths) -> anyhow::Result<(String, String)> {
    let old = keys::load_or_generate(&paths.current)?.verifying_key();
    retire(&paths.retired, &old)?;
    let replaced = paths.current.with_extension("key.retired");
    std::fs::rename(&paths.current, &replaced)
        .with_context(|| format!("moving {} aside", paths.current.display()))?;
    let new = keys::load_or_generate(&paths.current)?.verifying_key();
    std::fs::remove_file(&replaced)
        .with_context(|| format!("removing the retired seed {}", replaced.display()))?;
    Ok((key_id(&old), key_id(&new)))
}

/// Marks a retired key as compromised from `compromise.since`. The current
/// key cannot be: rotate first, so nothing new is signed with it.
pub fn mark_compromised(paths: &KeyPaths, id: &str, compromise: &Compromise) -> anyhow::Result<()> {
    let current = keys::load_or_generate(&paths.current)?.verifying_key();
    anyhow::ensure!(
        key_id(&current) != id,
        "{id} is the current key: run `tessera certificate-key rotate` first, then mark it"
    );
    let retired = read_retired(&paths.retired)?;
    anyhow::ensure!(
        retired.iter().any(|(known, _)| known == id),
        "{id} is not a retired certificate key (see GET /v1/certificates/public-key)"
    );
    let path = paths.retired.join(format!("{id}.compromised"));
    std::fs::write(&path, serde_json::to_vec_pretty(compromise)?)
        .with_context(|| format!("writing {}", path.display()))
}

/// The `<key id>.compromised` files; one naming no retired key, or not
/// readable, stops the start rather than leaving a forged key trusted.
fn read_compromised(
    dir: &Path,
    retired: &[(String, VerifyingKey)],
) -> anyhow::Result<Vec<(String, Compromise)>> {
    let mut found = Vec::new();
    for (id, _) in retired {
        let path = dir.join(format!("{id}.compromised"));
        match std::fs::read(&path) {
            Ok(bytes) => found.push((
                id.clone(),
                serde_json::from_slice(&bytes)
                    .with_context(|| format!("{} is not a compromise record", path.display()))?,
            )),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        }
    }
    Ok(found)
}

/// Writes `key`'s public half into the retired directory (once).
fn retire(dir: &Path, key: &VerifyingKey) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{}.pub", key_id(key)));
    if !path.exists() {
        std::fs::write(&path, BASE64.encode(key.as_bytes()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Every `*.pub` file of the directory; a file that is not a public key
/// whose id matches its name stops the start, rather than silently making
/// certificates fail to verify.
fn read_retired(dir: &Path) -> anyhow::Result<Vec<(String, VerifyingKey)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err).with_context(|| format!("reading {}", dir.display())),
    };
    let mut retired = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".pub"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let bytes: [u8; 32] = BASE64
            .decode(text.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .with_context(|| {
                format!(
                    "{} must hold a 32-byte public key as base64",
                    path.display()
                )
            })?;
        let key = VerifyingKey::from_bytes(&bytes)
            .with_context(|| format!("{} is not an Ed25519 public key", path.display()))?;
        anyhow::ensure!(
            key_id(&key) == name,
            "{} holds the key {}, not {name}",
            path.display(),
            key_id(&key)
        );
        retired.push((name.to_owned(), key));
    }
    retired.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(retired)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &Path) -> KeyPaths {
        KeyPaths {
            current: dir.join("certificate.key"),
            retired: dir.join("retired"),
        }
    }

    #[test]
    fn a_rotated_key_still_verifies_and_the_new_one_signs() {
        let dir = tempfile::tempdir().unwrap();
        let before = CertificateKeys::open(&paths(dir.path()), None).unwrap();
        let (_, old_id) = before.signer();
        let old_id = old_id.to_owned();
        let (retired_id, new_id) = rotate(&paths(dir.path())).unwrap();
        assert_eq!(retired_id, old_id);
        assert_ne!(new_id, old_id);
        let after = CertificateKeys::open(&paths(dir.path()), None).unwrap();
        assert_eq!(after.signer().1, new_id);
        assert_eq!(after.lookup(&old_id), before.lookup(&old_id));
        assert!(after.lookup("0000000000000000").is_none());
        let listed: Vec<bool> = after.public_keys().iter().map(|k| k.2).collect();
        assert_eq!(listed, [true, false]);
    }

    #[test]
    fn the_token_key_is_retired_only_when_the_certificate_key_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = SigningKey::from_bytes(&[9; 32]).verifying_key();
        let keys = CertificateKeys::open(&paths(dir.path()), Some(&legacy)).unwrap();
        assert_eq!(keys.lookup(&key_id(&legacy)), Some(legacy));
        assert_ne!(keys.signer().1, key_id(&legacy));

        let other = tempfile::tempdir().unwrap();
        CertificateKeys::open(&paths(other.path()), None).unwrap();
        let later = CertificateKeys::open(&paths(other.path()), Some(&legacy)).unwrap();
        assert!(
            later.lookup(&key_id(&legacy)).is_none(),
            "an existing key is never joined by the token key"
        );
    }

    #[test]
    fn a_credential_verifies_under_a_retired_key_and_fails_when_altered() {
        let dir = tempfile::tempdir().unwrap();
        let before = CertificateKeys::open(&paths(dir.path()), None).unwrap();
        let jwt = before
            .sign_jwt(&serde_json::json!({"jti": "urn:uuid:1", "nbf": 1}))
            .unwrap();
        rotate(&paths(dir.path())).unwrap();
        let after = CertificateKeys::open(&paths(dir.path()), None).unwrap();
        assert_eq!(after.verify_jwt(&jwt).unwrap().1["jti"], "urn:uuid:1");

        let mut parts: Vec<&str> = jwt.split('.').collect();
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"jti":"urn:uuid:2","nbf":1}"#);
        parts[1] = &forged;
        assert_eq!(
            after.verify_jwt(&parts.join(".")),
            Err(JwtRefusal::BadSignature)
        );
        let stranger =
            CertificateKeys::open(&paths(tempfile::tempdir().unwrap().path()), None).unwrap();
        assert_eq!(stranger.verify_jwt(&jwt), Err(JwtRefusal::UnknownKey));
        assert_eq!(after.verify_jwt("not a jwt"), Err(JwtRefusal::Malformed));
    }

    #[test]
    fn only_a_retired_key_can_be_marked_compromised() {
        let dir = tempfile::tempdir().unwrap();
        let first = CertificateKeys::open(&paths(dir.path()), None).unwrap();
        let old = first.signer().1.to_owned();
        let compromise = Compromise {
            since: chrono::Utc::now(),
            reason: "the laptop holding it was stolen".into(),
        };
        let refused = mark_compromised(&paths(dir.path()), &old, &compromise).unwrap_err();
        assert!(refused.to_string().contains("rotate"), "{refused}");
        rotate(&paths(dir.path())).unwrap();
        mark_compromised(&paths(dir.path()), &old, &compromise).unwrap();
        assert!(mark_compromised(&paths(dir.path()), "0000000000000000", &compromise).is_err());
        let keys = CertificateKeys::open(&paths(dir.path()), None).unwrap();
        assert_eq!(keys.compromise(&old), Some(&compromise));
        assert_eq!(keys.compromise(keys.signer().1), None);
    }

    #[test]
    fn a_retired_file_under_the_wrong_name_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
        std::fs::create_dir_all(dir.path().join("retired")).unwrap();
        std::fs::write(
            dir.path().join("retired/aaaaaaaaaaaaaaaa.pub"),
            BASE64.encode(key.as_bytes()),
        )
        .unwrap();
        let err = CertificateKeys::open(&paths(dir.path()), None)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("not aaaaaaaaaaaaaaaa"), "{err}");
    }
}
