//! The duplicate sweep from the review page: its latest run (stage, progress, figures) and
//! starting one, which runs in the background while the page follows it. Admin only
//! (`ReviewMatches`).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::ConsoleError;

/// The latest sweep as the review page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepView {
    pub running: bool,
    /// What it is doing ("scoring pairs") or did.
    pub stage: String,
    pub done: u64,
    pub total: u64,
    /// What it found, in a sentence, once finished.
    pub summary: Option<String>,
    pub error: Option<String>,
    pub started_by: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[cfg(feature = "ssr")]
pub(crate) fn view_of(status: spine_core::services::sweep::SweepStatus) -> SweepView {
    let r = &status.report;
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let summary = (!status.running && status.error.is_none()).then(|| {
        let mut s = format!(
            "Compared {} and found {}: {} added to the queue",
            plural(r.profiles, "profile", "profiles"),
            plural(r.likely_pairs, "likely duplicate", "likely duplicates"),
            r.queued
        );
        if r.already_open > 0 {
            s.push_str(&format!(", {} already waiting", r.already_open));
        }
        if r.decided_apart > 0 {
            s.push_str(&format!(
                ", {} decided before as different people",
                r.decided_apart
            ));
        }
        if r.left_for_later > 0 {
            s.push_str(&format!(", {} left for the next sweep", r.left_for_later));
        }
        s.push('.');
        s
    });
    SweepView {
        running: status.running,
        stage: status.stage.label().to_owned(),
        done: status.done,
        total: status.total,
        summary,
        error: status.error,
        started_by: status.started_by,
        started_at: status.started_at,
        finished_at: status.finished_at,
    }
}

/// Starts a sweep in the background and comes back to the review page, which follows it.
#[server(endpoint = "start_sweep")]
pub async fn start_sweep(csrf: String) -> Result<(), ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;

    respond(
        async move {
            let (session, state) = require_change(Permission::ReviewMatches, &csrf)?;
            spine_core::services::sweep::start_sweep_in_background(
                &state.store,
                &state.tenant,
                &session.actor(),
            )
            .await
            .map_err(service_error)?;
            leptos_axum::redirect("/review");
            Ok(())
        }
        .await,
    )
}
