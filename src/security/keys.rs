//! Key files: the service's token signing key (`TESSERA_SIGNING_KEY`), the
//! certificate keys (`security::certificate_keys`) and the pseudonym key
//! (`TESSERA_PSEUDONYM_KEY`). Each is read from its configured path, or
//! made there at first start and kept, so tokens, certificates and export
//! pseudonyms survive a restart.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Loads the key at `path`, creating it (mode 0600) when it does not exist.
/// The file holds the 32-byte seed as 64 hex characters.
pub fn load_or_generate(path: &Path) -> anyhow::Result<SigningKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_seed(text.trim())
            .with_context(|| format!("reading signing key {}", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            rand::rng().fill_bytes(&mut seed);
            write_new_key(path, &seed)?;
            tracing::info!(path = %path.display(), "generated a new signing key");
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(err) => Err(err).with_context(|| format!("reading signing key {}", path.display())),
    }
}

/// Loads the 32-byte secret at `path`, or stores `first` there (mode 0600)
/// when there is none yet.
pub fn load_or_keep(path: &Path, first: [u8; 32]) -> anyhow::Result<[u8; 32]> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_seed(text.trim())
            .map(|key| key.to_bytes())
            .with_context(|| format!("reading key {}", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            write_new_key(path, &first)?;
            Ok(first)
        }
        Err(err) => Err(err).with_context(|| format!("reading key {}", path.display())),
    }
}

fn parse_seed(text: &str) -> anyhow::Result<SigningKey> {
    let bytes = hex::decode(text)
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(text))
        .context("the key file must hold a 32-byte seed as hex or base64")?;
    let seed: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("the key file must hold exactly 32 bytes"))?;
    Ok(SigningKey::from_bytes(&seed))
}

fn write_new_key(path: &Path, seed: &[u8; 32]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating signing key {}", path.display()))?;
    file.write_all(hex::encode(seed).as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// A short, stable name for a public key: the first 16 hex characters of its
/// SHA-256. Tokens and certificates carry it so verifiers pick the right key.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_kept_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/signing.key");
        let first = load_or_generate(&path).unwrap();
        let second = load_or_generate(&path).unwrap();
        assert_eq!(first.to_bytes(), second.to_bytes());
    }

    #[test]
    fn a_kept_secret_is_written_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pseudonym.key");
        assert_eq!(load_or_keep(&path, [7; 32]).unwrap(), [7; 32]);
        assert_eq!(
            load_or_keep(&path, [8; 32]).unwrap(),
            [7; 32],
            "the first one stays"
        );
    }

    #[test]
    fn a_key_file_with_the_wrong_length_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short.key");
        std::fs::write(&path, "abcd").unwrap();
        assert!(load_or_generate(&path).is_err());
    }

    #[test]
    fn key_ids_are_sixteen_hex_characters() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let id = key_id(&key.verifying_key());
        assert_eq!(id.len(), 16);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
