//! The client's signatures with a security token equal the official Python SDK's
//! (`huaweicloudsdkcore`: `BasicCredentials(ak, sk[, project_id]).with_security_token(token)`
//! and its `Signer`), byte for byte: a GET with a query and `X-Project-Id`, and the
//! assume_role POST with its JSON body. The requests are the ones the client really sent to
//! the mock; `tests/python/sdk_sign.py` signs the same inputs with the SDK.
//!
//! Needs the project's `.venv` (made by `scripts/test.sh`); without it the test fails, it is
//! never skipped.

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use hwcloud::{AgencyDomain, AssumeRole, CancellationToken, Client, ClientOptions, Credentials};
use support::{Keyring, MockApi, PROJECT_ID, REGION, Recorded, Reply, stable_page};

const BASE_AK: &str = "BASETEMPORARYAK";
const BASE_SK: &str = "base-temporary-secret";
const BASE_TOKEN: &str = "base-temporary-token/with+chars=";
const ROLE_AK: &str = "ROLEAK";
const ROLE_SK: &str = "role-secret";
const ROLE_TOKEN: &str = "role-token-abc";

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The SDK's Authorization values for `requests`.
async fn sdk_authorizations(requests: &serde_json::Value) -> Vec<String> {
    let python = project_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/test.sh (it creates the project venv with huaweicloudsdkcore)",
        python.display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_sign.py");
    let mut child = tokio::process::Command::new(&python)
        .arg(&script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run sdk_sign.py");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(requests.to_string().as_bytes())
            .await
            .expect("write");
    }
    let output = child.wait_with_output().await.expect("sdk_sign.py ran");
    assert!(
        output.status.success(),
        "sdk_sign.py failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON list")
}

fn sdk_input(
    request: &Recorded,
    sk: &str,
    token: &str,
    project_id: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({
        "method": request.method,
        "host": request.header("host").expect("host"),
        "path": request.path,
        "query": request.query,
        "date": request.header("x-sdk-date").expect("date"),
        "body": String::from_utf8(request.body.clone()).expect("utf-8 body"),
        "ak": request.access_key.as_deref().expect("ak"),
        "sk": sk,
        "token": token,
        "project_id": project_id,
    })
}

#[tokio::test]
async fn signatures_with_a_security_token_match_the_official_sdk() {
    let keyring = Keyring::new();
    let _ = keyring.issue(BASE_AK, BASE_SK, BASE_TOKEN, Duration::from_secs(3600));
    let issuer = Arc::clone(&keyring);
    let server = MockApi::start_with_keys(keyring, move |request, _| {
        let issuer = Arc::clone(&issuer);
        async move {
            if request.method == "POST" {
                let body = issuer.issue(ROLE_AK, ROLE_SK, ROLE_TOKEN, Duration::from_secs(3600));
                Reply::json(201, body)
            } else {
                Reply::json(200, stable_page(2, request.offset()))
            }
        }
        .boxed()
    })
    .await;
    let client = Client::new(ClientOptions {
        credentials: Credentials {
            access_key: BASE_AK.into(),
            secret_key: BASE_SK.into(),
            security_token: Some(BASE_TOKEN.into()),
        }
        .into(),
        assume_role: Some(AssumeRole {
            agency_name: "backup_agency".into(),
            domain: AgencyDomain::Name("backup account".into()),
            duration: Duration::from_secs(3600),
        }),
        ..server.options()
    })
    .expect("client");
    let query = hwcloud::OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        begin_time: Some("2026-01-01T00:00:00+0800".into()),
        ..Default::default()
    };
    client
        .list_offsite_backups(REGION, &query, &CancellationToken::new())
        .await
        .expect("listed");

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let (post, get) = (&requests[0], &requests[1]);
    assert_eq!(post.method, "POST");
    assert!(!post.body.is_empty());
    assert_eq!(get.method, "GET");
    assert!(get.query.len() >= 3, "{:?}", get.query);
    assert_eq!(get.header("x-project-id"), Some(PROJECT_ID));
    assert!(post.signature_valid && get.signature_valid);

    let inputs = serde_json::json!([
        sdk_input(post, BASE_SK, BASE_TOKEN, None),
        sdk_input(get, ROLE_SK, ROLE_TOKEN, Some(PROJECT_ID)),
    ]);
    let expected = sdk_authorizations(&inputs).await;
    let sent: Vec<String> = [post, get]
        .iter()
        .map(|r| r.header("authorization").expect("authorization").to_owned())
        .collect();
    assert_eq!(sent, expected);
    assert!(
        sent[0].contains("SignedHeaders=host;x-sdk-date;x-security-token,"),
        "{}",
        sent[0]
    );
    assert!(
        sent[1].contains("SignedHeaders=host;x-project-id;x-sdk-date;x-security-token,"),
        "{}",
        sent[1]
    );
}
