//! The region a phone number is read in when it carries no country code: a tenant setting,
//! validated once against the numbering-plan metadata so parsing never meets an unknown one.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use serde::{Deserialize, Serialize};

use super::PhoneError;

/// An ISO 3166 alpha-2 region that the phone metadata knows (default: US).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(Id);

impl Region {
    /// Case-insensitive ISO 3166 alpha-2 code ("us", "BR").
    pub fn parse(raw: &str) -> Result<Region, PhoneError> {
        let code = raw.trim().to_ascii_uppercase();
        let unknown = || PhoneError::UnknownRegion(raw.trim().to_string());
        let id: Id = code.parse().map_err(|_| unknown())?;
        // A few codes (AQ, BV...) exist in the enum but have no numbering plan.
        if DATABASE.by_id(id.as_ref()).is_none() {
            return Err(unknown());
        }
        Ok(Region(id))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// The phonenumber crate's id, for callers that need the metadata directly.
    pub fn id(&self) -> Id {
        self.0
    }

    /// The country calling code (1 for US); `None` never happens for a parsed region but
    /// is kept honest rather than asserted.
    pub fn country_code(&self) -> Option<u16> {
        DATABASE
            .by_id(self.0.as_ref())
            .map(|meta| meta.country_code())
    }
}

impl Default for Region {
    fn default() -> Self {
        Region(Id::US)
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Region {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::parse(s)
    }
}

impl TryFrom<String> for Region {
    type Error = PhoneError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Region::parse(&value)
    }
}

impl From<Region> for String {
    fn from(region: Region) -> Self {
        region.as_str().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_case_insensitively() {
        for (input, expected) in [("US", "US"), ("us", "US"), (" br ", "BR"), ("Gb", "GB")] {
            assert_eq!(
                Region::parse(input).map(|r| r.to_string()),
                Ok(expected.into())
            );
        }
    }

    #[test]
    fn unknown_regions_are_rejected() {
        for input in ["", "USA", "ZZ", "UK", "AQ", "1"] {
            assert_eq!(
                Region::parse(input),
                Err(PhoneError::UnknownRegion(input.trim().to_string())),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn default_region_is_us() {
        assert_eq!(Region::default().as_str(), "US");
        assert_eq!(Region::default().country_code(), Some(1));
    }
}
