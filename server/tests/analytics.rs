//! The analytics CSV downloads against the real server: a manager gets exactly one chart's rows
//! for the range asked for; an agent is refused; a bad range or an unknown chart reads as a
//! problem, and nobody signed out gets past the sign-in page.

mod common;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use serde_json::Value;

use common::console::Console;
use common::header;

const MANAGER: (&str, &str) = ("manager@demo.spine.local", "demo-manager-password");
const AGENT: (&str, &str) = ("agent@demo.spine.local", "demo-agent-password");

#[tokio::test]
async fn a_manager_downloads_one_charts_csv_and_others_are_refused() {
    let console = Console::fresh();
    let manager = console.sign_in(MANAGER).await;

    let path = "/analytics/channels.csv?from=2026-03-01&to=2026-03-03";
    let response = console.get(path, Some(&manager)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, CONTENT_TYPE), "text/csv; charset=utf-8");
    assert_eq!(
        header(&response, CONTENT_DISPOSITION),
        "attachment; filename=\"channels-2026-03-01-2026-03-03.csv\""
    );
    let body = response.text().await.expect("csv");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "day,sms,email,whatsapp,instagram,facebook,webchat,phone,booking,order"
    );
    assert_eq!(lines.len(), 4, "{body}");
    assert!(lines[1].starts_with("2026-03-01,"), "{body}");

    // The demo's last 30 days have activity: the CSV is not all zeros.
    let recent = console
        .get("/analytics/channels.csv?range=30d", Some(&manager))
        .await
        .text()
        .await
        .expect("csv");
    let total: f64 = recent
        .lines()
        .skip(1)
        .flat_map(|l| l.split(',').skip(1))
        .filter_map(|n| n.parse::<f64>().ok())
        .sum();
    assert!(total > 0.0, "{recent}");
    let lifecycle = console
        .get("/analytics/lifecycle.csv?range=7d", Some(&manager))
        .await
        .text()
        .await
        .expect("csv");
    assert!(lifecycle.starts_with("stage,count\n"), "{lifecycle}");

    let bad = console
        .get(
            "/analytics/channels.csv?from=2026-03-02&to=2026-03-01",
            Some(&manager),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(header(&bad, CONTENT_TYPE), "application/problem+json");
    let problem: Value = bad.json().await.expect("problem");
    assert_eq!(problem["detail"], "range: from must not be after to");
    let preset = console
        .get("/analytics/channels.csv?range=1y", Some(&manager))
        .await;
    assert_eq!(preset.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let unknown = console
        .get("/analytics/revenue.csv?range=7d", Some(&manager))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&unknown, CONTENT_TYPE), "application/problem+json");

    let agent = console.sign_in(AGENT).await;
    let refused = console
        .get("/analytics/channels.csv?range=7d", Some(&agent))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let signed_out = console.get("/analytics/channels.csv?range=7d", None).await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert!(header(&signed_out, LOCATION).starts_with("/login?next=%2Fanalytics%2Fchannels.csv"));
}
