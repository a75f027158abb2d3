//! No secret of any credential source (secret keys, security tokens, the metadata session
//! token) reaches a log line, even at TRACE and including the HTTP stack's own, or an error's
//! `Display`, `Debug` or detail. One test in its own binary: it installs the process-wide
//! tracing subscriber that captures everything.

mod support;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use hwcloud::{
    AgencyDomain, AssumeRole, CancellationToken, Client, ClientOptions, CredentialSource,
    EcsMetadata,
};
use support::{Keyring, MockApi, REGION, Reply, SECRET_KEY, stable_page};

const SECRETS: [&str; 6] = [
    SECRET_KEY,
    "metadata-session-secret-token",
    "meta-secret-key-value",
    "meta-security-token-value",
    "role-secret-key-value",
    "role-security-token-value",
];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn query() -> hwcloud::OffsiteBackupQuery {
    hwcloud::OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_at_trace_or_in_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();

    let keyring = Keyring::new();
    let issuer = Arc::clone(&keyring);
    let metadata = MockApi::start(move |request, _| {
        let issuer = Arc::clone(&issuer);
        async move {
            if request.method == "PUT" {
                return Reply::json(200, "metadata-session-secret-token");
            }
            let body = issuer.issue(
                "METAAK",
                "meta-secret-key-value",
                "meta-security-token-value",
                Duration::from_secs(3600),
            );
            Reply::json(200, body)
        }
        .boxed()
    })
    .await;
    let issuer = Arc::clone(&keyring);
    let pages = Arc::new(AtomicUsize::new(0));
    let api = MockApi::start_with_keys(Arc::clone(&keyring), move |request, _| {
        let (issuer, pages) = (Arc::clone(&issuer), Arc::clone(&pages));
        async move {
            if request.method == "POST" && request.signature_valid {
                let body = issuer.issue(
                    "ROLEAK",
                    "role-secret-key-value",
                    "role-security-token-value",
                    Duration::from_secs(3600),
                );
                return Reply::json(201, body);
            }
            // The first read succeeds; then every page is refused with an echo of the
            // request's headers, as a misbehaving proxy might.
            if pages.fetch_add(1, Ordering::SeqCst) == 0 {
                return Reply::json(200, stable_page(2, request.offset()));
            }
            let echo = format!("{:?}", request.headers).replace('"', "'");
            Reply::json(
                401,
                format!(r#"{{"error_code":"APIGW.0301","error_msg":"denied {echo}"}}"#),
            )
        }
        .boxed()
    })
    .await;
    let client = Client::new(ClientOptions {
        credentials: CredentialSource::EcsMetadata(EcsMetadata {
            endpoint: metadata.url(),
        }),
        assume_role: Some(AssumeRole {
            agency_name: "agency".into(),
            domain: AgencyDomain::Name("domain".into()),
            duration: Duration::from_secs(3600),
        }),
        ..api.options()
    })
    .expect("client");
    let cancel = CancellationToken::new();
    client
        .list_offsite_backups(REGION, &query(), &cancel)
        .await
        .expect("first read");
    let refused = client
        .list_offsite_backups(REGION, &query(), &cancel)
        .await
        .expect_err("refused");
    // A metadata service that fails, quoting its session token.
    let failing = MockApi::start(|request, _| {
        async move {
            if request.method == "PUT" {
                return Reply::json(200, "metadata-session-secret-token");
            }
            Reply::json(
                500,
                r#"{"error_msg":"broken metadata-session-secret-token"}"#,
            )
        }
        .boxed()
    })
    .await;
    let failing_client = Client::new(ClientOptions {
        credentials: CredentialSource::EcsMetadata(EcsMetadata {
            endpoint: failing.url(),
        }),
        ..api.options()
    })
    .expect("client");
    let no_keys = failing_client
        .list_offsite_backups(REGION, &query(), &cancel)
        .await
        .expect_err("no keys");

    let mut shown = Vec::new();
    for error in [&refused, &no_keys] {
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
        shown.push(error.detail());
    }
    shown.push(format!("{client:?}"));
    let logs = String::from_utf8_lossy(&captured.0.lock().expect("log")).into_owned();
    assert!(logs.contains("TRACE"), "the HTTP stack logged at TRACE");
    assert!(
        logs.contains("HTTP 401 with temporary credentials"),
        "{logs}"
    );
    assert!(
        refused.detail().contains("denied"),
        "the echo is shown, cleaned: {}",
        refused.detail()
    );
    for secret in SECRETS {
        assert!(!logs.contains(secret), "{secret} in the logs");
        for text in &shown {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
