//! Country and first-level region names people type, mapped to ISO 3166 codes (countries,
//! uppercase alpha-2) and postal abbreviations (US states, Canadian provinces), so "United
//! States", "USA" and "U.S." hash the same.

/// Keys are folded the way `places` receives them: lowercase, no accents, no periods.
const COUNTRIES: &[(&str, &str)] = &[
    ("america", "US"),
    ("u s", "US"),
    ("u s a", "US"),
    ("united states", "US"),
    ("united states of america", "US"),
    ("us", "US"),
    ("usa", "US"),
    ("britain", "GB"),
    ("england", "GB"),
    ("gbr", "GB"),
    ("great britain", "GB"),
    ("northern ireland", "GB"),
    ("scotland", "GB"),
    ("uk", "GB"),
    ("united kingdom", "GB"),
    ("wales", "GB"),
    ("can", "CA"),
    ("canada", "CA"),
    ("mex", "MX"),
    ("mexico", "MX"),
    ("bra", "BR"),
    ("brasil", "BR"),
    ("brazil", "BR"),
    ("arg", "AR"),
    ("argentina", "AR"),
    ("deu", "DE"),
    ("deutschland", "DE"),
    ("germany", "DE"),
    ("fra", "FR"),
    ("france", "FR"),
    ("esp", "ES"),
    ("espana", "ES"),
    ("spain", "ES"),
    ("ita", "IT"),
    ("italia", "IT"),
    ("italy", "IT"),
    ("portugal", "PT"),
    ("prt", "PT"),
    ("holland", "NL"),
    ("netherlands", "NL"),
    ("nld", "NL"),
    ("the netherlands", "NL"),
    ("bel", "BE"),
    ("belgium", "BE"),
    ("che", "CH"),
    ("schweiz", "CH"),
    ("suisse", "CH"),
    ("switzerland", "CH"),
    ("austria", "AT"),
    ("aut", "AT"),
    ("osterreich", "AT"),
    ("ireland", "IE"),
    ("irl", "IE"),
    ("aus", "AU"),
    ("australia", "AU"),
    ("new zealand", "NZ"),
    ("nzl", "NZ"),
    ("ind", "IN"),
    ("india", "IN"),
    ("japan", "JP"),
    ("jpn", "JP"),
    ("china", "CN"),
    ("chn", "CN"),
    ("kor", "KR"),
    ("korea", "KR"),
    ("south korea", "KR"),
    ("sgp", "SG"),
    ("singapore", "SG"),
    ("swe", "SE"),
    ("sweden", "SE"),
    ("nor", "NO"),
    ("norway", "NO"),
    ("denmark", "DK"),
    ("dnk", "DK"),
    ("fin", "FI"),
    ("finland", "FI"),
    ("pol", "PL"),
    ("poland", "PL"),
    ("col", "CO"),
    ("colombia", "CO"),
    ("chile", "CL"),
    ("chl", "CL"),
    ("per", "PE"),
    ("peru", "PE"),
    ("south africa", "ZA"),
    ("zaf", "ZA"),
    ("philippines", "PH"),
    ("phl", "PH"),
    ("pri", "PR"),
    ("puerto rico", "PR"),
    ("israel", "IL"),
    ("isr", "IL"),
    ("are", "AE"),
    ("uae", "AE"),
    ("united arab emirates", "AE"),
];

const US_STATES: &[(&str, &str)] = &[
    ("alabama", "al"),
    ("alaska", "ak"),
    ("american samoa", "as"),
    ("arizona", "az"),
    ("arkansas", "ar"),
    ("california", "ca"),
    ("colorado", "co"),
    ("connecticut", "ct"),
    ("delaware", "de"),
    ("district of columbia", "dc"),
    ("florida", "fl"),
    ("georgia", "ga"),
    ("guam", "gu"),
    ("hawaii", "hi"),
    ("idaho", "id"),
    ("illinois", "il"),
    ("indiana", "in"),
    ("iowa", "ia"),
    ("kansas", "ks"),
    ("kentucky", "ky"),
    ("louisiana", "la"),
    ("maine", "me"),
    ("maryland", "md"),
    ("massachusetts", "ma"),
    ("michigan", "mi"),
    ("minnesota", "mn"),
    ("mississippi", "ms"),
    ("missouri", "mo"),
    ("montana", "mt"),
    ("nebraska", "ne"),
    ("nevada", "nv"),
    ("new hampshire", "nh"),
    ("new jersey", "nj"),
    ("new mexico", "nm"),
    ("new york", "ny"),
    ("north carolina", "nc"),
    ("north dakota", "nd"),
    ("northern mariana islands", "mp"),
    ("ohio", "oh"),
    ("oklahoma", "ok"),
    ("oregon", "or"),
    ("pennsylvania", "pa"),
    ("puerto rico", "pr"),
    ("rhode island", "ri"),
    ("south carolina", "sc"),
    ("south dakota", "sd"),
    ("tennessee", "tn"),
    ("texas", "tx"),
    ("utah", "ut"),
    ("vermont", "vt"),
    ("virgin islands", "vi"),
    ("virginia", "va"),
    ("washington", "wa"),
    ("washington dc", "dc"),
    ("west virginia", "wv"),
    ("wisconsin", "wi"),
    ("wyoming", "wy"),
];

const CANADIAN_PROVINCES: &[(&str, &str)] = &[
    ("alberta", "ab"),
    ("british columbia", "bc"),
    ("manitoba", "mb"),
    ("new brunswick", "nb"),
    ("newfoundland", "nl"),
    ("newfoundland and labrador", "nl"),
    ("northwest territories", "nt"),
    ("nova scotia", "ns"),
    ("nunavut", "nu"),
    ("ontario", "on"),
    ("prince edward island", "pe"),
    ("quebec", "qc"),
    ("saskatchewan", "sk"),
    ("yukon", "yt"),
];

fn lookup(table: &'static [(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(from, _)| *from == key)
        .map(|(_, to)| *to)
}

/// The ISO alpha-2 code for a cleaned country name or code: the table first, then any
/// two-letter code the phone metadata knows.
pub(super) fn country_code(cleaned: &str) -> Option<String> {
    if let Some(code) = lookup(COUNTRIES, cleaned) {
        return Some(code.to_string());
    }
    let upper = cleaned.to_ascii_uppercase();
    (upper.len() == 2 && upper.parse::<phonenumber::country::Id>().is_ok()).then_some(upper)
}

/// The postal abbreviation of a US state or Canadian province named in full; `country` (an
/// alpha-2 code) narrows the search when known.
pub(super) fn region_code(cleaned: &str, country: Option<&str>) -> Option<&'static str> {
    match country {
        Some("US") => lookup(US_STATES, cleaned),
        Some("CA") => lookup(CANADIAN_PROVINCES, cleaned),
        Some(_) => None,
        None => lookup(US_STATES, cleaned).or_else(|| lookup(CANADIAN_PROVINCES, cleaned)),
    }
}

/// Whether a cleaned word or two name a US state or Canadian province, by code ("il") or in
/// full ("new york").
pub(super) fn is_region(cleaned: &str) -> bool {
    [US_STATES, CANADIAN_PROVINCES].iter().any(|table| {
        table
            .iter()
            .any(|(name, code)| *name == cleaned || *code == cleaned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_fixed_points() {
        for (_, code) in COUNTRIES {
            assert_eq!(
                country_code(&code.to_ascii_lowercase()).as_deref(),
                Some(*code)
            );
        }
        for (_, code) in US_STATES.iter().chain(CANADIAN_PROVINCES) {
            assert_eq!(
                region_code(code, None),
                None,
                "{code} is also a region name"
            );
        }
    }
}
