//! The analytics dashboard's CSV downloads: `GET /analytics/<chart>.csv?range=7d` (or
//! `from=YYYY-MM-DD&to=YYYY-MM-DD`), exactly the rows the chart on the page draws. Behind the
//! console's session (the middleware sends anyone signed out to the sign-in page); refused
//! (403) to roles that may not view analytics.

use axum::Router;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use spine_core::services::lists::inert_cell;

use app::state::AppState;
use spine_core::Tenant;
use spine_core::access::Permission;
use spine_core::analytics::{ChartId, Table};
use spine_core::services::analytics::{chart_table, parse_range};
use spine_core::services::auth::StaffSession;

use super::Problem;

pub fn router() -> Router<AppState> {
    Router::new().route("/analytics/{file}", get(download_csv))
}

#[derive(Debug, Default, Deserialize)]
struct RangeQuery {
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn download_csv(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    session: Option<Extension<StaffSession>>,
    Extension(tenant): Extension<Tenant>,
) -> Response {
    let Some(Extension(session)) = session else {
        return Problem::unauthorized("sign in to download analytics").into_response();
    };
    if let Err(e) = session.authorize(Permission::ViewAnalytics) {
        return Problem::from(e).into_response();
    }
    let Some(chart) = file.strip_suffix(".csv").and_then(ChartId::parse) else {
        return Problem::not_found(format!("no chart named {file:?}")).into_response();
    };
    let q: RangeQuery = match serde_urlencoded::from_str(query.as_deref().unwrap_or_default()) {
        Ok(q) => q,
        Err(e) => return Problem::bad_request(format!("query: {e}")).into_response(),
    };
    let range = match parse_range(q.range.as_deref(), q.from.as_deref(), q.to.as_deref()) {
        Ok(range) => range,
        Err(e) => return Problem::from(e).into_response(),
    };
    let table = match chart_table(&state.store, &tenant, chart, range).await {
        Ok(table) => table,
        Err(e) => return Problem::from(e).into_response(),
    };
    let body = match to_csv(&table) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "cannot write CSV");
            return Problem::from(spine_core::ServiceError::Conflict(
                "cannot write this chart as CSV".into(),
            ))
            .into_response();
        }
    };
    let filename = format!(
        "attachment; filename=\"{}-{}-{}.csv\"",
        chart.slug(),
        range.from(),
        range.to()
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn to_csv(table: &Table) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(table.columns.iter().map(|c| inert_cell(c).into_owned()))?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|c| inert_cell(c).into_owned()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::inert_cell;

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(inert_cell(formula), format!("'{formula}"));
        }
        for plain in ["-0.25", "+3", "12", "spring sale", "", "a=b"] {
            assert_eq!(inert_cell(plain), plain);
        }
    }
}
