//! Typed settings: defaults live in code and `TESSERA_*` environment
//! variables override them. Nothing else reads the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::security::client_address::TrustedProxies;

/// Everything the service needs to start, parsed once at the edge.
#[derive(Clone)]
pub struct Settings {
    /// Address to listen on (`TESSERA_BIND`); port 0 picks a free port.
    pub bind: SocketAddr,
    /// Where the embedded store, photos and the generated key live (`TESSERA_DATA_DIR`).
    pub data_dir: PathBuf,
    /// MongoDB connection string (`TESSERA_MONGODB_URI`); unset means the embedded store.
    pub mongodb_uri: Option<String>,
    /// Database name (`TESSERA_MONGODB_DATABASE`); unset means the URI's
    /// default database, else `tessera`.
    pub mongodb_database: Option<String>,
    /// Ed25519 key file for access tokens (`TESSERA_SIGNING_KEY`); unset
    /// means `<data_dir>/signing.key`, generated at first start.
    pub signing_key: Option<PathBuf>,
    /// Ed25519 key file new certificates are signed with
    /// (`TESSERA_CERTIFICATE_KEY`); unset means `<data_dir>/certificate.key`.
    pub certificate_key: Option<PathBuf>,
    /// Directory of retired certificate public keys, which still verify
    /// (`TESSERA_RETIRED_CERTIFICATE_KEYS`); unset means
    /// `<data_dir>/retired-certificate-keys`.
    pub retired_certificate_keys: Option<PathBuf>,
    /// The secret behind contributors' per-project pseudonyms in exports
    /// (`TESSERA_PSEUDONYM_KEY`); unset means `<data_dir>/pseudonym.key`,
    /// made at first start from the token key (so every replica makes the
    /// same one) and kept, so rotating the token key leaves pseudonyms be.
    pub pseudonym_key: Option<PathBuf>,
    /// Lifetime of access tokens (`TESSERA_ACCESS_TOKEN_SECONDS`, default 15 minutes).
    pub access_token_ttl: Duration,
    /// Lifetime of refresh tokens (`TESSERA_REFRESH_TOKEN_SECONDS`, default 30 days).
    pub refresh_token_ttl: Duration,
    /// Public base URL used in certificate verification links (`TESSERA_PUBLIC_URL`).
    pub public_url: String,
    /// Failed logins allowed for one account from one client address in one
    /// window (`TESSERA_LOGIN_ATTEMPTS`, default 10 per
    /// `TESSERA_LOGIN_WINDOW_SECONDS`, default 300). Successful logins are
    /// never counted, and a stranger's failures never lock the owner out.
    pub login_attempts: u32,
    /// Length of the login rate-limit window.
    pub login_window: Duration,
    /// Uploads (batches and observations) allowed per account in one
    /// window (`TESSERA_UPLOAD_ATTEMPTS`, default 120 per
    /// `TESSERA_UPLOAD_WINDOW_SECONDS`, default 3600).
    pub upload_attempts: u32,
    pub upload_window: Duration,
    /// How often live batches are re-estimated off the hot path
    /// (`TESSERA_REESTIMATE_SECONDS`, default 300; 0 turns it off).
    pub reestimate_every: Duration,
    /// Emit logs as JSON lines (`TESSERA_LOG_JSON`, default true).
    pub log_json: bool,
    /// How long a replica trusts its cached copy of an account (roles,
    /// deletion) before reading it again (`TESSERA_ACCOUNT_CACHE_SECONDS`,
    /// default 2). Changes made through this replica apply at once; this
    /// bounds how late another replica (or the `tessera admin` command) is seen.
    pub account_cache_ttl: Duration,
    /// Largest JSON request body (`TESSERA_JSON_BODY_BYTES`, default 1 MiB).
    pub json_body_bytes: u64,
    /// Largest batch upload (`TESSERA_UPLOAD_BODY_BYTES`, default 200 MiB).
    /// It is spooled to the temporary directory while it is checked, so the
    /// pod's `/tmp` must hold it (see `k8s/README.md`).
    pub upload_body_bytes: u64,
    /// Time for an ordinary request from its headers to its response
    /// (`TESSERA_REQUEST_SECONDS`, default 30).
    pub request_time: Duration,
    /// Time for an upload to arrive and be checked (`TESSERA_UPLOAD_SECONDS`, default 900).
    pub upload_time: Duration,
    /// Time for a request's headers to arrive, and for an idle kept-alive
    /// connection to send its next request (`TESSERA_HEADER_SECONDS`, default 10).
    pub header_time: Duration,
    /// Connections served at once (`TESSERA_MAX_CONNECTIONS`, default 4096);
    /// more wait in the kernel's queue.
    pub max_connections: usize,
    /// Proxies whose `X-Forwarded-For` is believed (`TESSERA_TRUSTED_PROXIES`,
    /// comma-separated addresses or CIDR ranges; default none).
    pub trusted_proxies: TrustedProxies,
    /// Failed logins allowed from one client address in a login window,
    /// whatever the accounts (`TESSERA_LOGIN_CLIENT_FAILURES`, default 300).
    pub login_client_failures: u32,
    /// Registrations allowed from one client address per
    /// `TESSERA_REGISTER_WINDOW_SECONDS` (default 3600)
    /// (`TESSERA_REGISTER_ATTEMPTS`, default 1000: a launch morning behind
    /// one hospital NAT, while a script minting accounts is still stopped).
    pub register_attempts: u32,
    pub register_window: Duration,
    /// Password hashes computed at once (`TESSERA_HASH_THREADS`, default one
    /// less than the cores, at least 1); each holds 19 MiB while it runs, so
    /// this bounds their memory, and a core stays free for everything else
    /// during a shift-start rush of logins.
    pub hash_threads: usize,
    /// The mail server for confirmation links (`TESSERA_SMTP_HOST`,
    /// `_PORT` (587), `_SECURITY` (starttls, tls or none), `_USERNAME`,
    /// `_PASSWORD`, `_FROM`); `None` writes the messages to the log.
    pub smtp: Option<crate::mail::SmtpSettings>,
    /// How long a confirmation link works (`TESSERA_CONFIRMATION_HOURS`, 48).
    pub confirmation_ttl: Duration,
}

/// A setting that could not be parsed; start-up stops with this message.
#[derive(Debug, thiserror::Error)]
#[error("{name} is invalid: {reason}")]
pub struct SettingsError {
    name: &'static str,
    reason: String,
}

impl Settings {
    /// Defaults overridden by the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Defaults overridden by whatever `lookup` returns; tests pass a map.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let seconds = |name: &'static str, default: u64| -> Result<Duration, SettingsError> {
            parse_or(get(name), name, default).map(Duration::from_secs)
        };
        let data_dir = PathBuf::from(get("TESSERA_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let bind = parse_or(get("TESSERA_BIND"), "TESSERA_BIND", default_bind())?;
        Ok(Self {
            public_url: get("TESSERA_PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{bind}"))
                .trim_end_matches('/')
                .to_owned(),
            bind,
            data_dir,
            mongodb_uri: get("TESSERA_MONGODB_URI"),
            mongodb_database: get("TESSERA_MONGODB_DATABASE"),
            signing_key: get("TESSERA_SIGNING_KEY").map(PathBuf::from),
            certificate_key: get("TESSERA_CERTIFICATE_KEY").map(PathBuf::from),
            retired_certificate_keys: get("TESSERA_RETIRED_CERTIFICATE_KEYS").map(PathBuf::from),
            pseudonym_key: get("TESSERA_PSEUDONYM_KEY").map(PathBuf::from),
            access_token_ttl: seconds("TESSERA_ACCESS_TOKEN_SECONDS", 15 * 60)?,
            refresh_token_ttl: seconds("TESSERA_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600)?,
            login_attempts: parse_or(get("TESSERA_LOGIN_ATTEMPTS"), "TESSERA_LOGIN_ATTEMPTS", 10)?,
            login_window: seconds("TESSERA_LOGIN_WINDOW_SECONDS", 300)?,
            upload_attempts: parse_or(
                get("TESSERA_UPLOAD_ATTEMPTS"),
                "TESSERA_UPLOAD_ATTEMPTS",
                120,
            )?,
            upload_window: seconds("TESSERA_UPLOAD_WINDOW_SECONDS", 3600)?,
            reestimate_every: seconds("TESSERA_REESTIMATE_SECONDS", 300)?,
            log_json: parse_or(get("TESSERA_LOG_JSON"), "TESSERA_LOG_JSON", true)?,
            account_cache_ttl: seconds("TESSERA_ACCOUNT_CACHE_SECONDS", 2)?,
            json_body_bytes: parse_or(
                get("TESSERA_JSON_BODY_BYTES"),
                "TESSERA_JSON_BODY_BYTES",
                1 << 20,
            )?,
            upload_body_bytes: parse_or(
                get("TESSERA_UPLOAD_BODY_BYTES"),
                "TESSERA_UPLOAD_BODY_BYTES",
                200 << 20,
            )?,
            request_time: seconds("TESSERA_REQUEST_SECONDS", 30)?,
            upload_time: seconds("TESSERA_UPLOAD_SECONDS", 900)?,
            header_time: seconds("TESSERA_HEADER_SECONDS", 10)?,
            max_connections: parse_or(
                get("TESSERA_MAX_CONNECTIONS"),
                "TESSERA_MAX_CONNECTIONS",
                4096,
            )?,
            trusted_proxies: parse_or(
                get("TESSERA_TRUSTED_PROXIES"),
                "TESSERA_TRUSTED_PROXIES",
                TrustedProxies::default(),
            )?,
            login_client_failures: parse_or(
                get("TESSERA_LOGIN_CLIENT_FAILURES"),
                "TESSERA_LOGIN_CLIENT_FAILURES",
                300,
            )?,
            register_attempts: parse_or(
                get("TESSERA_REGISTER_ATTEMPTS"),
                "TESSERA_REGISTER_ATTEMPTS",
                1000,
            )?,
            register_window: seconds("TESSERA_REGISTER_WINDOW_SECONDS", 3600)?,
            hash_threads: parse_or(
                get("TESSERA_HASH_THREADS"),
                "TESSERA_HASH_THREADS",
                std::thread::available_parallelism()
                    .map_or(1, |cores| cores.get().saturating_sub(1))
                    .max(1),
            )?,
            smtp: match get("TESSERA_SMTP_HOST") {
                None => None,
                Some(host) => Some(crate::mail::SmtpSettings {
                    host,
                    port: parse_or(get("TESSERA_SMTP_PORT"), "TESSERA_SMTP_PORT", 587)?,
                    security: parse_or(
                        get("TESSERA_SMTP_SECURITY"),
                        "TESSERA_SMTP_SECURITY",
                        crate::mail::SmtpSecurity::StartTls,
                    )?,
                    username: get("TESSERA_SMTP_USERNAME"),
                    password: get("TESSERA_SMTP_PASSWORD"),
                    from: get("TESSERA_SMTP_FROM")
                        .unwrap_or_else(|| "Tessera <no-reply@localhost>".to_owned()),
                }),
            },
            confirmation_ttl: Duration::from_secs(
                parse_or::<u64>(
                    get("TESSERA_CONFIRMATION_HOURS"),
                    "TESSERA_CONFIRMATION_HOURS",
                    48,
                )?
                .saturating_mul(3600),
            ),
        })
    }

    /// Settings for a throwaway instance: port 0 and the given data directory.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        let mut settings = Self::from_lookup(|_| None).unwrap_or_else(|_| unreachable!());
        settings.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        settings.data_dir = data_dir;
        settings.log_json = false;
        settings
    }

    /// The body and time ceilings the routes draw on.
    pub fn ceilings(&self) -> crate::api::limits::Ceilings {
        crate::api::limits::Ceilings {
            json_bytes: self.json_body_bytes,
            upload_bytes: self.upload_body_bytes,
            request_time: self.request_time,
            upload_time: self.upload_time,
        }
    }

    /// The key file actually used: the configured one or the generated default.
    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key
            .clone()
            .unwrap_or_else(|| self.data_dir.join("signing.key"))
    }

    /// The pseudonym key file actually used.
    pub fn pseudonym_key_path(&self) -> PathBuf {
        self.pseudonym_key
            .clone()
            .unwrap_or_else(|| self.data_dir.join("pseudonym.key"))
    }

    /// Where the certificate keys live.
    pub fn certificate_key_paths(&self) -> crate::security::certificate_keys::KeyPaths {
        crate::security::certificate_keys::KeyPaths {
            current: self
                .certificate_key
                .clone()
                .unwrap_or_else(|| self.data_dir.join("certificate.key")),
            retired: self
                .retired_certificate_keys
                .clone()
                .unwrap_or_else(|| self.data_dir.join("retired-certificate-keys")),
        }
    }
}

fn default_bind() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn parse_or<T: std::str::FromStr>(
    raw: Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, SettingsError>
where
    T::Err: std::fmt::Display,
{
    match raw {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|err: T::Err| SettingsError {
            name,
            reason: err.to_string(),
        }),
    }
}

impl std::fmt::Debug for Settings {
    // The MongoDB URI usually embeds a password, so it never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field(
                "mongodb_uri",
                &self.mongodb_uri.as_ref().map(|_| "[redacted]"),
            )
            .field("mongodb_database", &self.mongodb_database)
            .field("signing_key", &self.signing_key)
            .field("certificate_key", &self.certificate_key)
            .field("retired_certificate_keys", &self.retired_certificate_keys)
            .field("pseudonym_key", &self.pseudonym_key)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .field("public_url", &self.public_url)
            .field("login_attempts", &self.login_attempts)
            .field("login_window", &self.login_window)
            .field("smtp", &self.smtp)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let settings = Settings::from_lookup(|_| None).unwrap();
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.data_dir, PathBuf::from("./data"));
        assert!(settings.mongodb_uri.is_none());
        assert_eq!(settings.access_token_ttl, Duration::from_secs(900));
    }

    #[test]
    fn environment_values_override_defaults() {
        let settings = Settings::from_lookup(|name| match name {
            "TESSERA_BIND" => Some("0.0.0.0:9000".into()),
            "TESSERA_ACCESS_TOKEN_SECONDS" => Some("60".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(settings.bind.port(), 9000);
        assert_eq!(settings.access_token_ttl, Duration::from_secs(60));
    }

    #[test]
    fn a_malformed_value_names_the_variable() {
        let err = Settings::from_lookup(|name| (name == "TESSERA_BIND").then(|| "nowhere".into()))
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("TESSERA_BIND is invalid"));
    }

    #[test]
    fn debug_output_redacts_the_mongodb_uri() {
        let settings = Settings::from_lookup(|name| {
            (name == "TESSERA_MONGODB_URI").then(|| "mongodb://user:secret@db/".into())
        })
        .unwrap();
        let printed = format!("{settings:?}");
        assert!(!printed.contains("secret"));
        assert!(printed.contains("[redacted]"));
    }
}
