//! Numbering-plan changes that leave two spellings of one line in the wild: Brazil's ninth
//! mobile digit (2012-2016), Mexico's "1" after +52 for mobiles (abolished August 2019), and
//! Argentina's "9" that international callers put before a mobile's area code.

use crate::normalize::{Variant, VariantReason};

const CONFIDENCE: f64 = 0.9;

/// Brazilian mobiles gained a leading 9 (two-digit area code, then 9 + eight digits); old
/// eight-digit mobiles started with 6-9, a range landlines never used.
fn brazil(national: &str) -> Option<(String, VariantReason)> {
    let (area, subscriber) = (national.get(..2)?, national.get(2..)?);
    match subscriber.len() {
        9 if subscriber.starts_with('9') => Some((
            format!("+55{area}{}", &subscriber[1..]),
            VariantReason::MobileNinthDigit,
        )),
        8 if subscriber.starts_with(['6', '7', '8', '9']) => Some((
            format!("+55{area}9{subscriber}"),
            VariantReason::MobileNinthDigit,
        )),
        _ => None,
    }
}

/// Mexican mobiles were dialled from abroad as +52 1 + ten digits; WhatsApp still reports
/// many Mexican numbers in that form.
fn mexico(national: &str) -> Option<(String, VariantReason)> {
    match national.len() {
        10 => Some((format!("+521{national}"), VariantReason::MexicoLegacyOne)),
        11 => national
            .strip_prefix('1')
            .map(|rest| (format!("+52{rest}"), VariantReason::MexicoLegacyOne)),
        _ => None,
    }
}

/// Argentine mobiles are +54 9 + area code + number from abroad, but are often written
/// without the 9 (the domestic form uses 15 instead), which reads as a landline.
fn argentina(national: &str) -> Option<(String, VariantReason)> {
    match national.len() {
        11 => national
            .strip_prefix('9')
            .map(|rest| (format!("+54{rest}"), VariantReason::ArgentinaMobileNine)),
        10 => Some((
            format!("+549{national}"),
            VariantReason::ArgentinaMobileNine,
        )),
        _ => None,
    }
}

pub(super) fn variants(country_code: u16, national: &str) -> Vec<Variant> {
    let other = match country_code {
        55 => brazil(national),
        52 => mexico(national),
        54 => argentina(national),
        _ => None,
    };
    other
        .map(|(value, reason)| Variant {
            value,
            reason,
            confidence: CONFIDENCE,
        })
        .into_iter()
        .collect()
}

/// The current form of a number written in a superseded one, when the metadata rejects the
/// old form and accepts the new: the old form cannot be anyone else's line, so storing the
/// current one is a correction, not a guess (the old form stays reachable as a variant).
pub(super) fn modern_form(country_code: u16, national: &str) -> Option<String> {
    match country_code {
        52 if national.len() == 11 => national.strip_prefix('1').map(|rest| format!("+52{rest}")),
        55 => brazil(national)
            .filter(|_| national.len() == 10)
            .map(|(value, _)| value),
        _ => None,
    }
}
