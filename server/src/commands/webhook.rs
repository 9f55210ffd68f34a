//! `spine webhook set|list|remove`: each provider's signing secret, per tenant. Secrets are
//! printed masked, never whole.

use spine_core::Actor;
use spine_core::services::{tenants, webhooks};

use crate::cli::WebhookCommand;

/// Whoever runs the CLI on the server's machine.
const CLI: Actor = Actor::System("cli");

pub async fn run(database_url: &str, command: WebhookCommand) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let result = match command {
        WebhookCommand::Set {
            tenant,
            provider,
            secret,
            verify_token,
        } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            let config = webhooks::set_webhook(
                &store,
                &tenant,
                &CLI,
                provider,
                &secret,
                verify_token.as_deref(),
            )
            .await?;
            eprintln!(
                "The {provider} webhook of '{}' is set (secret {}). Point {provider} at \
                 <your public URL>/webhooks/{}/{provider}.",
                tenant.slug,
                config.secret.masked(),
                tenant.slug
            );
            if provider.has_handshake() && config.verify_token.is_none() {
                eprintln!(
                    "No --verify-token: {provider}'s subscription handshake will be refused until one is set."
                );
            }
            Ok(())
        }
        WebhookCommand::List { tenant } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            println!(
                "{:<10}  {:<36}  {:<10}  {:<12}  updated",
                "provider", "path", "secret", "verify token"
            );
            for config in webhooks::list_webhooks(&store, &tenant).await? {
                println!(
                    "{:<10}  {:<36}  {:<10}  {:<12}  {}",
                    config.provider.as_str(),
                    format!("/webhooks/{}/{}", tenant.slug, config.provider),
                    config.secret.masked(),
                    config
                        .verify_token
                        .as_ref()
                        .map(|t| t.masked())
                        .unwrap_or_else(|| "-".into()),
                    config.updated_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
            Ok(())
        }
        WebhookCommand::Remove { tenant, provider } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            webhooks::remove_webhook(&store, &tenant, &CLI, provider).await?;
            eprintln!("Removed the {provider} webhook of '{}'.", tenant.slug);
            Ok(())
        }
    };
    store.close().await;
    result
}
