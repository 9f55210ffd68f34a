//! `spine write-bench`: the floor under ingestion. Writes what a new sender's event stores, and
//! nothing else (a profile, its email and phone, the message, an audit entry: five rows in four
//! statements), a group per transaction as the ingestion queue commits them, into a fresh tenant.
//! No reads, no resolution, no HTTP: the rate it prints is what the database and its driver allow
//! on this machine, the limit `spine load`'s events per second read against. It writes through
//! the connection ingestion writes through (`Store::begin_ingest`).

use std::time::Instant;

use anyhow::Context;
use chrono::Utc;

use spine_core::services::tenants::ensure_tenant;
use spine_core::store::{NewAudit, NewCustomer, NewIdentity, NewInteraction};
use spine_core::types::Assurance;

use crate::cli::WriteBenchArgs;

pub async fn run(database_url: &str, args: WriteBenchArgs) -> anyhow::Result<()> {
    if args.events == 0 || args.group == 0 {
        anyhow::bail!("--events and --group must be at least 1");
    }
    let store = super::open(database_url).await?;
    let slug = format!("write-bench-{}", Utc::now().timestamp_millis());
    let tenant = ensure_tenant(&store, &slug, "Write bench", "US")
        .await
        .context("cannot create the bench tenant")?;
    let progress = super::progress_bar(args.events as u64, "writing events", "");
    let started = Instant::now();
    let mut commits = std::time::Duration::ZERO;
    let mut written = 0;
    while written < args.events {
        let group = args.group.min(args.events - written);
        let mut tx = store.begin_ingest().await?;
        for n in written..written + group {
            let now = Utc::now();
            let email = format!("person{n}@write-bench.example");
            let phone = format!("+1202555{:04}", n % 10_000);
            let customer = tx
                .insert_customer(
                    tenant.id,
                    &NewCustomer {
                        display_name: Some(format!("Person {n}")),
                        given_name: Some("Person".into()),
                        family_name: Some(n.to_string()),
                        primary_email: Some(email.clone()),
                        primary_phone: Some(phone.clone()),
                        lifecycle_stage: None,
                        preferred_channel: None,
                        sources: vec!["email".into()],
                        source_campaign: None,
                        seen_at: now,
                        name_keys: Vec::new(),
                    },
                )
                .await?;
            let identity = |kind: &str, value: String| NewIdentity {
                customer_id: customer.id,
                kind: kind.to_owned(),
                provider: String::new(),
                match_key: value.clone(),
                value,
                raw_value: None,
                confidence: 1.0,
                assurance: Assurance::Asserted,
                seen_at: now,
            };
            tx.upsert_identities(
                tenant.id,
                &[identity("email", email), identity("phone", phone)],
            )
            .await?;
            let interaction = tx
                .insert_interaction(
                    tenant.id,
                    &NewInteraction {
                        customer_id: customer.id,
                        channel: "email".into(),
                        direction: "inbound".into(),
                        kind: "message".into(),
                        occurred_at: now,
                        body: Some("Hello, is my order on its way?".into()),
                        payload: None,
                        provider_message_id: None,
                        sentiment: None,
                        thread_id: None,
                        claims: Vec::new(),
                    },
                )
                .await?;
            tx.append_audit(
                tenant.id,
                &NewAudit {
                    actor_kind: "system".into(),
                    actor_id: None,
                    actor_label: "write-bench".into(),
                    action: "interaction.ingested".into(),
                    entity_kind: "interaction".into(),
                    entity_id: Some(interaction.to_string()),
                    customer_id: Some(customer.id),
                    before: None,
                    after: None,
                    ip: None,
                    user_agent: None,
                },
            )
            .await?;
        }
        let commit = Instant::now();
        tx.commit().await?;
        commits += commit.elapsed();
        written += group;
        progress.inc(group as u64);
    }
    progress.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let per_event = |seconds: f64| seconds * 1e3 / args.events as f64;
    println!(
        "| measure | value |\n|---|---|\n\
         | database | {} ({}) |\n\
         | events written (5 rows, 4 statements each) | {} in groups of {} |\n\
         | events per second | {:.0} |\n\
         | ms per event: statements / commit | {:.3} / {:.3} |",
        store.backend().as_str(),
        if store.has_direct_writer() {
            "the writer's own connection"
        } else {
            "through sqlx"
        },
        args.events,
        args.group,
        args.events as f64 / elapsed,
        per_event(elapsed - commits.as_secs_f64()),
        per_event(commits.as_secs_f64()),
    );
    store.close().await;
    Ok(())
}
