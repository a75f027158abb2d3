//! `cacert_file` (`OS_CACERT`, the official provider's variable): extra CA certificates to
//! trust, for a TLS-intercepting proxy. The value is a path to a PEM file (`~/` is the home
//! directory) or, like the official provider accepts, the PEM text itself.

use std::path::PathBuf;

/// Where PEM text starts: a value holding it is the certificates themselves, not a path.
const PEM_MARKER: &str = "-----BEGIN";

/// The PEM bundle the value names, checked by the client's rule (at least one certificate,
/// all parseable). The reason names the file, never the value's text.
pub fn load(value: &str, home: Option<&str>) -> Result<Vec<u8>, String> {
    let pem = if value.contains(PEM_MARKER) {
        value.as_bytes().to_vec()
    } else {
        let path = match (value.strip_prefix("~/"), home) {
            (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
            _ => PathBuf::from(value),
        };
        std::fs::read(&path)
            .map_err(|e| format!("the file {} cannot be read: {}", path.display(), e.kind()))?
    };
    hwcloud::validate_ca_certificates(&pem)?;
    Ok(pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_named() {
        let error = load("/nonexistent/ca.pem", None).expect_err("no such file");
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");
        assert!(error.contains("not found"), "{error}");
    }

    #[test]
    fn text_that_is_no_certificate_is_refused() {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), "not a certificate").expect("write");
        assert!(load(&file.path().display().to_string(), None).is_err());
        assert!(
            load(
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                None
            )
            .is_err()
        );
    }

    #[test]
    fn a_certificate_is_accepted_from_a_file_or_inline() {
        let key = rcgen::KeyPair::generate().expect("key");
        let cert = rcgen::CertificateParams::new(vec!["proxy.example".to_owned()])
            .expect("params")
            .self_signed(&key)
            .expect("certificate")
            .pem();
        assert_eq!(load(&cert, None).expect("inline PEM"), cert.as_bytes());
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("ca.pem"), &cert).expect("write");
        let home = dir.path().display().to_string();
        assert_eq!(
            load("~/ca.pem", Some(&home)).expect("file"),
            cert.as_bytes()
        );
    }
}
