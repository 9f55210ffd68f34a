//! The identifier vocabulary shared by the engine and the store: what kind of identifier a
//! value is, the normalized triple that is stored and matched on, and the lower-confidence
//! variants a normalizer proposes alongside it.

use serde::{Deserialize, Serialize};

pub use crate::normalize::{Variant, VariantReason};

use crate::normalize::address::Address;
use crate::normalize::email::Email;
use crate::normalize::external::ExternalId;
use crate::normalize::handle::Handle;
use crate::normalize::phone::Phone;

/// Kinds of identifier, in the order of matching strength the resolver uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    ExternalId,
    Login,
    Email,
    Phone,
    Handle,
    AddressHash,
}

impl IdentifierKind {
    pub const ALL: [IdentifierKind; 6] = [
        IdentifierKind::ExternalId,
        IdentifierKind::Login,
        IdentifierKind::Email,
        IdentifierKind::Phone,
        IdentifierKind::Handle,
        IdentifierKind::AddressHash,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            IdentifierKind::ExternalId => "external_id",
            IdentifierKind::Login => "login",
            IdentifierKind::Email => "email",
            IdentifierKind::Phone => "phone",
            IdentifierKind::Handle => "handle",
            IdentifierKind::AddressHash => "address_hash",
        }
    }

    /// The inverse of [`IdentifierKind::as_str`]; exact and case-sensitive because these
    /// strings are stored, not typed by people.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }
}

impl std::fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A normalized identifier as stored: kind, provider ("" when the kind has none; platform for
/// handles; provider for external ids), normalized value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identifier {
    pub kind: IdentifierKind,
    pub provider: String,
    pub value: String,
}

impl Identifier {
    pub fn new(
        kind: IdentifierKind,
        provider: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Identifier {
            kind,
            provider: provider.into(),
            value: value.into(),
        }
    }
}

impl From<&Email> for Identifier {
    fn from(email: &Email) -> Self {
        Identifier::new(IdentifierKind::Email, "", email.as_str())
    }
}

/// The extension is deliberately left out: it reaches a desk, not a different person's line.
impl From<&Phone> for Identifier {
    fn from(phone: &Phone) -> Self {
        Identifier::new(IdentifierKind::Phone, "", phone.e164())
    }
}

impl From<&Handle> for Identifier {
    fn from(handle: &Handle) -> Self {
        Identifier::new(IdentifierKind::Handle, handle.platform(), handle.handle())
    }
}

impl From<&ExternalId> for Identifier {
    fn from(id: &ExternalId) -> Self {
        Identifier::new(IdentifierKind::ExternalId, id.provider(), id.id())
    }
}

impl From<&Address> for Identifier {
    fn from(address: &Address) -> Self {
        Identifier::new(IdentifierKind::AddressHash, "", address.hash())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_strings_round_trip() {
        for kind in IdentifierKind::ALL {
            assert_eq!(IdentifierKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(IdentifierKind::parse("Email"), None);
        assert_eq!(IdentifierKind::parse(""), None);
    }

    #[test]
    fn kind_serializes_as_its_stored_string() {
        // serde's rename and as_str must never drift apart: the store writes one, the API the other.
        for kind in IdentifierKind::ALL {
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn normalized_values_become_stored_identifiers() {
        use crate::normalize::address::AddressInput;
        use crate::normalize::phone::Region;

        let email = Email::parse(" Ann@Example.COM ").map(|e| Identifier::from(&e));
        assert_eq!(
            email,
            Ok(Identifier::new(
                IdentifierKind::Email,
                "",
                "ann@example.com"
            ))
        );

        // The extension reaches a desk, not another person: it is not part of the identity.
        let phone =
            Phone::parse("916-555-1234 x7", Region::default()).map(|p| Identifier::from(&p));
        assert_eq!(
            phone,
            Ok(Identifier::new(IdentifierKind::Phone, "", "+19165551234"))
        );

        let handle = Handle::parse("IG", "@JohnDoe").map(|h| Identifier::from(&h));
        assert_eq!(
            handle,
            Ok(Identifier::new(
                IdentifierKind::Handle,
                "instagram",
                "johndoe"
            ))
        );

        let external = ExternalId::parse("Shopify", "cust_1").map(|e| Identifier::from(&e));
        assert_eq!(
            external,
            Ok(Identifier::new(
                IdentifierKind::ExternalId,
                "shopify",
                "cust_1"
            ))
        );

        let address = Address::parse(AddressInput {
            line1: "123 Main St",
            ..Default::default()
        });
        let identifier = address.as_ref().map(Identifier::from);
        assert_eq!(
            identifier.as_ref().map(|i| i.kind),
            Ok(IdentifierKind::AddressHash)
        );
        assert_eq!(
            identifier.map(|i| i.value),
            address.as_ref().map(Address::hash)
        );
    }

    #[test]
    fn variant_reason_serializes_as_its_string() {
        let json = serde_json::to_string(&VariantReason::MobileNinthDigit).unwrap_or_default();
        assert_eq!(
            json,
            format!("\"{}\"", VariantReason::MobileNinthDigit.as_str())
        );
    }
}
