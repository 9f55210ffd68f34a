//! The analytics dashboard's vocabulary: the date range a chart covers, and each chart's data as
//! both the console page and the CSV download read it. Plain serde types, compiled for the browser.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Longest range a chart covers, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// The inclusive UTC days a chart covers. Built by [`DateRange::parse`] only, so `from <= to`
/// and the span is at most [`MAX_RANGE_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("range: choose 7d, 30d or 90d, or give from and to")]
    UnknownPreset,
    #[error("{0}: write the date as YYYY-MM-DD")]
    BadDate(&'static str),
    #[error("from and to: give both dates, or neither")]
    HalfOpen,
    #[error("from must not be after to")]
    Reversed,
    #[error("the range is longer than {MAX_RANGE_DAYS} days")]
    TooLong,
}

impl DateRange {
    /// The last `days` days, ending with `today`.
    pub fn last_days(days: i64, today: NaiveDate) -> DateRange {
        DateRange {
            from: today - Duration::days(days.clamp(1, MAX_RANGE_DAYS) - 1),
            to: today,
        }
    }

    /// A range from the query string: `range=7d|30d|90d`, or `from` and `to` (YYYY-MM-DD,
    /// inclusive), which win when given. Nothing at all means the last 30 days.
    pub fn parse(
        range: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<DateRange, RangeError> {
        let date = |s: &str, field| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| RangeError::BadDate(field))
        };
        match (filled(from), filled(to)) {
            (Some(from), Some(to)) => DateRange::between(date(from, "from")?, date(to, "to")?),
            (None, None) => match filled(range).unwrap_or("30d") {
                "7d" => Ok(DateRange::last_days(7, today)),
                "30d" => Ok(DateRange::last_days(30, today)),
                "90d" => Ok(DateRange::last_days(90, today)),
                _ => Err(RangeError::UnknownPreset),
            },
            _ => Err(RangeError::HalfOpen),
        }
    }

    pub fn between(from: NaiveDate, to: NaiveDate) -> Result<DateRange, RangeError> {
        if from > to {
            return Err(RangeError::Reversed);
        }
        if (to - from).num_days() + 1 > MAX_RANGE_DAYS {
            return Err(RangeError::TooLong);
        }
        Ok(DateRange { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.from
            .iter_days()
            .take_while(|d| *d <= self.to)
            .collect()
    }

    /// The preset this range is (`7d`, `30d`, `90d`) when it ends `today`.
    pub fn preset(&self, today: NaiveDate) -> Option<&'static str> {
        if self.to != today {
            return None;
        }
        match (self.to - self.from).num_days() + 1 {
            7 => Some("7d"),
            30 => Some("30d"),
            90 => Some("90d"),
            _ => None,
        }
    }

    /// The query string that asks for this range again.
    pub fn query(&self) -> String {
        format!("from={}&to={}", self.from, self.to)
    }
}

/// The trimmed text, unless blank.
fn filled(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// One named series of a time chart: a value per day of the chart's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Stable key (a channel, a direction, a decision): picks the colour and names the CSV column.
    pub key: String,
    pub label: String,
    pub values: Vec<f64>,
}

/// Values per day, one series per key; days without data are zeros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeChart {
    pub days: Vec<NaiveDate>,
    pub series: Vec<Series>,
}

impl TimeChart {
    pub fn total(&self) -> f64 {
        self.series.iter().flat_map(|s| &s.values).sum()
    }

    pub fn table(&self) -> Table {
        let mut columns = vec!["day".to_owned()];
        columns.extend(self.series.iter().map(|s| s.key.clone()));
        let rows = self
            .days
            .iter()
            .enumerate()
            .map(|(i, day)| {
                let mut row = vec![day.to_string()];
                row.extend(
                    self.series
                        .iter()
                        .map(|s| number(s.values.get(i).copied().unwrap_or(0.0))),
                );
                row
            })
            .collect();
        Table { columns, rows }
    }
}

/// One bar of a category chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub key: String,
    pub label: String,
    pub value: f64,
}

/// Values per category, in display order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarChart {
    /// The CSV header of the category column ("channels", "stage").
    pub category: String,
    pub bars: Vec<Bar>,
}

impl BarChart {
    pub fn total(&self) -> f64 {
        self.bars.iter().map(|b| b.value).sum()
    }

    pub fn table(&self) -> Table {
        Table {
            columns: vec![self.category.clone(), "count".to_owned()],
            rows: self
                .bars
                .iter()
                .map(|b| vec![b.key.clone(), number(b.value)])
                .collect(),
        }
    }
}

/// A chart's data as rows, for the CSV download and the page's data tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Whole numbers without a fraction; others with up to three decimals.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{:.3}", v)
    }
}

macro_rules! charts {
    ($($variant:ident => $slug:tt, $title:tt;)+) => {
        /// Every chart of the dashboard; the slug names its CSV (`/analytics/<slug>.csv`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ChartId { $($variant),+ }

        impl ChartId {
            pub const ALL: &'static [ChartId] = &[$(ChartId::$variant),+];

            pub fn slug(&self) -> &'static str {
                match self { $(ChartId::$variant => $slug),+ }
            }

            pub fn title(&self) -> &'static str {
                match self { $(ChartId::$variant => $title),+ }
            }

            pub fn parse(slug: &str) -> Option<ChartId> {
                match slug { $($slug => Some(ChartId::$variant),)+ _ => None }
            }
        }
    };
}

charts! {
    Channels => "channels", "Interactions by channel";
    Directions => "directions", "Inbound vs outbound";
    ChannelMix => "channel-mix", "Customers by number of channels";
    Sequences => "sequences", "First channel → later channel";
    Resolution => "resolution", "New profiles, links and merges";
    MatchMethods => "match-methods", "How links were made";
    ReviewBacklog => "review-backlog", "Pending reviews by age";
    ReviewDecisions => "review-decisions", "Review decisions";
    Completeness => "completeness", "Contact details on file";
    Identities => "identities", "Identities per profile";
    Lifecycle => "lifecycle", "Profiles by lifecycle stage";
    Sources => "sources", "Sources";
    Campaigns => "campaigns", "Campaigns";
    Sentiment => "sentiment", "Average sentiment";
    Topics => "topics", "What conversations are about";
}

/// Channel usage over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelUsage {
    /// Interactions per day, one series per channel (stacked).
    pub channels: TimeChart,
    /// Interactions per day by direction.
    pub directions: TimeChart,
}

/// How incoming senders were resolved, and merges, over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionStats {
    /// New profiles (`created`), links to known profiles (`linked`), review items (`review`)
    /// and merges (`merged`) per day.
    pub per_day: TimeChart,
    /// Links by the strongest identifier that agreed, or `probabilistic`.
    pub methods: BarChart,
    /// links / (links + created + review), when there was any resolution.
    pub auto_link_rate: Option<f64>,
}

/// Review decisions over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewStats {
    /// Merged, rejected and deferred per day.
    pub decisions: TimeChart,
    /// rejected / (merged + rejected), when anything was decided.
    pub rejected_share: Option<f64>,
}

/// Average sentiment per day, and how many rated interactions it is drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentTrend {
    /// Series `average` (-1 to 1; 0 on days without data) and `rated` (count).
    pub per_day: TimeChart,
    pub rated: i64,
}

/// Current-state aggregates over the tenant's active profiles, computed now and then and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub computed_at: chrono::DateTime<chrono::Utc>,
    /// Active profiles.
    pub profiles: i64,
    /// 1, 2, 3, 4+ channels.
    pub channel_mix: BarChart,
    /// Top 10 first channel → later channel pairs (key `email>sms`).
    pub sequences: BarChart,
    pub completeness: BarChart,
    pub identities: BarChart,
    pub lifecycle: BarChart,
    pub sources: BarChart,
    pub campaigns: BarChart,
    /// Pending review items by age.
    pub review_backlog: BarChart,
    pub pending_reviews: i64,
}

/// Everything the dashboard shows for one range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub range: DateRange,
    pub usage: ChannelUsage,
    pub resolution: ResolutionStats,
    pub review: ReviewStats,
    pub sentiment: SentimentTrend,
    /// Messages per topic over the range (a message may raise several), most raised first.
    pub topics: BarChart,
    pub snapshot: Snapshot,
}

impl Snapshot {
    /// One current-state chart's rows; empty for a chart the snapshot does not hold.
    pub fn table(&self, chart: ChartId) -> Table {
        let bars = match chart {
            ChartId::ChannelMix => &self.channel_mix,
            ChartId::Sequences => &self.sequences,
            ChartId::ReviewBacklog => &self.review_backlog,
            ChartId::Completeness => &self.completeness,
            ChartId::Identities => &self.identities,
            ChartId::Lifecycle => &self.lifecycle,
            ChartId::Sources => &self.sources,
            ChartId::Campaigns => &self.campaigns,
            _ => {
                return Table {
                    columns: Vec::new(),
                    rows: Vec::new(),
                };
            }
        };
        bars.table()
    }
}

impl Dashboard {
    /// One chart's data as rows: what its CSV holds.
    pub fn table(&self, chart: ChartId) -> Table {
        match chart {
            ChartId::Channels => self.usage.channels.table(),
            ChartId::Directions => self.usage.directions.table(),
            ChartId::Resolution => self.resolution.per_day.table(),
            ChartId::MatchMethods => self.resolution.methods.table(),
            ChartId::ReviewDecisions => self.review.decisions.table(),
            ChartId::Sentiment => self.sentiment.per_day.table(),
            ChartId::Topics => self.topics.table(),
            _ => self.snapshot.table(chart),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn presets_end_today_and_custom_ranges_are_checked() {
        let today = day("2026-03-10");
        let r = DateRange::parse(Some("7d"), None, None, today).expect("7d");
        assert_eq!((r.from(), r.to()), (day("2026-03-04"), today));
        assert_eq!(r.days().len(), 7);
        assert_eq!(r.preset(today), Some("7d"));
        let r = DateRange::parse(None, Some("2026-01-01"), Some("2026-01-31"), today).expect("ok");
        assert_eq!(r.days().len(), 31);
        let cases = [
            (Some("5y"), None, None, RangeError::UnknownPreset),
            (
                None,
                Some("2026-02-30"),
                Some("2026-03-01"),
                RangeError::BadDate("from"),
            ),
            (
                None,
                Some("2026-03-01"),
                Some("yesterday"),
                RangeError::BadDate("to"),
            ),
            (None, Some("2026-03-01"), None, RangeError::HalfOpen),
            (
                None,
                Some("2026-03-02"),
                Some("2026-03-01"),
                RangeError::Reversed,
            ),
            (
                None,
                Some("2024-01-01"),
                Some("2026-01-01"),
                RangeError::TooLong,
            ),
        ];
        for (range, from, to, expected) in cases {
            assert_eq!(DateRange::parse(range, from, to, today), Err(expected));
        }
    }
}
