//! `/analytics`: the dashboard for managers and admins. The range is in the query string
//! (`range=7d|30d|90d`, or `from` and `to`), so every view works without JavaScript and can be
//! shared; each chart links to a CSV of exactly its data for that range.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use spine_core::analytics::{ChartId, Dashboard, Table};

use crate::charts::{DataTable, HBars, LineChart, StackedBars, count};
use crate::server_fns::analytics::{AnalyticsQuery, AnalyticsView, get_analytics};

#[component]
pub fn AnalyticsPage() -> AnyView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| AnalyticsQuery {
            range: q.get("range").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
        })
    });
    let data = Resource::new(move || query.get(), get_analytics);
    view! {
        <Title text="Analytics" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Charts data=view /> }.into_any(),
                    Err(e) => {
                        let q = query.get_untracked();
                        view! {
                            <section class="panel analytics-head">
                                <h1>"Analytics"</h1>
                                <RangePicker preset=None from=q.from to=q.to />
                                <p class="error" role="alert">{e.to_string()}</p>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The presets as links and a custom range as a GET form: both work without JavaScript.
#[component]
fn RangePicker(preset: Option<String>, from: String, to: String) -> AnyView {
    let presets = [("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days")]
        .into_iter()
        .map(|(key, label)| {
            let active = preset.as_deref() == Some(key);
            view! {
                <a
                    href=format!("/analytics?range={key}")
                    class=if active { "range-link active" } else { "range-link" }
                    aria-current=active.then_some("true")
                >
                    {label}
                </a>
            }
        })
        .collect_view();
    view! {
        <div class="range-picker">
            <nav class="range-presets" aria-label="Date range">{presets}</nav>
            <form method="get" action="/analytics" class="range-custom">
                <label>
                    <span>"From"</span>
                    <input type="date" name="from" value=from required />
                </label>
                <label>
                    <span>"To"</span>
                    <input type="date" name="to" value=to required />
                </label>
                <button type="submit" class="small">"Apply"</button>
            </form>
        </div>
    }
    .into_any()
}

/// One chart with its caption, CSV link and data table.
#[component]
fn Figure(
    chart: ChartId,
    query: String,
    table: Table,
    #[prop(optional, into)] note: Option<String>,
    #[prop(optional)] wide: bool,
    children: Children,
) -> AnyView {
    view! {
        <figure class=if wide { "chart panel wide" } else { "chart panel" } id=chart.slug()>
            <figcaption>
                <span class="chart-title">{chart.title()}</span>
                {note.map(|n| view! { <span class="chart-note">{n}</span> })}
                <a
                    class="csv-link"
                    href=format!("/analytics/{}.csv?{query}", chart.slug())
                    download
                    rel="external"
                    aria-label=format!("Download {} as CSV", chart.title())
                >
                    "CSV"
                </a>
            </figcaption>
            {children()}
            <DataTable table />
        </figure>
    }
    .into_any()
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_else(|| "–".to_owned())
}

#[component]
fn Charts(data: AnalyticsView) -> AnyView {
    let AnalyticsView {
        dashboard: d,
        preset,
        today: _,
    } = data;
    let Dashboard {
        range,
        usage,
        resolution,
        review,
        sentiment,
        topics,
        snapshot,
    } = d.clone();
    let q = range.query();
    let table = |c: ChartId| d.table(c);
    let span = format!(
        "{} – {}",
        range.from().format("%b %-d, %Y"),
        range.to().format("%b %-d, %Y")
    );
    let interactions = usage.channels.total();
    let as_of = snapshot.computed_at.format("%H:%M UTC").to_string();
    let aria = |what: &str, total: f64| format!("{what}, {span}: {} in total", count(total));
    let channels_label = aria("Interactions per day by channel", interactions);
    let directions_label = aria(
        "Inbound and outbound interactions per day",
        usage.directions.total(),
    );
    let mix_label = aria(
        "Customers by number of channels used",
        snapshot.channel_mix.total(),
    );
    let resolution_label = aria(
        "New profiles, links, reviews and merges per day",
        resolution.per_day.total(),
    );
    let methods_label = aria("Links by match method", resolution.methods.total());
    let identities_label = aria(
        "Profiles by number of identities",
        snapshot.identities.total(),
    );
    let decisions_label = aria("Review decisions per day", review.decisions.total());
    let backlog_label = aria(
        "Pending review items by age",
        snapshot.review_backlog.total(),
    );
    let completeness_label = aria(
        "Profiles by contact details on file",
        snapshot.completeness.total(),
    );
    let lifecycle_label = aria("Profiles by lifecycle stage", snapshot.lifecycle.total());
    let topics_label = aria("Messages by topic", topics.total());
    let topics_view = if topics.bars.is_empty() {
        view! { <p class="muted chart-empty">"No topics read in this range."</p> }.into_any()
    } else {
        view! { <HBars chart=topics label=topics_label /> }.into_any()
    };
    let sentiment_view = if sentiment.rated == 0 {
        view! { <p class="muted chart-empty">"No sentiment data in this range."</p> }.into_any()
    } else {
        let average = sentiment.per_day.series[0].values.clone();
        let rated = sentiment
            .per_day
            .series
            .get(1)
            .map(|s| s.values.clone())
            .unwrap_or_default();
        view! {
            <LineChart
                days=sentiment.per_day.days.clone()
                values=average
                weights=rated
                label=format!("Average sentiment per day, {span}")
            />
        }
        .into_any()
    };
    view! {
        <section class="panel analytics-head" aria-labelledby="analytics-title">
            <div class="panel-head">
                <h1 id="analytics-title">"Analytics"</h1>
                <p class="muted">{span.clone()}</p>
            </div>
            <RangePicker preset=preset from=range.from().to_string() to=range.to().to_string() />
        </section>
        <section class="kpis" aria-label="Key figures">
            <div class="kpi panel">
                <span class="kpi-label">"Interactions"</span>
                <strong class="kpi-value">{count(interactions)}</strong>
            </div>
            <div class="kpi panel">
                <span class="kpi-label">"Auto-link rate"</span>
                <strong class="kpi-value">{percent(resolution.auto_link_rate)}</strong>
            </div>
            <div class="kpi panel">
                <span class="kpi-label">"Pending reviews"</span>
                <strong class="kpi-value">{count(snapshot.pending_reviews as f64)}</strong>
            </div>
            <div class="kpi panel">
                <span class="kpi-label">"Active profiles"</span>
                <strong class="kpi-value">{count(snapshot.profiles as f64)}</strong>
                <span class="kpi-note muted">"as of " {as_of.clone()}</span>
            </div>
        </section>

        <h2 class="analytics-section">"Channels"</h2>
        <div class="chart-grid">
            <Figure chart=ChartId::Channels query=q.clone() table=table(ChartId::Channels) wide=true note=format!("{} interactions", count(usage.channels.total()))>
                <StackedBars chart=usage.channels.clone() label=channels_label wide=true />
            </Figure>
            <Figure chart=ChartId::Directions query=q.clone() table=table(ChartId::Directions) wide=true note=format!("{} interactions", count(usage.directions.total()))>
                <StackedBars chart=usage.directions.clone() label=directions_label wide=true />
            </Figure>
            <Figure chart=ChartId::ChannelMix query=q.clone() table=table(ChartId::ChannelMix) note=format!("{} customers, as of {as_of}", count(snapshot.channel_mix.total()))>
                <HBars chart=snapshot.channel_mix.clone() label=mix_label />
            </Figure>
            <Figure chart=ChartId::Sequences query=q.clone() table=table(ChartId::Sequences) note="top 10">
                <HBars chart=snapshot.sequences.clone() label="Most common first channel to later channel".to_owned() />
            </Figure>
        </div>

        <h2 class="analytics-section">"Identity resolution"</h2>
        <div class="chart-grid">
            <Figure chart=ChartId::Resolution query=q.clone() table=table(ChartId::Resolution) wide=true note=format!("{} events", count(resolution.per_day.total()))>
                <StackedBars chart=resolution.per_day.clone() label=resolution_label wide=true />
            </Figure>
            <Figure chart=ChartId::MatchMethods query=q.clone() table=table(ChartId::MatchMethods) note=format!("auto-link rate {}", percent(resolution.auto_link_rate))>
                <HBars chart=resolution.methods.clone() label=methods_label />
            </Figure>
            <Figure chart=ChartId::Identities query=q.clone() table=table(ChartId::Identities) note=format!("{} profiles, as of {as_of}", count(snapshot.identities.total()))>
                <HBars chart=snapshot.identities.clone() label=identities_label />
            </Figure>
        </div>

        <h2 class="analytics-section">"Review queue"</h2>
        <div class="chart-grid">
            <Figure chart=ChartId::ReviewDecisions query=q.clone() table=table(ChartId::ReviewDecisions) note=format!("{} rejected as not the same person", percent(review.rejected_share))>
                <StackedBars chart=review.decisions.clone() label=decisions_label />
            </Figure>
            <Figure chart=ChartId::ReviewBacklog query=q.clone() table=table(ChartId::ReviewBacklog) note=format!("{} pending", count(snapshot.pending_reviews as f64))>
                <HBars chart=snapshot.review_backlog.clone() label=backlog_label />
            </Figure>
        </div>

        <h2 class="analytics-section">"Profiles"</h2>
        <div class="chart-grid">
            <Figure chart=ChartId::Completeness query=q.clone() table=table(ChartId::Completeness) note=format!("{} profiles, as of {as_of}", count(snapshot.completeness.total()))>
                <HBars chart=snapshot.completeness.clone() label=completeness_label />
            </Figure>
            <Figure chart=ChartId::Lifecycle query=q.clone() table=table(ChartId::Lifecycle) note=format!("{} profiles, as of {as_of}", count(snapshot.lifecycle.total()))>
                <HBars chart=snapshot.lifecycle.clone() label=lifecycle_label />
            </Figure>
            <Figure chart=ChartId::Sources query=q.clone() table=table(ChartId::Sources) note="top 10">
                <HBars chart=snapshot.sources.clone() label="Profiles by source".to_owned() />
            </Figure>
            <Figure chart=ChartId::Campaigns query=q.clone() table=table(ChartId::Campaigns) note="top 10">
                <HBars chart=snapshot.campaigns.clone() label="Profiles by campaign".to_owned() />
            </Figure>
        </div>

        <h2 class="analytics-section">"Conversations"</h2>
        <div class="chart-grid">
            <Figure chart=ChartId::Sentiment query=q.clone() table=table(ChartId::Sentiment) wide=true note=format!("{} rated interactions", count(sentiment.rated as f64))>
                {sentiment_view}
            </Figure>
            <Figure chart=ChartId::Topics query=q.clone() table=table(ChartId::Topics) note="messages per topic">
                {topics_view}
            </Figure>
        </div>
    }
    .into_any()
}
