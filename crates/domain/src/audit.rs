//! The audit log's hash chain. Each entry's hash covers the previous entry's hash and every
//! field of its own, so changing, deleting or reordering any stored entry breaks every hash
//! after it, and `minzheng audit verify` finds the first broken link.
//!
//! The encoding is length-prefixed and fixed here, in one place: the store computes hashes
//! with it when appending and the verifier when checking, on either engine.

use sha2::{Digest, Sha256};

/// The "previous hash" of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an audit entry records, as stored (timestamps as RFC 3339 text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    /// Position in the chain, 1 for the first entry.
    pub seq: i64,
    pub at: &'a str,
    /// The account's username, or `system` for the operator at the console.
    pub actor: &'a str,
    /// The client's address, or `cli`.
    pub address: &'a str,
    /// What was done, e.g. `divisions.import`, `accounts.reveal`, `session.sign_in`.
    pub action: &'a str,
    /// What it was done to, e.g. `division:990101001000`, `user:7`.
    pub object: &'a str,
    /// Why, where the rules require a reason (revealing a number), else empty.
    pub reason: &'a str,
    /// What changed, in a short machine-readable form.
    pub detail: &'a str,
}

/// The hex SHA-256 of the previous hash and this entry's fields.
pub fn chain_hash(prev_hash: &str, fields: &AuditFields<'_>) -> String {
    let mut hasher = Sha256::new();
    let seq = fields.seq.to_string();
    for part in [
        prev_hash,
        seq.as_str(),
        fields.at,
        fields.actor,
        fields.address,
        fields.action,
        fields.object,
        fields.reason,
        fields.detail,
    ] {
        // Length first, so ("ab", "c") and ("a", "bc") hash differently.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

/// The hex SHA-256 of a file's bytes, as recorded for every exported or imported file so that
/// a copy handed to a bank or received from one can be proven to be the same file later.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(detail: &str) -> AuditFields<'_> {
        AuditFields {
            seq: 1,
            at: "2013-07-01T01:00:00.000000Z",
            actor: "admin",
            address: "127.0.0.1",
            action: "divisions.import",
            object: "division:990101000000",
            reason: "",
            detail,
        }
    }

    #[test]
    fn every_field_and_the_previous_hash_change_the_hash() {
        let base = chain_hash(GENESIS_HASH, &fields("rows=5"));
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            chain_hash(GENESIS_HASH, &fields("rows=5")),
            "deterministic"
        );
        assert_ne!(base, chain_hash(GENESIS_HASH, &fields("rows=6")));
        assert_ne!(base, chain_hash(&base, &fields("rows=5")));
        let mut moved = fields("rows=5");
        moved.seq = 2;
        assert_ne!(base, chain_hash(GENESIS_HASH, &moved));
    }

    #[test]
    fn field_boundaries_are_part_of_the_hash() {
        let mut a = fields("");
        a.reason = "ab";
        let mut b = fields("b");
        b.reason = "a";
        assert_ne!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &b));
    }

    #[test]
    fn sha256_of_a_file_is_the_standard_digest() {
        // FIPS 180-2 example "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
