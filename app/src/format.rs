//! Small pieces of presentation shared by pages: relative times and channel icons.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::types::Channel;

/// "just now", "5 minutes ago", "yesterday", "3 days ago", "2 months ago"... measured from `now`
/// (the server's clock, so the server and the browser render the same words).
pub fn relative_time(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - then).num_minutes();
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match minutes {
        ..1 => "just now".to_owned(),
        1..60 => plural(minutes, "minute"),
        60..1440 => plural(minutes / 60, "hour"),
        1440..2880 => "yesterday".to_owned(),
        2880..43200 => plural(minutes / 1440, "day"),
        43200..525600 => plural(minutes / 43200, "month"),
        _ => plural(minutes / 525600, "year"),
    }
}

/// A 16×16 line icon per channel (inline SVG, so no icon font or download is needed).
fn channel_svg(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => r#"<path d="M2.5 3h11v7.5H7L4 13v-2.5H2.5z"/>"#,
        Channel::Email => {
            r#"<rect x="1.5" y="3.5" width="13" height="9" rx="1.2"/><path d="M2 4.5 8 9l6-4.5"/>"#
        }
        Channel::Whatsapp => {
            r#"<path d="M8 1.8a6.2 6.2 0 0 0-5.3 9.4L1.8 14.2l3.1-.9A6.2 6.2 0 1 0 8 1.8z"/><path d="M6 5.5c0 2.5 2 4.5 4.5 4.5"/>"#
        }
        Channel::Instagram => {
            r#"<rect x="2" y="2" width="12" height="12" rx="3.5"/><circle cx="8" cy="8" r="2.8"/><circle cx="11.6" cy="4.4" r=".5"/>"#
        }
        Channel::Facebook => {
            r#"<path d="M9.5 14.5V8.8h2l.3-2.3H9.5V5.2c0-.7.3-1.1 1.2-1.1h1.2v-2a14 14 0 0 0-1.8-.1c-1.8 0-3 1-3 3v1.5H5.2v2.3h1.9v5.7"/>"#
        }
        Channel::Webchat => {
            r#"<path d="M1.5 2.5h9v6H5.5L3 10.5v-2H1.5z"/><path d="M12.5 5.5h2v6H13v2l-2.5-2H7V10"/>"#
        }
        Channel::Phone => {
            r#"<path d="M3.2 1.8h2.6l1.1 3.4-1.6 1.1a8.5 8.5 0 0 0 4.4 4.4l1.1-1.6 3.4 1.1v2.6a1.2 1.2 0 0 1-1.3 1.2A11.6 11.6 0 0 1 2 3.1a1.2 1.2 0 0 1 1.2-1.3z"/>"#
        }
        Channel::Booking => {
            r#"<rect x="2" y="3" width="12" height="11" rx="1.2"/><path d="M2 6.5h12M5 1.5v3M11 1.5v3M5 9.5h2M9 9.5h2M5 12h2"/>"#
        }
        Channel::Order => {
            r#"<path d="M3 5.5h10l-.8 8.5H3.8z"/><path d="M5.8 5.5V4a2.2 2.2 0 0 1 4.4 0v1.5"/>"#
        }
        Channel::Note => {
            r#"<path d="M3 1.8h7l3 3v9.4H3z"/><path d="M10 1.8v3h3M5.5 8h5M5.5 10.5h5"/>"#
        }
    }
}

/// The icons of the channels a customer used, each labelled for screen readers.
#[component]
pub fn ChannelIcons(channels: Vec<Channel>) -> AnyView {
    let labels = channels
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <span class="channels" title=format!("Channels: {labels}")>
            {channels
                .into_iter()
                .map(|channel| {
                    let svg = format!(
                        r#"<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">{}</svg>"#,
                        channel_svg(channel)
                    );
                    view! {
                        <span
                            class=format!("channel ch-{}", channel.as_str())
                            role="img"
                            aria-label=channel.label()
                            title=channel.label()
                            inner_html=svg
                        ></span>
                    }
                })
                .collect_view()}
        </span>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn relative_times_read_like_a_person_would_say_them() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        let table = [
            (Duration::seconds(-30), "just now"),
            (Duration::seconds(20), "just now"),
            (Duration::minutes(1), "1 minute ago"),
            (Duration::minutes(59), "59 minutes ago"),
            (Duration::minutes(60), "1 hour ago"),
            (Duration::hours(23), "23 hours ago"),
            (Duration::hours(30), "yesterday"),
            (Duration::days(3), "3 days ago"),
            (Duration::days(29), "29 days ago"),
            (Duration::days(45), "1 month ago"),
            (Duration::days(200), "6 months ago"),
            (Duration::days(400), "1 year ago"),
            (Duration::days(1200), "3 years ago"),
        ];
        for (ago, expected) in table {
            assert_eq!(relative_time(now - ago, now), expected, "{ago:?}");
        }
    }

    #[test]
    fn every_channel_has_an_icon() {
        for channel in Channel::ALL {
            assert!(channel_svg(*channel).starts_with('<'), "{channel}");
        }
    }
}

/// The document's title for a page. leptos_meta writes the server-rendered `<title>` without
/// escaping it, and a page's title can be a customer's name, which anyone can choose: on the
/// server it is escaped; in the browser it goes to `document.title`, which is text already.
pub fn document_title(page: String) -> String {
    let title = if page.is_empty() {
        "Spine".to_owned()
    } else {
        format!("{page} · Spine")
    };
    #[cfg(feature = "ssr")]
    let title = html_escape::encode_text(&title).into_owned();
    title
}

#[cfg(all(test, feature = "ssr"))]
mod title_tests {
    use super::document_title;

    #[test]
    fn a_name_cannot_close_the_title_element() {
        let title = document_title("Ann </title><script>alert(1)</script>".into());
        assert!(!title.contains('<') && !title.contains('>'), "{title}");
        assert_eq!(
            title,
            "Ann &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; · Spine"
        );
        assert_eq!(document_title(String::new()), "Spine");
    }
}

/// An amount in a currency's minor unit as people read it: "$1,234.50", "€12.00", "4,500.00 SEK".
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let amount = format!("{grouped}.{:02}", cents % 100);
    match currency.to_ascii_uppercase().as_str() {
        "USD" => format!("{sign}${amount}"),
        "EUR" => format!("{sign}€{amount}"),
        "GBP" => format!("{sign}£{amount}"),
        other => format!("{sign}{amount} {other}"),
    }
}

#[cfg(test)]
mod money_tests {
    use super::money;

    #[test]
    fn amounts_read_with_their_currency_and_thousands() {
        assert_eq!(money(123_450, "usd"), "$1,234.50");
        assert_eq!(money(5, "EUR"), "€0.05");
        assert_eq!(money(-100_000_000, "GBP"), "-£1,000,000.00");
        assert_eq!(money(450_000, "SEK"), "4,500.00 SEK");
        assert_eq!(money(i64::MIN, "USD"), "-$92,233,720,368,547,758.08");
    }
}
