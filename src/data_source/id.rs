//! The deterministic `id` of every data source: the same query always has the same ID.

use sha2::{Digest, Sha256};

/// A deterministic ID from `parts`: the first 16 bytes of the SHA-256 of the parts joined by
/// line breaks, in hex (32 characters).
pub fn digest(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\n").as_bytes());
    hex::encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_the_hex_of_the_first_half_of_the_sha256_of_the_joined_parts() {
        // printf 'a\nb' | sha256sum
        assert_eq!(digest(&["a", "b"]), "7e18f737311b2dc3b2f269dd78396b03");
    }
}
