//! TLS: certificates are verified unless `insecure` is set; extra CA certificates (a PEM
//! bundle) are trusted in addition to the usual roots.
//!
//! An HTTPS server with a freshly generated self-signed certificate (or one issued by a
//! freshly made CA) answers every connection with a one-backup page.

use std::sync::Arc;

use hwcloud::{
    CancellationToken, Client, ClientOptions, Credentials, Endpoints, OffsiteBackupQuery,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

const BODY: &str = r#"{"backups":[{"id":"tls-backup"}],"total_count":1}"#;

/// Starts the HTTPS server with a self-signed certificate; returns its base URL.
async fn start_tls_server() -> String {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    serve_tls(cert.cert.der().clone(), key).await
}

/// A CA of our own (its PEM) and a server certificate for `localhost` it issued.
fn ca_and_server_certificate() -> (
    String,
    rustls::pki_types::CertificateDer<'static>,
    PrivateKeyDer<'static>,
) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "hwcloud test proxy CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let server_params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .expect("issued");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    (ca_cert.pem(), server_cert.der().clone(), key)
}

/// Serves `cert` with `key` on loopback; returns the base URL.
async fn serve_tls(
    cert: rustls::pki_types::CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let options = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server options");
    let acceptor = TlsAcceptor::from(Arc::new(options));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return; // the client rejected the certificate
                };
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{BODY}",
                    BODY.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://localhost:{port}")
}

fn options(url: String, insecure: bool) -> ClientOptions {
    ClientOptions {
        credentials: Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        }
        .into(),
        project_ids: [("cn-north-4".to_owned(), "p".to_owned())].into(),
        endpoints: Endpoints {
            rds: Some(url),
            iam: None,
        },
        insecure,
        max_retries: 0,
        ..ClientOptions::default()
    }
}

fn query() -> OffsiteBackupQuery {
    OffsiteBackupQuery {
        instance_id: "i".into(),
        backup_type: "auto".into(),
        ..OffsiteBackupQuery::default()
    }
}

#[tokio::test]
async fn untrusted_certificate_is_rejected_by_default() {
    let url = start_tls_server().await;
    let client = Client::new(ClientOptions {
        // A certificate failure is final: retrying cannot change the certificate.
        max_retries: 3,
        ..options(url.clone(), false)
    })
    .expect("client");
    let err = client
        .list_offsite_backups("cn-north-4", &query(), &CancellationToken::new())
        .await
        .expect_err("self-signed certificate must not be trusted");
    assert_eq!(err.status(), None);
    assert!(err.summary().contains(&url), "{}", err.summary());
    let detail = err.detail();
    assert!(detail.contains("Attempts: 1"), "{detail}");
    assert!(detail.contains("certificate"), "{detail}");
    assert!(detail.contains("insecure"), "{detail}");
    // Told from the TLS stack's typed error, not from the text.
    assert_eq!(err.kind(), hwcloud::ErrorKind::TlsCertificate);
    let hwcloud::Error::Transport(transport) = &err else {
        panic!("not a transport error: {err:?}");
    };
    assert!(transport.untrusted_certificate);
    assert!(transport.cause.is_some(), "the typed cause is kept");
    // The raw cause is not in the source chain that generic reporters print.
    assert!(std::error::Error::source(&err).is_none_or(|source| source.source().is_none()));
}

#[tokio::test]
async fn a_refused_connection_is_not_a_certificate_problem() {
    // Bound and dropped: nothing listens on the port any more.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let client = Client::new(ClientOptions {
        max_retries: 0,
        ..options(format!("https://{addr}"), false)
    })
    .expect("client");
    let err = client
        .list_offsite_backups("cn-north-4", &query(), &CancellationToken::new())
        .await
        .expect_err("nothing listens");
    assert_eq!(err.kind(), hwcloud::ErrorKind::Unreachable, "{err:?}");
}

#[tokio::test]
async fn insecure_skips_certificate_verification() {
    let url = start_tls_server().await;
    let client = Client::new(options(url, true)).expect("client");
    let list = client
        .list_offsite_backups("cn-north-4", &query(), &CancellationToken::new())
        .await
        .expect("insecure connection succeeds");
    assert_eq!(list.backups[0].id.as_deref(), Some("tls-backup"));
    assert_eq!(list.requests, 1);
}

#[tokio::test]
async fn an_extra_ca_bundle_is_trusted_in_addition_to_the_usual_roots() {
    let (ca_pem, cert, key) = ca_and_server_certificate();
    let url = serve_tls(cert, key).await;
    // Without the bundle: not trusted.
    let client = Client::new(options(url.clone(), false)).expect("client");
    let err = client
        .list_offsite_backups("cn-north-4", &query(), &CancellationToken::new())
        .await
        .expect_err("unknown CA");
    assert_eq!(err.kind(), hwcloud::ErrorKind::TlsCertificate);
    // With it: trusted.
    assert_eq!(hwcloud::validate_ca_certificates(ca_pem.as_bytes()), Ok(1));
    let client = Client::new(ClientOptions {
        ca_certificates_pem: Some(ca_pem.into_bytes()),
        ..options(url, false)
    })
    .expect("client");
    let list = client
        .list_offsite_backups("cn-north-4", &query(), &CancellationToken::new())
        .await
        .expect("trusted through the extra CA");
    assert_eq!(list.backups[0].id.as_deref(), Some("tls-backup"));
}

#[tokio::test]
async fn a_bad_ca_bundle_is_an_option_error() {
    let err = Client::new(ClientOptions {
        ca_certificates_pem: Some(b"not a certificate".to_vec()),
        ..options("https://localhost:1".into(), false)
    })
    .expect_err("bad bundle");
    let hwcloud::Error::InvalidOption(option) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(option.field, hwcloud::ClientOption::CaCertificates);
    assert!(
        err.to_string()
            .contains("ca_certificates_pem: it contains no PEM certificate"),
        "{err}"
    );
}
