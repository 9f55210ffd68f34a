//! Outbox carriers: SMTP for email (`--smtp-url`), and for development a folder of files
//! (`--mail-dir`). The dispatcher runs beside the server and hands each new outbox message to
//! one of them. Nothing here logs what a message says: a sign-in code is for its reader only.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use spine_core::Store;
use spine_core::services::outbox::{self, Carrier, Delivery, Outgoing, mask_destination};

/// Email over SMTP; in development, every channel to files.
pub struct Carriers {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    mail_dir: Option<std::path::PathBuf>,
}

impl Carriers {
    /// `smtp_url` as lettre reads it: `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host` (TLS), or `smtp://localhost:1025` (a local relay, no TLS).
    pub fn new(
        smtp_url: Option<&str>,
        from: Option<&str>,
        mail_dir: Option<std::path::PathBuf>,
    ) -> anyhow::Result<Carriers> {
        if let Some(dir) = &mail_dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("--mail-dir {}: {e}", dir.display()))?;
        }
        let smtp = match smtp_url {
            None => None,
            Some(url) => {
                let from = from
                    .ok_or_else(|| {
                        anyhow::anyhow!("--smtp-url needs --smtp-from (the sender address)")
                    })?
                    .parse::<Mailbox>()
                    .map_err(|e| anyhow::anyhow!("--smtp-from is not an address: {e}"))?;
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("--smtp-url cannot be used: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build();
                Some((transport, from))
            }
        };
        Ok(Carriers { smtp, mail_dir })
    }

    pub fn describe(&self) -> String {
        match (&self.smtp, &self.mail_dir) {
            (Some(_), _) => "email by SMTP".to_owned(),
            (None, Some(dir)) => format!("development: messages written to {}", dir.display()),
            (None, None) => "none configured: messages are not sent".to_owned(),
        }
    }

    /// Development: the message as a file in the mail folder, named so the newest sorts last.
    fn write_file(&self, dir: &std::path::Path, message: &Outgoing<'_>) -> Delivery {
        let name = format!(
            "{}-{}-{}.txt",
            message.created_at.format("%Y%m%dT%H%M%S%.6f"),
            message.channel,
            message.id
        );
        let text = format!(
            "To: {}\nChannel: {}\nSubject: {}\n\n{}\n",
            message.destination,
            message.channel,
            message.subject.unwrap_or_default(),
            message.body
        );
        // Written under a temporary name and renamed, so a reader never sees half a message.
        let part = dir.join(format!(".{name}.part"));
        match std::fs::write(&part, text).and_then(|()| std::fs::rename(&part, dir.join(&name))) {
            Ok(()) => Delivery::Sent,
            // A full disk or a folder that went away may come back: try again later.
            Err(e) => Delivery::Retry(format!("mail folder: {e}")),
        }
    }
}

impl Carrier for Carriers {
    async fn send(&self, message: &Outgoing<'_>) -> Delivery {
        let to = mask_destination(message.channel, message.destination);
        match (&self.smtp, message.channel) {
            (Some((transport, from)), "email") => {
                let email = message
                    .destination
                    .parse::<Mailbox>()
                    .map_err(|e| e.to_string())
                    .and_then(|mailbox| {
                        Message::builder()
                            .from(from.clone())
                            .to(mailbox)
                            .subject(message.subject.unwrap_or_default())
                            .body(message.body.to_owned())
                            .map_err(|e| e.to_string())
                    });
                match email {
                    Ok(email) => match transport.send(email).await {
                        Ok(_) => {
                            tracing::info!(%to, "outbox: email sent");
                            Delivery::Sent
                        }
                        // A 5xx answer is final; a 4xx answer, a connection that failed or timed
                        // out may go through later.
                        Err(e) if e.is_permanent() => {
                            tracing::warn!(%to, error = %e, "outbox: SMTP refused the message");
                            Delivery::NotSent(format!("SMTP: {e}"))
                        }
                        Err(e) => {
                            tracing::warn!(%to, error = %e, "outbox: SMTP failed; will try again");
                            Delivery::Retry(format!("SMTP: {e}"))
                        }
                    },
                    Err(e) => Delivery::NotSent(format!("not an email message: {e}")),
                }
            }
            (_, channel) => {
                if let Some(dir) = &self.mail_dir {
                    tracing::info!(%to, channel, "outbox: written to the mail folder");
                    return self.write_file(dir, message);
                }
                tracing::info!(%to, channel, "outbox: no carrier for this channel; not sent");
                Delivery::NotSent(format!("not sent: no {channel} carrier configured"))
            }
        }
    }
}

/// Delivers every tenant's outbox every second until the server stops. Each process of a
/// deployment runs one; each message is claimed by one of them.
pub fn spawn_dispatcher(store: Store, carriers: Carriers) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match outbox::deliver_due(&store, &carriers).await {
                Ok(round) => crate::metrics::outbox_round(&round),
                Err(e) => tracing::warn!(error = %e, "outbox: delivery round failed"),
            }
        }
    });
}
