//! What a normalized identifier is keyed by beyond its value: the lock keys that serialise
//! everyone resolving or erasing it (ingestion, erasure), and the tombstone an erased identifier
//! leaves so it is not learned again. One definition each, so the writers that must agree do.

use sha2::{Digest, Sha256};

/// The lock keys of one identifier: its exact value, and its match key (what variants share).
pub fn lock_keys(kind: &str, provider: &str, value: &str, match_key: &str) -> [String; 2] {
    [
        format!("id:{kind}:{provider}:{value}"),
        format!("key:{kind}:{match_key}"),
    ]
}

/// The lock key of a variant an identifier could also be found by (a Gmail address without
/// its dots): the key the variant's own identifier would take as its exact value.
pub fn variant_lock_key(kind: &str, provider: &str, variant: &str) -> String {
    format!("id:{kind}:{provider}:{variant}")
}

/// The tombstone of one identifier: a hash keyed by its tenant (the tenant id's bytes), so equal
/// identifiers of two tenants leave unrelated tombstones and the table alone reveals nothing.
pub fn tombstone_hash(tenant: &[u8], kind: &str, provider: &str, value: &str) -> String {
    let digest = Sha256::new()
        .chain_update(tenant)
        .chain_update(kind.as_bytes())
        .chain_update([0])
        .chain_update(provider.as_bytes())
        .chain_update([0])
        .chain_update(value.as_bytes())
        .finalize();
    hex::encode(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variant_locks_what_its_own_identifier_would() {
        let [exact, _] = lock_keys("email", "", "ann.lee@gmail.com", "annlee@gmail.com");
        assert_eq!(variant_lock_key("email", "", "ann.lee@gmail.com"), exact);
    }

    #[test]
    fn tombstones_depend_on_tenant_and_every_part() {
        let base = tombstone_hash(&[1; 16], "email", "", "a@b.c");
        assert_eq!(base.len(), 64);
        assert_eq!(base, tombstone_hash(&[1; 16], "email", "", "a@b.c"));
        for other in [
            tombstone_hash(&[2; 16], "email", "", "a@b.c"),
            tombstone_hash(&[1; 16], "phone", "", "a@b.c"),
            tombstone_hash(&[1; 16], "email", "x", "a@b.c"),
            tombstone_hash(&[1; 16], "email", "", "a@b.d"),
            // The separators keep the parts apart: moving a character across is another hash.
            tombstone_hash(&[1; 16], "emai", "l", "a@b.c"),
        ] {
            assert_ne!(base, other);
        }
    }
}
