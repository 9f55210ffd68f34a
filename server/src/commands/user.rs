//! `spine user create|list|disable`: staff accounts from the server's shell.

use std::io::BufRead;

use anyhow::Context;

use spine_core::services::{staff, tenants};
use spine_core::types::Role;

use crate::cli::UserCommand;

pub async fn run(database_url: &str, command: UserCommand) -> anyhow::Result<()> {
    let store = super::open(database_url).await?;
    let result = match command {
        UserCommand::Create {
            tenant,
            email,
            role,
            name,
        } => {
            let role = Role::parse(&role)
                .with_context(|| format!("{role:?} is not a role: admin, manager or agent"))?;
            // The password comes on stdin, never on the command line (shell history, `ps`).
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from stdin")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
            let user = staff::create_user(&store, &tenant, &email, &name, role, password).await?;
            eprintln!(
                "Created {} {} ({}) in tenant '{}'.",
                user.role, user.email, user.id, tenant.slug
            );
            Ok(())
        }
        UserCommand::List { tenant } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            println!(
                "{:<36}  {:<32}  {:<8}  {:<24}  status",
                "id", "email", "role", "name"
            );
            for user in staff::list_users(&store, &tenant).await? {
                let status = if user.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!(
                    "{:<36}  {:<32}  {:<8}  {:<24}  {status}",
                    user.id, user.email, user.role, user.name
                );
            }
            Ok(())
        }
        UserCommand::Disable { tenant, email } => {
            let tenant = tenants::tenant_by_slug(&store, &tenant).await?;
            staff::disable_user(&store, &tenant, &email).await?;
            eprintln!("Disabled {email} in tenant '{}'.", tenant.slug);
            Ok(())
        }
    };
    store.close().await;
    result
}
