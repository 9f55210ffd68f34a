//! The analytics page's call: every chart for the range the query string asks for (managers and
//! admins). The CSV downloads are a plain HTTP route on the server, over the same service.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use spine_core::analytics::Dashboard;

use crate::error::ConsoleError;

/// The range as the query string carries it: `range=7d|30d|90d`, or `from` and `to`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalyticsQuery {
    pub range: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsView {
    pub dashboard: Dashboard,
    /// The preset the range is (`7d`...), to mark it chosen; none for a custom range.
    pub preset: Option<String>,
    pub today: NaiveDate,
}

/// Every chart of the dashboard for one range.
#[server(endpoint = "get_analytics")]
pub async fn get_analytics(query: AnalyticsQuery) -> Result<AnalyticsView, ConsoleError> {
    use super::ssr::*;
    use spine_core::access::Permission;
    use spine_core::services::analytics;

    respond(
        async move {
            require_staff(Permission::ViewAnalytics)?;
            let state = state()?;
            let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
            let range = analytics::parse_range(
                text(&query.range).as_deref(),
                text(&query.from).as_deref(),
                text(&query.to).as_deref(),
            )
            .map_err(service_error)?;
            let dashboard = analytics::dashboard(&state.store, &state.tenant, range)
                .await
                .map_err(service_error)?;
            let today = chrono::Utc::now().date_naive();
            Ok(AnalyticsView {
                preset: range.preset(today).map(str::to_owned),
                dashboard,
                today,
            })
        }
        .await,
    )
}
