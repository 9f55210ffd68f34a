//! Charts drawn as server-rendered SVG, readable without JavaScript: every mark carries an SVG
//! `<title>` (the browser's own tooltip) and each figure a data table; once hydrated, hovering a
//! mark shows a styled tooltip (event handlers only, nothing runs at render time). Colours are
//! picked by key, so a channel has the same colour in every chart.

use leptos::prelude::*;
use spine_core::analytics::{BarChart, Table, TimeChart};

/// The colour of a series or bar, by its key (a channel, a direction, a decision...).
pub fn color(key: &str) -> &'static str {
    // Sequences (`email>sms`) take their later channel's colour.
    let key = key.rsplit('>').next().unwrap_or(key);
    match key {
        "email" | "inbound" | "linked" => "#4e79a7",
        "sms" | "outbound" => "#f28e2b",
        "whatsapp" | "created" | "merged" | "email_and_phone" => "#59a14f",
        "instagram" | "rejected" | "churned" => "#e15759",
        "facebook" | "external_id" => "#3b5ba5",
        "webchat" | "review" | "email_only" => "#edc948",
        "phone" | "phone_only" => "#b07aa1",
        "booking" | "login" => "#ff9da7",
        "order" | "handle" => "#9c755f",
        "address_hash" => "#76b7b2",
        "probabilistic" | "deferred" | "internal" | "neither" | "unrecorded" => "#a5a09c",
        "lead" => "#76b7b2",
        "customer" => "#59a14f",
        "prospect" => "#4e79a7",
        _ => "#5b7fc7",
    }
}

/// `12345` as `12,345`; fractions with one decimal.
pub fn count(v: f64) -> String {
    if v.fract() != 0.0 {
        return format!("{v:.1}");
    }
    let digits = format!("{}", v.abs() as i64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// A round axis maximum at or above `v`: four gridline steps of 1, 2 or 5 times a power of ten
/// (whole numbers: the charts count things).
fn nice_max(v: f64) -> f64 {
    let step = v / 4.0;
    if step <= 1.0 {
        return 4.0;
    }
    let power = 10f64.powf(step.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|m| *m >= step)
        .unwrap_or(10.0 * power);
    step * 4.0
}

/// What the hover tooltip shows, and where (percent of the chart's width and height).
#[derive(Debug, Clone, PartialEq)]
struct Tip {
    text: String,
    x: f64,
    y: f64,
}

/// The hover tooltip of one chart: shown by the marks' event handlers only.
#[component]
fn Tooltip(tip: RwSignal<Option<Tip>>) -> AnyView {
    (move || {
        tip.get().map(|t| {
            view! {
                <div
                    class="chart-tip"
                    role="status"
                    style=format!("left: {:.1}%; top: {:.1}%", t.x, t.y)
                >
                    {t.text}
                </div>
            }
        })
    })
    .into_any()
}

/// One bar of a chart, in its SVG's units.
struct Bar {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    rx: f64,
    fill: &'static str,
    /// What it stands for: its native tooltip, and the hover tooltip after hydration.
    text: String,
}

/// A bar that explains itself: `<title>` for readers without JavaScript, the chart's tooltip
/// (placed over the bar, in percent of the chart `(w, h)`) on hover.
fn bar_mark(bar: Bar, tip: RwSignal<Option<Tip>>, (w, h): (f64, f64)) -> impl IntoView {
    let Bar {
        x,
        y,
        width,
        height,
        rx,
        fill,
        text,
    } = bar;
    let shown = text.clone();
    let (tx, ty) = ((x + width / 2.0) / w * 100.0, y / h * 100.0);
    view! {
        <rect
            class="mark"
            x=x
            y=y
            width=width
            height=height
            rx=rx
            fill=fill
            on:mouseenter=move |_| tip.set(Some(Tip { text: shown.clone(), x: tx, y: ty }))
            on:mouseleave=move |_| tip.set(None)
        >
            <title>{text}</title>
        </rect>
    }
}

/// A chart's rows as an HTML table, folded away under "Data".
#[component]
pub fn DataTable(table: Table) -> AnyView {
    view! {
        <details class="chart-data">
            <summary>"Data"</summary>
            <div class="chart-data-scroll">
                <table>
                    <thead>
                        <tr>{table.columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        {table
                            .rows
                            .into_iter()
                            .map(|row| view! { <tr>{row.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
    .into_any()
}

/// The series that have data, as a legend with their totals.
#[component]
fn Legend(items: Vec<(String, String, f64)>) -> AnyView {
    view! {
        <ul class="chart-legend">
            {items
                .into_iter()
                .map(|(key, label, total)| {
                    view! {
                        <li>
                            <span class="swatch" style=format!("background: {}", color(&key))></span>
                            {label}
                            " "
                            <span class="muted">{count(total)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The drawing size of a time chart: wide ones span the page, others half of it, so text is
/// drawn at about its CSS size either way.
fn frame(wide: bool) -> (f64, f64) {
    if wide {
        (1100.0, 280.0)
    } else {
        (540.0, 250.0)
    }
}
const LEFT: f64 = 48.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// Horizontal gridlines and their labels, from 0 to `max`.
fn y_axis((w, h): (f64, f64), max: f64, label: impl Fn(f64) -> String) -> impl IntoView {
    let plot_h = h - TOP - BOTTOM;
    (0..=4)
        .map(|i| {
            let v = max * f64::from(i) / 4.0;
            let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
            view! {
                <line class="grid" x1=LEFT x2=w - RIGHT y1=y y2=y />
                <text class="axis" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{label(v)}</text>
            }
        })
        .collect_view()
}

/// Day labels under the plot, about seven of them whatever the range.
fn x_axis((w, h): (f64, f64), days: &[chrono::NaiveDate]) -> impl IntoView + use<> {
    let n = days.len().max(1);
    let step = n.div_ceil(if w > 800.0 { 12 } else { 6 });
    let slot = (w - LEFT - RIGHT) / n as f64;
    days.iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, d)| {
            let x = LEFT + slot * (i as f64 + 0.5);
            view! {
                <text class="axis" x=x y=h - 8.0 text-anchor="middle">{d.format("%b %-d").to_string()}</text>
            }
        })
        .collect_view()
}

/// Values per day, one stacked segment per series.
#[component]
pub fn StackedBars(chart: TimeChart, label: String, #[prop(optional)] wide: bool) -> impl IntoView {
    let tip = RwSignal::new(None::<Tip>);
    let (w, h) = frame(wide);
    let n = chart.days.len().max(1);
    let totals: Vec<f64> = (0..n)
        .map(|i| {
            chart
                .series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    let plot_h = h - TOP - BOTTOM;
    let slot = (w - LEFT - RIGHT) / n as f64;
    let bar_w = (slot * 0.78).max(1.0);
    let mut marks = Vec::new();
    for (i, day) in chart.days.iter().enumerate() {
        let mut base = 0.0;
        for s in &chart.series {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let bar_h = plot_h * v / max;
            let y = TOP + plot_h - plot_h * (base + v) / max;
            base += v;
            let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
            let text = format!("{} · {}: {}", day.format("%a %b %-d"), s.label, count(v));
            marks.push(bar_mark(
                Bar {
                    x,
                    y,
                    width: bar_w,
                    height: bar_h.max(0.5),
                    rx: 0.0,
                    fill: color(&s.key),
                    text,
                },
                tip,
                (w, h),
            ));
        }
    }
    let legend: Vec<(String, String, f64)> = chart
        .series
        .iter()
        .map(|s| (s.key.clone(), s.label.clone(), s.values.iter().sum::<f64>()))
        .filter(|(_, _, t)| *t > 0.0)
        .collect();
    if legend.is_empty() {
        return view! { <p class="muted chart-empty">"No activity in this range."</p> }.into_any();
    }
    view! {
        <div class="chart-plot">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=label class="chart-svg">
                {y_axis((w, h), max, count)}
                {x_axis((w, h), &chart.days)}
                {marks}
            </svg>
            <Tooltip tip />
        </div>
        <Legend items=legend />
    }
    .into_any()
}

/// One average per day on a -1..1 scale, with a point where there was data.
#[component]
pub fn LineChart(
    days: Vec<chrono::NaiveDate>,
    values: Vec<f64>,
    weights: Vec<f64>,
    label: String,
) -> AnyView {
    let tip = RwSignal::new(None::<Tip>);
    let (w, h) = frame(true);
    let n = days.len().max(1);
    let plot_h = h - TOP - BOTTOM;
    let slot = (w - LEFT - RIGHT) / n as f64;
    let y_of = |v: f64| TOP + plot_h * (1.0 - (v.clamp(-1.0, 1.0) + 1.0) / 2.0);
    let mut points = Vec::new();
    let mut marks = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let rated = weights.get(i).copied().unwrap_or(0.0);
        if rated <= 0.0 {
            continue;
        }
        let v = values.get(i).copied().unwrap_or(0.0);
        let (x, y) = (LEFT + slot * (i as f64 + 0.5), y_of(v));
        points.push(format!("{x:.1},{y:.1}"));
        let text = format!(
            "{} · average {v:+.2} ({} rated)",
            day.format("%a %b %-d"),
            count(rated)
        );
        let shown = text.clone();
        let (tx, ty) = (x / w * 100.0, y / h * 100.0);
        marks.push(view! {
            <circle
                class="mark"
                cx=x
                cy=y
                r=3.5
                fill=color("email")
                on:mouseenter=move |_| tip.set(Some(Tip { text: shown.clone(), x: tx, y: ty }))
                on:mouseleave=move |_| tip.set(None)
            >
                <title>{text}</title>
            </circle>
        });
    }
    let ticks = [-1.0, -0.5, 0.0, 0.5, 1.0]
        .map(|v: f64| {
            let y = y_of(v);
            view! {
                <line class=if v == 0.0 { "grid zero" } else { "grid" } x1=LEFT x2=w - RIGHT y1=y y2=y />
                <text class="axis" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{format!("{v:+.1}")}</text>
            }
        })
        .into_iter()
        .collect_view();
    view! {
        <div class="chart-plot">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=label class="chart-svg">
                {ticks}
                {x_axis((w, h), &days)}
                <polyline class="line" points=points.join(" ") fill="none" stroke=color("email") />
                {marks}
            </svg>
            <Tooltip tip />
        </div>
    }
    .into_any()
}

/// One horizontal bar per category, labelled, with its value.
#[component]
pub fn HBars(chart: BarChart, label: String) -> impl IntoView {
    let tip = RwSignal::new(None::<Tip>);
    if chart.bars.is_empty() {
        return view! { <p class="muted chart-empty">"Nothing to show yet."</p> }.into_any();
    }
    let (w, row, label_w, value_w) = (480.0, 30.0, 170.0, 64.0);
    let h = row * chart.bars.len() as f64 + 4.0;
    let total = chart.total();
    let max = chart
        .bars
        .iter()
        .map(|b| b.value)
        .fold(0.0, f64::max)
        .max(1.0);
    let span = w - label_w - value_w;
    let marks = chart
        .bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let y = row * i as f64 + 4.0;
            let bw = (span * b.value / max).max(if b.value > 0.0 { 2.0 } else { 0.0 });
            let share = if total > 0.0 { b.value / total * 100.0 } else { 0.0 };
            let text = format!("{}: {} ({share:.0}%)", b.label, count(b.value));
            view! {
                <text class="bar-label" x=label_w - 8.0 y=y + row / 2.0 + 1.0 text-anchor="end">{b.label.clone()}</text>
                <rect class="track" x=label_w y=y + 4.0 width=span height=row - 10.0 rx=3 />
                {bar_mark(
                    Bar { x: label_w, y: y + 4.0, width: bw, height: row - 10.0, rx: 3.0, fill: color(&b.key), text },
                    tip,
                    (w, h),
                )}
                <text class="bar-value" x=label_w + bw + 6.0 y=y + row / 2.0 + 1.0>{count(b.value)}</text>
            }
        })
        .collect_view();
    view! {
        <div class="chart-plot">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=label class="chart-svg hbars">
                {marks}
            </svg>
            <Tooltip tip />
        </div>
    }
    .into_any()
}
