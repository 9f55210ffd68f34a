//! Outbox carriers: SMTP for email (`--smtp-url`), and the log for everything else. The
//! dispatcher runs beside the server and hands each new outbox message to one of them.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use spine_core::services::outbox::{self, Carrier, Delivery, mask_destination};
use spine_core::store::OutboxRow;
use spine_core::{Store, Tenant};

/// Email over SMTP; other channels are logged.
pub struct Carriers {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl Carriers {
    /// `smtp_url` as lettre reads it: `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host` (TLS), or `smtp://localhost:1025` (a local relay, no TLS).
    pub fn new(smtp_url: Option<&str>, from: Option<&str>) -> anyhow::Result<Carriers> {
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
        Ok(Carriers { smtp })
    }

    pub fn describe(&self) -> &'static str {
        if self.smtp.is_some() {
            "email by SMTP; other channels to the log"
        } else {
            "none configured: messages go to the log"
        }
    }
}

impl Carrier for Carriers {
    async fn send(&self, message: &OutboxRow) -> Delivery {
        let to = mask_destination(&message.channel, &message.destination);
        match (&self.smtp, message.channel.as_str()) {
            (Some((transport, from)), "email") => {
                let email = message
                    .destination
                    .parse::<Mailbox>()
                    .map_err(|e| e.to_string())
                    .and_then(|mailbox| {
                        Message::builder()
                            .from(from.clone())
                            .to(mailbox)
                            .subject(message.subject.clone().unwrap_or_default())
                            .body(message.body.clone())
                            .map_err(|e| e.to_string())
                    });
                match email {
                    Ok(email) => match transport.send(email).await {
                        Ok(_) => {
                            tracing::info!(%to, "outbox: email sent");
                            Delivery::Sent
                        }
                        Err(e) => {
                            tracing::warn!(%to, error = %e, "outbox: SMTP refused the message");
                            Delivery::NotSent(format!("SMTP: {e}"))
                        }
                    },
                    Err(e) => Delivery::NotSent(format!("not an email message: {e}")),
                }
            }
            (_, channel) => {
                // Development: the text (a sign-in code) is read here or on the outbox page.
                tracing::info!(%to, channel, body = %message.body, "outbox: no carrier for this channel; message logged, not sent");
                Delivery::NotSent(format!(
                    "not sent: no {channel} carrier configured (written to the server log)"
                ))
            }
        }
    }
}

/// Delivers the tenant's outbox every second until the server stops.
pub fn spawn_dispatcher(store: Store, tenant: Tenant, carriers: Carriers) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = outbox::deliver_pending(&store, &tenant, &carriers).await {
                tracing::warn!(error = %e, "outbox: delivery round failed");
            }
        }
    });
}
