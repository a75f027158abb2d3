//! The key of the server's AutoMTLS certificate: ECDSA P-256, generated and used with *ring*.
//!
//! rcgen only assembles the certificate; the key is *ring*'s own, so that which backends rcgen
//! happens to be built with (a test build may add aws-lc-rs) never changes what the plugin does
//! at start. *ring* draws the key from the operating system's generator (`getrandom`), which
//! is ready at once; see the `tls` module for why aws-lc-rs is avoided here.

use rcgen::{PKCS_ECDSA_P256_SHA256, PublicKeyData, SigningKey};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};

/// A fresh P-256 key pair and its PKCS#8 encoding (what rustls loads).
pub(crate) struct ServerKey {
    key_pair: EcdsaKeyPair,
    pkcs8_der: Vec<u8>,
    random: SystemRandom,
}

impl ServerKey {
    pub(crate) fn generate() -> Result<Self, rcgen::Error> {
        let random = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &random)
            .map_err(|_| rcgen::Error::RingUnspecified)?;
        let key_pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &random)
                .map_err(|error| rcgen::Error::RingKeyRejected(error.to_string()))?;
        Ok(Self {
            key_pair,
            pkcs8_der: pkcs8.as_ref().to_vec(),
            random,
        })
    }

    /// The private key as PKCS#8 DER.
    pub(crate) fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8_der
    }
}

impl PublicKeyData for ServerKey {
    /// The public point (SEC1, uncompressed), as rcgen expects for ECDSA.
    fn der_bytes(&self) -> &[u8] {
        self.key_pair.public_key().as_ref()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &PKCS_ECDSA_P256_SHA256
    }
}

impl SigningKey for ServerKey {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.key_pair
            .sign(&self.random, message)
            .map(|signature| signature.as_ref().to_vec())
            .map_err(|_| rcgen::Error::RingUnspecified)
    }
}

#[cfg(test)]
mod tests {
    use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

    use super::*;

    #[test]
    fn signatures_verify_with_the_public_key_and_keys_are_fresh() {
        let key = ServerKey::generate().expect("key");
        let signature = SigningKey::sign(&key, b"certificate body").expect("sign");
        let public_key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, key.der_bytes());
        assert!(public_key.verify(b"certificate body", &signature).is_ok());
        assert!(public_key.verify(b"another body", &signature).is_err());
        let other = ServerKey::generate().expect("other");
        assert_ne!(key.der_bytes(), other.der_bytes());
        assert_ne!(key.pkcs8_der(), other.pkcs8_der());
    }
}
