//! `spine api-key create|list|revoke`.

use spine_core::Actor;
use spine_core::services::api_keys::KeyGrant;
use spine_core::services::{api_keys, tenants};
use spine_core::types::ApiScope;

use crate::cli::ApiKeyCommand;

/// Whoever runs the CLI on the server's machine.
const CLI: Actor = Actor::System("cli");

pub async fn run(database_url: &str, command: ApiKeyCommand) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let result = match command {
        ApiKeyCommand::Create {
            tenant,
            name,
            scopes,
            rate_per_minute,
        } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            let scopes = if scopes.is_empty() {
                ApiScope::ALL.to_vec()
            } else {
                ApiScope::parse_list(&scopes.join(",")).ok_or_else(|| {
                    anyhow::anyhow!("--scope: one of ingest, read, manage, privacy")
                })?
            };
            let grant = KeyGrant {
                scopes,
                rate_per_minute,
            };
            let (row, key) = api_keys::create_api_key(&store, &tenant, &CLI, &name, &grant).await?;
            eprintln!(
                "Created API key {:?} ({}) for tenant '{}'. It is shown once; store it now:",
                row.name, row.id, tenant.slug
            );
            println!("{key}");
            Ok(())
        }
        ApiKeyCommand::List { tenant } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            println!(
                "{:<36}  {:<24}  {:<12}  {:<28}  {:<10}  {:<25}  status",
                "id", "name", "prefix", "scopes", "per minute", "last used"
            );
            for key in api_keys::list_api_keys(&store, &tenant).await? {
                let status = if key.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                let used = key
                    .last_used_at
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_else(|| "never".into());
                let rate = match key.rate_per_minute {
                    0 => "no limit".to_owned(),
                    n => n.to_string(),
                };
                println!(
                    "{:<36}  {:<24}  {:<12}  {:<28}  {:<10}  {:<25}  {status}",
                    key.id,
                    key.name,
                    key.prefix,
                    ApiScope::join(&key.scopes()),
                    rate,
                    used
                );
            }
            Ok(())
        }
        ApiKeyCommand::Revoke { tenant, key } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            api_keys::revoke_api_key(&store, &tenant, &CLI, &key).await?;
            eprintln!("Revoked {key:?}.");
            Ok(())
        }
    };
    store.close().await;
    result
}
