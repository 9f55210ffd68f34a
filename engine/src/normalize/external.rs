//! External ids: the id a provider (Shopify, Stripe, Amazon...) gives a customer, the
//! strongest identifier there is, so it is kept exactly as the provider wrote it.

const MAX_PROVIDER_LEN: usize = 64;
const MAX_ID_LEN: usize = 255;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExternalIdError {
    #[error("provider is empty")]
    EmptyProvider,
    #[error("{0:?} is not a provider name (lowercase letters, digits, '_' and '-', at most 64)")]
    InvalidProvider(String),
    #[error("external id is empty")]
    EmptyId,
    #[error("external id is too long (at most 255 characters)")]
    IdTooLong,
    #[error("external id contains a control character")]
    ControlCharacter,
}

/// A provider name (lowercase, `[a-z0-9_-]+`) and the provider's id for the customer: trimmed
/// but otherwise untouched, since providers' ids are case-sensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternalId {
    provider: String,
    id: String,
}

impl ExternalId {
    pub fn parse(provider: &str, id: &str) -> Result<ExternalId, ExternalIdError> {
        let provider_name = provider.trim().to_ascii_lowercase();
        if provider_name.is_empty() {
            return Err(ExternalIdError::EmptyProvider);
        }
        let valid = provider_name.len() <= MAX_PROVIDER_LEN
            && provider_name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            return Err(ExternalIdError::InvalidProvider(
                provider.trim().to_string(),
            ));
        }
        let id = id.trim();
        if id.is_empty() {
            return Err(ExternalIdError::EmptyId);
        }
        if id.chars().count() > MAX_ID_LEN {
            return Err(ExternalIdError::IdTooLong);
        }
        if id.chars().any(char::is_control) {
            return Err(ExternalIdError::ControlCharacter);
        }
        Ok(ExternalId {
            provider: provider_name,
            id: id.to_string(),
        })
    }

    pub fn provider(&self) -> &str {
        &self.provider
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// "shopify:cust_123"
impl std::fmt::Display for ExternalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.provider, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_is_lowercased_and_id_kept_as_written() {
        let cases = [
            (" Shopify ", " cust_ABC123 ", "shopify", "cust_ABC123"),
            (
                "amazon",
                "113-1234567-1234567",
                "amazon",
                "113-1234567-1234567",
            ),
            ("ship_station-v2", "Ab Cd", "ship_station-v2", "Ab Cd"),
        ];
        for (provider, id, expected_provider, expected_id) in cases {
            let parsed = ExternalId::parse(provider, id).map(|e| (e.provider, e.id));
            assert_eq!(
                parsed,
                Ok((expected_provider.to_string(), expected_id.to_string())),
                "input {provider:?} {id:?}"
            );
        }
    }

    #[test]
    fn invalid_external_ids_are_rejected_with_a_reason() {
        let cases = [
            ("", "1", ExternalIdError::EmptyProvider),
            ("  ", "1", ExternalIdError::EmptyProvider),
            (
                "shop ify",
                "1",
                ExternalIdError::InvalidProvider("shop ify".into()),
            ),
            (
                "shopify.com",
                "1",
                ExternalIdError::InvalidProvider("shopify.com".into()),
            ),
            ("shopify", "", ExternalIdError::EmptyId),
            ("shopify", " \t ", ExternalIdError::EmptyId),
            ("shopify", "a\u{0}b", ExternalIdError::ControlCharacter),
            ("shopify", "a\nb", ExternalIdError::ControlCharacter),
        ];
        for (provider, id, expected) in cases {
            assert_eq!(
                ExternalId::parse(provider, id),
                Err(expected),
                "input {provider:?} {id:?}"
            );
        }
        assert_eq!(
            ExternalId::parse("shopify", &"x".repeat(256)),
            Err(ExternalIdError::IdTooLong)
        );
        assert!(ExternalId::parse("shopify", &"x".repeat(255)).is_ok());
        assert_eq!(
            ExternalId::parse(&"p".repeat(65), "1"),
            Err(ExternalIdError::InvalidProvider("p".repeat(65)))
        );
    }

    #[test]
    fn display_is_provider_colon_id() {
        let id = ExternalId::parse("Stripe", "cus_9s6XKzkNRiz8i3").map(|e| e.to_string());
        assert_eq!(id.as_deref(), Ok("stripe:cus_9s6XKzkNRiz8i3"));
    }
}
