//! Outgoing email: confirmation links. Sent over SMTP when `TESSERA_SMTP_HOST`
//! is set; otherwise the message is written to the log, so `cargo run`
//! works with no mail server and the link can be copied from the terminal.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587); refuses to send
    /// if the server cannot upgrade.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or pod.
    None,
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(Self::StartTls),
            "tls" => Ok(Self::Tls),
            "none" => Ok(Self::None),
            other => Err(format!("expected starttls, tls or none, not {other:?}")),
        }
    }
}

/// Where mail goes (`TESSERA_SMTP_*`).
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Tessera <tessera@trust.nhs.uk>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .finish()
    }
}

/// Sends the service's few emails.
pub enum Mailer {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    /// No mail server configured: messages go to the log.
    Log,
}

impl Mailer {
    pub fn new(settings: Option<&SmtpSettings>) -> anyhow::Result<Self> {
        let Some(smtp) = settings else {
            return Ok(Self::Log);
        };
        let builder = match smtp.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            }
        };
        let builder = builder
            .port(smtp.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        let builder = match (&smtp.username, &smtp.password) {
            (Some(user), Some(password)) => {
                builder.credentials(Credentials::new(user.clone(), password.clone()))
            }
            _ => builder,
        };
        let from = smtp
            .from
            .parse()
            .map_err(|err| anyhow::anyhow!("TESSERA_SMTP_FROM is not an address: {err}"))?;
        Ok(Self::Smtp {
            transport: Box::new(builder.build()),
            from,
        })
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> anyhow::Result<()> {
        match self {
            Self::Log => {
                tracing::info!(%to, %subject, %body, "no SMTP server configured; email not sent");
                Ok(())
            }
            Self::Smtp { transport, from } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(to.parse()?)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(body)?;
                transport.send(message).await?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_names_parse_and_others_are_refused() {
        assert_eq!("STARTTLS".parse(), Ok(SmtpSecurity::StartTls));
        assert_eq!("tls".parse(), Ok(SmtpSecurity::Tls));
        assert_eq!("none".parse(), Ok(SmtpSecurity::None));
        assert!("ssl".parse::<SmtpSecurity>().is_err());
    }

    #[test]
    fn the_password_never_reaches_a_log() {
        let settings = SmtpSettings {
            host: "smtp.trust.nhs.uk".into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            username: Some("tessera".into()),
            password: Some("hunter2-secret".into()),
            from: "tessera@trust.nhs.uk".into(),
        };
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
