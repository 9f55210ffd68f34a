//! `spine tenant create|list`: the businesses one deployment serves.

use spine_core::services::tenants;

use crate::cli::TenantCommand;

pub async fn run(database_url: &str, command: TenantCommand) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let result = match command {
        TenantCommand::Create { slug, name, region } => {
            match tenants::create_tenant(&store, &slug, &name, &region).await {
                Ok(tenant) => {
                    eprintln!(
                        "Created tenant '{}' ({}), {}. Next: spine user create --tenant {} --email ... --role admin",
                        tenant.slug, tenant.name, tenant.id, tenant.slug
                    );
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }
        TenantCommand::List => {
            println!("{:<24}  {:<32}  {:<6}  id", "slug", "name", "region");
            for tenant in tenants::all_tenants(&store).await? {
                println!(
                    "{:<24}  {:<32}  {:<6}  {}",
                    tenant.slug,
                    tenant.name,
                    tenant.region.as_str(),
                    tenant.id
                );
            }
            Ok(())
        }
    };
    store.close().await;
    result
}
