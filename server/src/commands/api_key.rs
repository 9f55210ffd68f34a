//! `spine api-key create|list|revoke`.

use spine_core::Actor;
use spine_core::services::{api_keys, tenants};

use crate::cli::ApiKeyCommand;

/// Whoever runs the CLI on the server's machine.
const CLI: Actor = Actor::System("cli");

pub async fn run(database_url: &str, command: ApiKeyCommand) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let result = match command {
        ApiKeyCommand::Create { tenant, name } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            let (row, key) = api_keys::create_api_key(&store, &tenant, &CLI, &name).await?;
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
                "{:<36}  {:<24}  {:<12}  {:<25}  status",
                "id", "name", "prefix", "last used"
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
                println!(
                    "{:<36}  {:<24}  {:<12}  {:<25}  {status}",
                    key.id, key.name, key.prefix, used
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
