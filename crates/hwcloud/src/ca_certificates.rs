//! Extra trusted CA certificates (a PEM bundle), for networks whose TLS-intercepting proxy
//! re-signs the API's certificates with its own CA. They are added to the roots the client
//! already trusts, never in their place.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Checks a PEM bundle of CA certificates: at least one `CERTIFICATE` block, each of them a
/// certificate that can serve as a trust anchor. Returns how many it holds. The reason names
/// the block (1-based) and never quotes the file's content.
pub fn validate_ca_certificates(pem: &[u8]) -> Result<usize, String> {
    parse(pem).map(|certificates| certificates.len())
}

/// The bundle's certificates as the HTTP stack takes them.
pub(crate) fn reqwest_certificates(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, String> {
    parse(pem)?
        .into_iter()
        .enumerate()
        .map(|(index, der)| {
            reqwest::Certificate::from_der(der.as_ref())
                .map_err(|_| format!("certificate {} is not usable", index + 1))
        })
        .collect()
}

fn parse(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut certificates = Vec::new();
    let mut roots = rustls::RootCertStore::empty();
    for (index, item) in CertificateDer::pem_slice_iter(pem).enumerate() {
        let number = index + 1;
        let der = item
            .map_err(|e| format!("certificate {number} is not valid PEM ({})", pem_reason(&e)))?;
        roots
            .add(der.clone())
            .map_err(|_| format!("certificate {number} is not a valid X.509 certificate"))?;
        certificates.push(der);
    }
    if certificates.is_empty() {
        return Err(
            "it contains no PEM certificate (a \"-----BEGIN CERTIFICATE-----\" block)".into(),
        );
    }
    Ok(certificates)
}

/// The PEM error's category, without the text it may quote.
fn pem_reason(error: &rustls::pki_types::pem::Error) -> &'static str {
    use rustls::pki_types::pem::Error;
    match error {
        Error::MissingSectionEnd { .. } => "a section has no end line",
        Error::IllegalSectionStart { .. } => "a section starts badly",
        Error::Base64Decode(_) => "bad base64",
        _ => "unreadable",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_pem() -> String {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).expect("ca").pem()
    }

    #[test]
    fn a_bundle_counts_its_certificates() {
        let one = ca_pem();
        assert_eq!(validate_ca_certificates(one.as_bytes()), Ok(1));
        let two = format!("# proxy CAs\n{one}\n{}", ca_pem());
        assert_eq!(validate_ca_certificates(two.as_bytes()), Ok(2));
        assert_eq!(reqwest_certificates(two.as_bytes()).map(|c| c.len()), Ok(2));
    }

    #[test]
    fn bad_bundles_are_refused_without_quoting_them() {
        let reason = validate_ca_certificates(b"secret-looking text").expect_err("no pem");
        assert!(reason.contains("no PEM certificate"), "{reason}");
        assert!(!reason.contains("secret"), "{reason}");
        let key_only = rcgen::KeyPair::generate().expect("key").serialize_pem();
        assert!(validate_ca_certificates(key_only.as_bytes()).is_err());
        let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let reason = validate_ca_certificates(garbage.as_bytes()).expect_err("not x509");
        assert!(reason.contains("certificate 1"), "{reason}");
        let truncated = "-----BEGIN CERTIFICATE-----\nAAAA\n";
        assert!(validate_ca_certificates(truncated.as_bytes()).is_err());
    }
}
