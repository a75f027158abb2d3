//! go-plugin AutoMTLS, server side.
//!
//! Each start generates a fresh self-signed certificate (ECDSA P-256, SAN `localhost`, a CA
//! like go-plugin's) whose DER goes into the handshake line; Terraform trusts exactly that
//! certificate. In return Terraform passes its own fresh client certificate (ECDSA P-521,
//! SHA-512) in `PLUGIN_CLIENT_CERT`, and the server accepts a connection only from a client
//! presenting exactly that certificate: pinning by bytes. ALPN `h2` is required by grpc-go.
//!
//! # Why *ring*, and P-521 from RustCrypto
//!
//! Every TLS operation uses rustls' *ring* provider, and the certificate's key is *ring*'s.
//! aws-lc-rs is deliberately kept off this path: at the first random number of a process it
//! seeds its DRBG from a CPU-jitter entropy source, which costs about 23 ms of busy CPU time
//! (aws/aws-lc-rs#1140). The handshake line is written after the key generation, so that cost
//! would make every plugin start (three per `terraform plan`) ten times slower. Its build switch
//! `AWS_LC_SYS_NO_JITTER_ENTROPY` only helps builds that set it, which `cargo install` and other
//! people's builds do not. *ring* takes its randomness from the operating system (`getrandom`),
//! which is ready at once.
//!
//! *ring* cannot verify ECDSA P-521, the curve of Terraform's client certificate, so the
//! signature of the client's handshake (CertificateVerify, ECDSA P-521 with SHA-512) is verified
//! with RustCrypto's `p521` crate ([`EcdsaP521Sha512`]); every other scheme goes to *ring*.

use std::sync::Arc;
use std::time::Duration;

use p521::ecdsa::signature::Verifier;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, PrivateKeyDer, PrivatePkcs8KeyDer,
    SignatureVerificationAlgorithm, UnixTime, alg_id,
};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};
use time::OffsetDateTime;

use super::server_key::ServerKey;

/// How far back the certificate's validity starts, for hosts whose clock is slightly behind.
const BACKDATE: Duration = Duration::from_secs(30);
/// How long the certificate is valid; a plugin process lives far shorter.
const VALIDITY: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The server's certificate and private key for one process lifetime.
pub struct ServerIdentity {
    pub certificate_der: CertificateDer<'static>,
    private_key_der: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for ServerIdentity {
    // The private key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerIdentity")
            .field("certificate_der_len", &self.certificate_der.len())
            .finish_non_exhaustive()
    }
}

/// A fresh key pair (*ring*, see `ServerKey`) and a self-signed certificate for `localhost`.
pub fn generate_server_identity() -> Result<ServerIdentity, rcgen::Error> {
    let key = ServerKey::generate()?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Terraform provider plugin");
    // go-plugin marks its certificates as CAs; the host adds this one to its trust pool.
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let now = OffsetDateTime::now_utc();
    params.not_before = now - BACKDATE;
    params.not_after = now + VALIDITY;
    let certificate = params.self_signed(&key)?;
    Ok(ServerIdentity {
        certificate_der: certificate.der().clone(),
        private_key_der: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.pkcs8_der().to_vec())),
    })
}

/// The DER of the first certificate in a PEM text (what `PLUGIN_CLIENT_CERT` holds).
pub fn certificate_der_from_pem(pem: &str) -> Result<Vec<u8>, String> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map(|der| der.as_ref().to_vec())
        .map_err(|e| format!("not a PEM certificate: {e}"))
}

/// The crypto provider used for every TLS operation: *ring* (see the module documentation).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// ECDSA on P-521 with SHA-512, verified by RustCrypto's `p521`: the scheme of Terraform's
/// client certificate, which *ring* does not implement.
#[derive(Debug)]
pub struct EcdsaP521Sha512;

impl SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        // `public_key` is the SEC1 point of the certificate's subjectPublicKey; TLS carries
        // ECDSA signatures DER-encoded. `verify` hashes `message` with SHA-512.
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature =
            p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA512
    }
}

static P521_ALGORITHMS: &[&dyn SignatureVerificationAlgorithm] = &[&EcdsaP521Sha512];

/// The algorithms for the one scheme *ring* lacks, in rustls' form.
static P521_SUPPORTED: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: P521_ALGORITHMS,
    mapping: &[(SignatureScheme::ECDSA_NISTP521_SHA512, P521_ALGORITHMS)],
};

/// TLS 1.2+ server configuration: our identity, ALPN `h2`, and the pinned client certificate
/// required on every connection.
pub fn server_config(
    identity: &ServerIdentity,
    client_certificate_der: &[u8],
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = crypto_provider();
    let verifier = Arc::new(PinnedClientCertificate::new(
        client_certificate_der.to_vec(),
    ));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![identity.certificate_der.clone()],
            identity.private_key_der.clone_key(),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts exactly one client certificate, compared byte for byte, and verifies the client's
/// handshake signature with its key: P-521/SHA-512 by [`EcdsaP521Sha512`], the rest by *ring*.
#[derive(Debug)]
pub struct PinnedClientCertificate {
    expected_der: Vec<u8>,
    ring_algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCertificate {
    pub fn new(expected_der: Vec<u8>) -> Self {
        Self {
            expected_der,
            ring_algorithms: rustls::crypto::ring::default_provider()
                .signature_verification_algorithms,
        }
    }

    /// Where the signature of `scheme` is verified.
    fn algorithms_for(&self, scheme: SignatureScheme) -> &WebPkiSupportedAlgorithms {
        if scheme == SignatureScheme::ECDSA_NISTP521_SHA512 {
            &P521_SUPPORTED
        } else {
            &self.ring_algorithms
        }
    }

    /// `certificate` if it is the pinned one. The handshake signature is checked against the
    /// pinned certificate only: a different one was refused by `verify_client_cert` already,
    /// and is refused there again.
    fn pinned<'a>(
        &self,
        certificate: &'a CertificateDer<'a>,
    ) -> Result<&'a CertificateDer<'a>, rustls::Error> {
        if certificate.as_ref() == self.expected_der.as_slice() {
            Ok(certificate)
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }
}

impl ClientCertVerifier for PinnedClientCertificate {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No CA hints: Go's client then offers its only certificate.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.pinned(end_entity)
            .map(|_| ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let certificate = self.pinned(certificate)?;
        verify_tls12_signature(
            message,
            certificate,
            signature,
            self.algorithms_for(signature.scheme),
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let certificate = self.pinned(certificate)?;
        verify_tls13_signature(
            message,
            certificate,
            signature,
            self.algorithms_for(signature.scheme),
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = P521_SUPPORTED.supported_schemes();
        schemes.extend(self.ring_algorithms.supported_schemes());
        schemes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_certificate_names_localhost_and_hides_the_key() {
        let identity = generate_server_identity().expect("generate");
        let der = identity.certificate_der.as_ref();
        // `localhost` appears as a DNS SAN.
        assert!(der.windows(9).any(|w| w == b"localhost"));
        assert!(!format!("{identity:?}").contains("private_key_der"));
    }

    #[test]
    fn each_start_gets_a_fresh_certificate() {
        let a = generate_server_identity().expect("a");
        let b = generate_server_identity().expect("b");
        assert_ne!(a.certificate_der, b.certificate_der);
    }

    #[test]
    fn pinning_accepts_only_the_exact_bytes() {
        let pinned = generate_server_identity().expect("pinned").certificate_der;
        let other = generate_server_identity().expect("other").certificate_der;
        let verifier = PinnedClientCertificate::new(pinned.to_vec());
        let now = UnixTime::now();
        assert!(verifier.verify_client_cert(&pinned, &[], now).is_ok());
        assert!(verifier.verify_client_cert(&other, &[], now).is_err());
        assert!(verifier.client_auth_mandatory());
        assert!(
            verifier
                .supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
    }

    #[test]
    fn p521_signatures_are_verified_and_anything_else_is_rejected() {
        use p521::ecdsa::signature::RandomizedSigner;
        use p521::ecdsa::{Signature, SigningKey};
        use p521::elliptic_curve::rand_core::OsRng;

        let point = |key: &SigningKey| {
            p521::ecdsa::VerifyingKey::from(key)
                .to_encoded_point(false)
                .as_bytes()
                .to_vec()
        };
        let key = SigningKey::random(&mut OsRng);
        let message = b"the client's CertificateVerify content";
        let signature: Signature = key.sign_with_rng(&mut OsRng, message);
        let der = signature.to_der().as_bytes().to_vec();
        let algorithm = EcdsaP521Sha512;
        assert!(
            algorithm
                .verify_signature(&point(&key), message, &der)
                .is_ok()
        );

        let mut tampered = der.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let other_key = point(&SigningKey::random(&mut OsRng));
        for (what, public_key, signed, signature) in [
            (
                "another message",
                point(&key),
                &b"another message"[..],
                der.clone(),
            ),
            ("a tampered signature", point(&key), &message[..], tampered),
            ("another key", other_key, &message[..], der.clone()),
            (
                "a public key that is no point",
                b"not a point".to_vec(),
                &message[..],
                der.clone(),
            ),
            (
                "a signature that is no DER",
                point(&key),
                &message[..],
                b"not DER".to_vec(),
            ),
        ] {
            assert!(
                algorithm
                    .verify_signature(&public_key, signed, &signature)
                    .is_err(),
                "{what} must be rejected"
            );
        }
        // The identifiers webpki matches against the certificate and the scheme.
        assert_eq!(algorithm.public_key_alg_id(), alg_id::ECDSA_P521);
        assert_eq!(algorithm.signature_alg_id(), alg_id::ECDSA_SHA512);
        assert_eq!(
            P521_SUPPORTED.supported_schemes(),
            vec![SignatureScheme::ECDSA_NISTP521_SHA512]
        );
    }

    #[test]
    fn handshake_signatures_are_checked_only_for_the_pinned_certificate() {
        let pinned = generate_server_identity().expect("pinned").certificate_der;
        let other = generate_server_identity().expect("other").certificate_der;
        let verifier = PinnedClientCertificate::new(pinned.to_vec());
        assert!(verifier.pinned(&pinned).is_ok());
        assert!(verifier.pinned(&other).is_err());
        // P-521 goes to RustCrypto, the rest to *ring*.
        assert!(std::ptr::eq(
            verifier.algorithms_for(SignatureScheme::ECDSA_NISTP521_SHA512),
            &P521_SUPPORTED
        ));
        assert!(
            verifier
                .algorithms_for(SignatureScheme::ECDSA_NISTP256_SHA256)
                .supported_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP256_SHA256)
        );
    }

    #[test]
    fn pem_parsing() {
        let identity = generate_server_identity().expect("generate");
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                identity.certificate_der.as_ref()
            )
        );
        assert_eq!(
            certificate_der_from_pem(&pem).expect("pem"),
            identity.certificate_der.as_ref()
        );
        assert!(certificate_der_from_pem("garbage").is_err());
    }

    #[test]
    fn server_config_negotiates_h2() {
        let identity = generate_server_identity().expect("generate");
        let config = server_config(&identity, b"client").expect("config");
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }
}
