//! The analytics dashboard: one function per chart group, read from the daily counters (time
//! series), the merge and review tables (small), and a stored snapshot of current-state
//! aggregates (recomputed when older than [`SNAPSHOT_MAX_AGE`]). Ingestion and merges keep the
//! counters and each profile's channels up to date through the `record_*` functions here.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use spine_engine::resolve::{Resolution, ScoredCandidate};

use crate::analytics::{
    Bar, BarChart, ChannelUsage, ChartId, Dashboard, DateRange, ResolutionStats, ReviewStats,
    SentimentTrend, Series, Snapshot, Table, TimeChart,
};
use crate::services::{ServiceError, ServiceResult, Tenant};
use crate::store::{StatRow, Store, Tx};
use crate::types::{Channel, Decision, Direction, LifecycleStage};

/// A stored snapshot younger than this is served as it is.
pub const SNAPSHOT_MAX_AGE: Duration = Duration::minutes(5);
/// Entries in the top-N charts (sequences, sources, campaigns).
const TOP: i64 = 10;
/// Identifier kinds from strongest to weakest: a link's method is the first that agreed.
const METHODS: [&str; 6] = [
    "external_id",
    "login",
    "email",
    "phone",
    "handle",
    "address_hash",
];

/// The range a request asks for (`range=7d|30d|90d`, or `from` and `to`), ending today (UTC).
pub fn parse_range(
    range: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> ServiceResult<DateRange> {
    DateRange::parse(range, from, to, Utc::now().date_naive())
        .map_err(|e| ServiceError::invalid("range", e))
}

/// Every chart for one range.
pub async fn dashboard(
    store: &Store,
    tenant: &Tenant,
    range: DateRange,
) -> ServiceResult<Dashboard> {
    Ok(Dashboard {
        range,
        usage: channel_usage(store, tenant, range).await?,
        resolution: resolution_stats(store, tenant, range).await?,
        review: review_stats(store, tenant, range).await?,
        sentiment: sentiment_trend(store, tenant, range).await?,
        topics: topic_counts(store, tenant, range).await?,
        snapshot: current_snapshot(store, tenant).await?,
    })
}

/// One chart's rows (its CSV), computing only the group it belongs to.
pub async fn chart_table(
    store: &Store,
    tenant: &Tenant,
    chart: ChartId,
    range: DateRange,
) -> ServiceResult<Table> {
    let table = match chart {
        ChartId::Channels | ChartId::Directions => {
            let usage = channel_usage(store, tenant, range).await?;
            let chart_data = if chart == ChartId::Channels {
                usage.channels
            } else {
                usage.directions
            };
            chart_data.table()
        }
        ChartId::Resolution => resolution_stats(store, tenant, range)
            .await?
            .per_day
            .table(),
        ChartId::MatchMethods => resolution_stats(store, tenant, range)
            .await?
            .methods
            .table(),
        ChartId::ReviewDecisions => review_stats(store, tenant, range).await?.decisions.table(),
        ChartId::Sentiment => sentiment_trend(store, tenant, range).await?.per_day.table(),
        ChartId::Topics => topic_counts(store, tenant, range).await?.table(),
        _ => current_snapshot(store, tenant).await?.table(chart),
    };
    Ok(table)
}

/// Interactions per day by channel, and by direction.
pub async fn channel_usage(
    store: &Store,
    tenant: &Tenant,
    range: DateRange,
) -> ServiceResult<ChannelUsage> {
    let rows = store
        .read()
        .await?
        .daily_stats(tenant.id, "interactions", range.from(), range.to())
        .await?;
    let channels = Channel::ALL
        .iter()
        .filter(|c| **c != Channel::Note)
        .map(|c| (c.as_str(), c.label()));
    let directions = Direction::ALL
        .iter()
        .map(|d| (d.as_str(), label(d.as_str())));
    Ok(ChannelUsage {
        channels: time_chart(range, channels, &rows, |r| (&r.dim1, r.n as f64)),
        directions: time_chart(range, directions, &rows, |r| (&r.dim2, r.n as f64)),
    })
}

/// New profiles, links and review items per day (from the counters), merges per day, how
/// links were made, and the auto-link rate.
pub async fn resolution_stats(
    store: &Store,
    tenant: &Tenant,
    range: DateRange,
) -> ServiceResult<ResolutionStats> {
    let mut tx = store.read().await?;
    let rows = tx
        .daily_stats(tenant.id, "resolution", range.from(), range.to())
        .await?;
    let (from, until) = instants(range);
    let merges: Vec<StatRow> = tx
        .merges_per_day(tenant.id, from, until)
        .await?
        .into_iter()
        .map(|(day, n)| stat(day, "merged", "", n))
        .collect();
    let all: Vec<StatRow> = rows.iter().cloned().chain(merges).collect();
    let keys = [
        ("created", "New profiles"),
        ("linked", "Linked"),
        ("review", "Sent to review"),
        ("merged", "Merged"),
    ];
    let per_day = time_chart(range, keys, &all, |r| (&r.dim1, r.n as f64));
    let mut methods: BTreeMap<&str, i64> = BTreeMap::new();
    let mut decided = 0;
    for row in &rows {
        decided += row.n;
        if row.dim1 == "linked" {
            *methods.entry(row.dim2.as_str()).or_default() += row.n;
        }
    }
    let linked: i64 = methods.values().sum();
    let mut bars: Vec<Bar> = METHODS
        .iter()
        .chain(&["probabilistic"])
        .map(|m| bar(m, label(m), methods.get(m).copied().unwrap_or(0)))
        .collect();
    // Links ingested before methods were recorded.
    if let Some(n) = methods.get("unrecorded").filter(|n| **n > 0) {
        bars.push(bar("unrecorded", "Not recorded", *n));
    }
    Ok(ResolutionStats {
        per_day,
        methods: BarChart {
            category: "method".into(),
            bars,
        },
        auto_link_rate: (decided > 0).then(|| linked as f64 / decided as f64),
    })
}

/// Review decisions per day and the share of "not the same person" among merges and rejections.
pub async fn review_stats(
    store: &Store,
    tenant: &Tenant,
    range: DateRange,
) -> ServiceResult<ReviewStats> {
    let (from, until) = instants(range);
    let rows: Vec<StatRow> = store
        .read()
        .await?
        .review_decisions_per_day(tenant.id, from, until)
        .await?
        .into_iter()
        .map(|(day, status, n)| stat(day, &status, "", n))
        .collect();
    let keys = [
        ("merged", "Merged"),
        ("rejected", "Not the same person"),
        ("deferred", "Deferred"),
    ];
    let decisions = time_chart(range, keys, &rows, |r| (&r.dim1, r.n as f64));
    let sum = |key: &str| -> f64 {
        decisions
            .series
            .iter()
            .filter(|s| s.key == key)
            .flat_map(|s| &s.values)
            .sum()
    };
    let (merged, rejected) = (sum("merged"), sum("rejected"));
    Ok(ReviewStats {
        decisions,
        rejected_share: (merged + rejected > 0.0).then(|| rejected / (merged + rejected)),
    })
}

/// Average sentiment of rated interactions per day.
pub async fn sentiment_trend(
    store: &Store,
    tenant: &Tenant,
    range: DateRange,
) -> ServiceResult<SentimentTrend> {
    let rows = store
        .read()
        .await?
        .daily_stats(tenant.id, "sentiment", range.from(), range.to())
        .await?;
    let days = range.days();
    let mut rated = vec![0i64; days.len()];
    let mut total = vec![0f64; days.len()];
    for row in &rows {
        if let Some(i) = day_index(range, &row.day) {
            rated[i] += row.n;
            total[i] += row.total;
        }
    }
    let average = rated
        .iter()
        .zip(&total)
        .map(|(n, t)| if *n > 0 { t / *n as f64 } else { 0.0 })
        .collect();
    Ok(SentimentTrend {
        rated: rated.iter().sum(),
        per_day: TimeChart {
            days,
            series: vec![
                Series {
                    key: "average".into(),
                    label: "Average sentiment".into(),
                    values: average,
                },
                Series {
                    key: "rated".into(),
                    label: "Rated interactions".into(),
                    values: rated.iter().map(|n| *n as f64).collect(),
                },
            ],
        },
    })
}

/// How many messages raised each topic over the range (the counters conversation memory keeps
/// as it reads each message), most raised first; topics never raised are left out.
pub async fn topic_counts(
    store: &Store,
    tenant: &Tenant,
    range: DateRange,
) -> ServiceResult<BarChart> {
    let rows = store
        .read()
        .await?
        .daily_stats(
            tenant.id,
            crate::store::TOPIC_RAISED,
            range.from(),
            range.to(),
        )
        .await?;
    let mut bars: Vec<Bar> = Vec::new();
    for row in &rows {
        let Some(topic) = spine_engine::conversation::Topic::from_key(&row.dim1) else {
            continue;
        };
        match bars.iter_mut().find(|b| b.key == row.dim1) {
            Some(bar) => bar.value += row.n as f64,
            None => bars.push(Bar {
                key: row.dim1.clone(),
                label: topic.as_str().to_owned(),
                value: row.n as f64,
            }),
        }
    }
    bars.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.key.cmp(&b.key)));
    Ok(BarChart {
        category: "topic".into(),
        bars,
    })
}

/// The stored snapshot when it is fresh; a stale one is served while a background task
/// recomputes it; with none stored yet, it is computed now.
pub async fn current_snapshot(store: &Store, tenant: &Tenant) -> ServiceResult<Snapshot> {
    let stored = store.read().await?.analytics_snapshot(tenant.id).await?;
    let stored = stored.and_then(|(_, data)| serde_json::from_value::<Snapshot>(data.0).ok());
    match stored {
        Some(snapshot) if Utc::now() - snapshot.computed_at < SNAPSHOT_MAX_AGE => Ok(snapshot),
        Some(snapshot) => {
            refresh_in_background(store, tenant);
            Ok(snapshot)
        }
        None => refresh_snapshot(store, tenant).await,
    }
}

/// Tenants whose snapshot a background task is computing, so page views do not pile up more.
fn refreshing() -> &'static Mutex<HashSet<Uuid>> {
    static REFRESHING: OnceLock<Mutex<HashSet<Uuid>>> = OnceLock::new();
    REFRESHING.get_or_init(Default::default)
}

fn refresh_in_background(store: &Store, tenant: &Tenant) {
    let started = refreshing()
        .lock()
        .map(|mut set| set.insert(tenant.id))
        .unwrap_or(false);
    if !started {
        return;
    }
    let (store, tenant) = (store.clone(), tenant.clone());
    tokio::spawn(async move {
        if let Err(e) = refresh_snapshot(&store, &tenant).await {
            tracing::warn!(tenant = %tenant.slug, error = %e, "analytics snapshot refresh failed");
        }
        if let Ok(mut set) = refreshing().lock() {
            set.remove(&tenant.id);
        }
    });
}

/// Computes the current-state aggregates over active profiles and stores them.
pub async fn refresh_snapshot(store: &Store, tenant: &Tenant) -> ServiceResult<Snapshot> {
    let now = Utc::now();
    let mut tx = store.read().await?;
    let snapshot = compute_snapshot(&mut tx, tenant.id, now).await?;
    drop(tx);
    let data = serde_json::to_value(&snapshot).map_err(|e| ServiceError::invalid("snapshot", e))?;
    let mut tx = store.begin().await?;
    tx.save_analytics_snapshot(tenant.id, now, &data).await?;
    tx.commit().await?;
    Ok(snapshot)
}

async fn compute_snapshot(
    tx: &mut Tx,
    tenant_id: Uuid,
    now: DateTime<Utc>,
) -> ServiceResult<Snapshot> {
    let inactive: HashSet<Uuid> = tx
        .inactive_customers(tenant_id)
        .await?
        .into_iter()
        .collect();
    let (mix, pairs) = channel_mix_and_sequences(tx, tenant_id, &inactive).await?;
    let channel_mix = BarChart {
        category: "channels".into(),
        bars: ["1", "2", "3", "4+"]
            .iter()
            .zip(&mix)
            .map(|(k, n)| {
                let noun = if *k == "1" { "channel" } else { "channels" };
                bar(k, &format!("{k} {noun}"), *n)
            })
            .collect(),
    };
    let mut pairs: Vec<((String, String), i64)> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let sequences = BarChart {
        category: "sequence".into(),
        bars: pairs
            .into_iter()
            .take(TOP as usize)
            .map(|((first, later), n)| {
                bar(
                    &format!("{first}>{later}"),
                    &format!("{} → {}", label(&first), label(&later)),
                    n,
                )
            })
            .collect(),
    };
    let ids = identity_counts(tx, tenant_id).await?;
    let identities = BarChart {
        category: "identities".into(),
        bars: ["1", "2", "3", "4", "5+"]
            .iter()
            .zip(&ids)
            .map(|(k, n)| bar(k, k, *n))
            .collect(),
    };
    let mut stages: BTreeMap<String, i64> = BTreeMap::new();
    let mut campaigns: BTreeMap<String, i64> = BTreeMap::new();
    let mut contact = [0i64; 4];
    let mut profiles = 0;
    for (stage, email, phone, campaign, n) in tx.profile_shapes(tenant_id).await? {
        *stages.entry(stage).or_default() += n;
        if let Some(campaign) = campaign {
            *campaigns.entry(campaign).or_default() += n;
        }
        let at = match (email != 0, phone != 0) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        contact[at] += n;
        profiles += n;
    }
    let completeness = BarChart {
        category: "contact".into(),
        bars: [
            ("email_and_phone", "Email and phone"),
            ("email_only", "Email only"),
            ("phone_only", "Phone only"),
            ("neither", "Neither"),
        ]
        .iter()
        .zip(contact)
        .map(|((k, l), n)| bar(k, l, n))
        .collect(),
    };
    let lifecycle = BarChart {
        category: "stage".into(),
        bars: LifecycleStage::ALL
            .iter()
            .map(|s| {
                let n = stages.get(s.as_str()).copied().unwrap_or(0);
                bar(s.as_str(), label(s.as_str()), n)
            })
            .collect(),
    };
    let top = |rows: Vec<(String, i64)>, category: &str| BarChart {
        category: category.into(),
        bars: rows.into_iter().map(|(k, n)| bar(&k, &k, n)).collect(),
    };
    let sources = top(tx.top_sources(tenant_id, TOP).await?, "source");
    let mut campaigns: Vec<(String, i64)> = campaigns.into_iter().collect();
    campaigns.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    campaigns.truncate(TOP as usize);
    let campaigns = top(campaigns, "campaign");
    let [day, week, month, all] = tx
        .pending_reviews_since(
            tenant_id,
            [
                now - Duration::days(1),
                now - Duration::days(7),
                now - Duration::days(30),
            ],
        )
        .await?;
    let review_backlog = BarChart {
        category: "age".into(),
        bars: vec![
            bar("lt_1d", "Under a day", day),
            bar("1d_7d", "1–7 days", week - day),
            bar("7d_30d", "7–30 days", month - week),
            bar("gt_30d", "Over 30 days", all - month),
        ],
    };
    Ok(Snapshot {
        computed_at: now,
        profiles,
        channel_mix,
        sequences,
        completeness,
        identities,
        lifecycle,
        sources,
        campaigns,
        review_backlog,
        pending_reviews: all,
    })
}

/// Rows read per page when scanning a tenant's channels or identities.
const PAGE: i64 = 50_000;

/// Active profiles by number of channels used (1, 2, 3, 4+), and how many profiles went from
/// each first channel to each later one, in one pass over `customer_channels`.
#[allow(clippy::type_complexity)]
async fn channel_mix_and_sequences(
    tx: &mut Tx,
    tenant_id: Uuid,
    inactive: &HashSet<Uuid>,
) -> ServiceResult<([i64; 4], BTreeMap<(String, String), i64>)> {
    let mut mix = [0i64; 4];
    let mut pairs: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut count_profile = |rows: &mut Vec<(String, DateTime<Utc>)>| {
        if rows.is_empty() {
            return;
        }
        mix[rows.len().min(4) - 1] += 1;
        rows.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        for (later, _) in &rows[1..] {
            *pairs.entry((rows[0].0.clone(), later.clone())).or_default() += 1;
        }
        rows.clear();
    };
    let mut after = Uuid::nil();
    loop {
        let mut page = tx.customer_channel_page(tenant_id, after, PAGE).await?;
        let full = page.len() as i64 == PAGE;
        if full {
            // The last profile may continue on the next page: read it there whole.
            let last = page.last().map(|r| r.0).unwrap_or_default();
            page.retain(|r| r.0 != last);
        }
        let Some(next) = page.last().map(|r| r.0) else {
            break;
        };
        let mut current = Uuid::nil();
        let mut rows: Vec<(String, DateTime<Utc>)> = Vec::new();
        for (customer, channel, first_at) in page {
            if customer != current {
                count_profile(&mut rows);
                current = customer;
            }
            if !inactive.contains(&customer) {
                rows.push((channel, first_at));
            }
        }
        count_profile(&mut rows);
        after = next;
        if !full {
            break;
        }
    }
    Ok((mix, pairs))
}

/// Active profiles holding 1, 2, 3, 4 and 5 or more identities: every profile's count less
/// the inactive profiles' (few), so no row is joined to its profile.
async fn identity_counts(tx: &mut Tx, tenant_id: Uuid) -> ServiceResult<[i64; 5]> {
    let mut counts = [0i64; 5];
    for (inactive, sign) in [(false, 1), (true, -1)] {
        for (k, n) in tx.identity_count_distribution(tenant_id, inactive).await? {
            if k >= 1 {
                counts[(k.min(5) - 1) as usize] += sign * n;
            }
        }
    }
    Ok(counts)
}

/// Counts one ingested interaction: the day's counters and the profile's channels. Staff notes
/// are not a customer's channel and are not counted.
pub(crate) async fn record_interaction(
    tx: &mut Tx,
    tenant_id: Uuid,
    customer_id: Uuid,
    channel: Channel,
    direction: Direction,
    at: DateTime<Utc>,
    sentiment: Option<f64>,
) -> ServiceResult<()> {
    if channel == Channel::Note {
        return Ok(());
    }
    let day = at.date_naive();
    tx.count_stat(
        tenant_id,
        day,
        "interactions",
        channel.as_str(),
        direction.as_str(),
        1,
        0.0,
    );
    if let Some(score) = sentiment {
        tx.count_stat(tenant_id, day, "sentiment", channel.as_str(), "", 1, score);
    }
    tx.touch_customer_channel(tenant_id, customer_id, channel.as_str(), at)
        .await?;
    Ok(())
}

/// Counts how one incoming sender was resolved (`resolution`: created, linked with its method,
/// or review).
pub(crate) fn record_resolution(
    tx: &mut Tx,
    tenant_id: Uuid,
    day: NaiveDate,
    decision: Decision,
    resolution: &Resolution<Uuid>,
) {
    let (outcome, method) = match (decision, resolution) {
        (Decision::Linked, Resolution::Link(best)) => ("linked", match_method(best)),
        (Decision::Linked, _) => ("linked", "probabilistic"),
        (Decision::Created, _) => ("created", ""),
        (Decision::Review | Decision::Ambiguous, _) => ("review", ""),
    };
    tx.count_stat(tenant_id, day, "resolution", outcome, method, 1, 0.0);
}

/// The strongest identifier that agreed in a link's explanation; `probabilistic` when only the
/// model's comparisons (names, address) carried it.
pub fn match_method(best: &ScoredCandidate<Uuid>) -> &'static str {
    METHODS
        .iter()
        .find(|m| best.explanation.iter().any(|e| e.comparison == **m))
        .copied()
        .unwrap_or("probabilistic")
}

/// The instants a range covers: from its first day's midnight to the midnight after its last.
fn instants(range: DateRange) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    (
        midnight(range.from()),
        midnight(range.to()) + Duration::days(1),
    )
}

fn day_index(range: DateRange, day: &str) -> Option<usize> {
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    (day >= range.from() && day <= range.to()).then(|| (day - range.from()).num_days() as usize)
}

/// One series per key (in the given order), a value per day of the range, zeros where no row is.
fn time_chart<'a, K>(
    range: DateRange,
    keys: K,
    rows: &'a [StatRow],
    pick: impl Fn(&'a StatRow) -> (&'a String, f64),
) -> TimeChart
where
    K: IntoIterator<Item = (&'static str, &'static str)>,
{
    let days = range.days();
    let mut series: Vec<Series> = keys
        .into_iter()
        .map(|(key, label)| Series {
            key: key.into(),
            label: label.into(),
            values: vec![0.0; days.len()],
        })
        .collect();
    for row in rows {
        let (key, value) = pick(row);
        if let (Some(i), Some(s)) = (
            day_index(range, &row.day),
            series.iter_mut().find(|s| &s.key == key),
        ) {
            s.values[i] += value;
        }
    }
    TimeChart { days, series }
}

fn stat(day: String, dim1: &str, dim2: &str, n: i64) -> StatRow {
    StatRow {
        day,
        dim1: dim1.into(),
        dim2: dim2.into(),
        n,
        total: 0.0,
    }
}

fn bar(key: &str, label: &str, value: i64) -> Bar {
    Bar {
        key: key.into(),
        label: label.into(),
        value: value as f64,
    }
}

/// A person's word for a key the charts show.
fn label(key: &str) -> &'static str {
    if let Some(channel) = Channel::parse(key) {
        return channel.label();
    }
    match key {
        "inbound" => "Inbound",
        "outbound" => "Outbound",
        "internal" => "Internal",
        "external_id" => "External id",
        "login" => "Login",
        "handle" => "Handle",
        "address_hash" => "Address",
        "probabilistic" => "Probabilistic",
        "prospect" => "Prospect",
        "lead" => "Lead",
        "customer" => "Customer",
        "churned" => "Churned",
        _ => "Other",
    }
}
