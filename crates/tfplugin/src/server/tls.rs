//! go-plugin AutoMTLS, server side.
//!
//! Each start generates a fresh self-signed certificate (ECDSA P-256, SAN `localhost`, a CA
//! like go-plugin's) whose DER goes into the handshake line; Terraform trusts exactly that
//! certificate. In return Terraform passes its own fresh client certificate (ECDSA P-521,
//! SHA-512) in `PLUGIN_CLIENT_CERT`, and the server accepts a connection only from a client
//! presenting exactly that certificate: pinning by bytes, with the handshake signature verified
//! by aws-lc-rs (which, unlike *ring*, verifies P-521). ALPN `h2` is required by grpc-go.

use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};
use time::OffsetDateTime;

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

/// A fresh key pair and a self-signed certificate for `localhost`.
pub fn generate_server_identity() -> Result<ServerIdentity, rcgen::Error> {
    let key_pair = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
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
    let certificate = params.self_signed(&key_pair)?;
    Ok(ServerIdentity {
        certificate_der: certificate.der().clone(),
        private_key_der: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der())),
    })
}

/// The DER of the first certificate in a PEM text (what `PLUGIN_CLIENT_CERT` holds).
pub fn certificate_der_from_pem(pem: &str) -> Result<Vec<u8>, String> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map(|der| der.as_ref().to_vec())
        .map_err(|e| format!("not a PEM certificate: {e}"))
}

/// The crypto provider used for every TLS operation: aws-lc-rs, for P-521 support.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// TLS 1.2+ server configuration: our identity, ALPN `h2`, and the pinned client certificate
/// required on every connection.
pub fn server_config(
    identity: &ServerIdentity,
    client_certificate_der: &[u8],
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = crypto_provider();
    let verifier = Arc::new(PinnedClientCertificate::new(
        client_certificate_der.to_vec(),
        provider.signature_verification_algorithms,
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

/// Accepts exactly one client certificate, compared byte for byte.
#[derive(Debug)]
pub struct PinnedClientCertificate {
    expected_der: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCertificate {
    pub fn new(expected_der: Vec<u8>, algorithms: WebPkiSupportedAlgorithms) -> Self {
        Self {
            expected_der,
            algorithms,
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
        if end_entity.as_ref() == self.expected_der.as_slice() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, certificate, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, certificate, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
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
        let verifier = PinnedClientCertificate::new(
            pinned.to_vec(),
            crypto_provider().signature_verification_algorithms,
        );
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
