//! Credentials from the ECS metadata service: the token `PUT`, the `securitykey` `GET` (with
//! the token, or without it only after 404/405/503), timeouts and malformed answers; the keys
//! obtained sign the API's requests.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use hwcloud::{
    CancellationToken, Client, ClientOptions, CredentialProblem, CredentialSource, EcsMetadata,
    Error, ErrorKind,
};
use support::{Keyring, MockApi, REGION, Recorded, Reply, stable_page};

const TMP_AK: &str = "METAAK0001";
const TMP_SK: &str = "meta-secret-key-never-shown";
const TMP_TOKEN: &str = "meta-security-token-never-shown";
const SESSION_TOKEN: &str = "meta-session-token-never-shown";

fn query() -> hwcloud::OffsiteBackupQuery {
    hwcloud::OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..Default::default()
    }
}

/// The API: pages for requests whose signature verifies, 401 `APIGW.0301` otherwise.
async fn api(keyring: Arc<Keyring>) -> MockApi {
    MockApi::start_with_keys(keyring, |request, _| {
        async move {
            if request.signature_valid {
                Reply::json(200, stable_page(2, request.offset()))
            } else {
                Reply::json(
                    401,
                    r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
                )
            }
        }
        .boxed()
    })
    .await
}

/// A metadata service whose token `PUT` answers `put_status` (200: the session token) and
/// whose `securitykey` answers `keys` (given the request) when the token rule is kept.
async fn metadata(
    keyring: Arc<Keyring>,
    put_status: u16,
    keys: impl Fn(&Recorded, &Keyring) -> Reply + Send + Sync + 'static,
) -> MockApi {
    let keys = Arc::new(keys);
    MockApi::start(move |request, _| {
        let (keyring, keys) = (Arc::clone(&keyring), Arc::clone(&keys));
        async move {
            match (request.method.as_str(), request.path.as_str()) {
                ("PUT", "/meta-data/latest/api/token") if put_status == 200 => {
                    Reply::json(200, SESSION_TOKEN)
                }
                ("PUT", "/meta-data/latest/api/token") => Reply::json(
                    put_status,
                    r#"{"error_code":"M.1","error_msg":"no tokens here"}"#,
                ),
                ("GET", "/openstack/latest/securitykey") => keys(&request, &keyring),
                _ => Reply::json(404, "not a metadata route"),
            }
        }
        .boxed()
    })
    .await
}

fn issue(keyring: &Keyring) -> Reply {
    Reply::json(
        200,
        keyring.issue(TMP_AK, TMP_SK, TMP_TOKEN, Duration::from_secs(3600)),
    )
}

fn client(api: &MockApi, metadata: &MockApi) -> Client {
    Client::new(ClientOptions {
        credentials: CredentialSource::EcsMetadata(EcsMetadata {
            endpoint: metadata.url(),
        }),
        max_retries: 0,
        ..api.options()
    })
    .expect("client")
}

async fn list(client: &Client) -> Result<hwcloud::OffsiteBackupList, Error> {
    client
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
}

fn credential_error(error: &Error) -> &hwcloud::CredentialError {
    match error {
        Error::Credentials(e) => e,
        other => panic!("not a credential error: {other:?}"),
    }
}

#[tokio::test]
async fn keys_come_from_the_metadata_service_with_its_session_token() {
    let keyring = Keyring::new();
    let api = api(Arc::clone(&keyring)).await;
    let metadata = metadata(Arc::clone(&keyring), 200, |request, keyring| {
        if request.header("x-metadata-token") == Some(SESSION_TOKEN) {
            issue(keyring)
        } else {
            Reply::json(401, "no session token")
        }
    })
    .await;
    let listed = list(&client(&api, &metadata)).await.expect("listed");
    assert_eq!(listed.backups.len(), 2);

    let asked = metadata.requests();
    assert_eq!(asked.len(), 2, "{asked:#?}");
    assert_eq!(asked[0].method, "PUT");
    assert_eq!(
        asked[0].header("x-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(asked[1].method, "GET");
    assert_eq!(asked[1].header("x-metadata-token"), Some(SESSION_TOKEN));
    // Unsigned: the metadata service is not the API.
    assert!(asked.iter().all(|r| r.header("authorization").is_none()));

    let page = &api.requests()[0];
    assert!(page.signature_valid, "signed with the metadata keys");
    assert_eq!(page.access_key.as_deref(), Some(TMP_AK));
    assert_eq!(page.header("x-security-token"), Some(TMP_TOKEN));
    assert!(page.signed_headers.contains(&"x-security-token".to_owned()));
}

#[tokio::test]
async fn a_service_without_session_tokens_is_asked_without_one() {
    for status in [404, 405, 503] {
        let keyring = Keyring::new();
        let api = api(Arc::clone(&keyring)).await;
        let metadata = metadata(Arc::clone(&keyring), status, |request, keyring| {
            assert_eq!(request.header("x-metadata-token"), None);
            issue(keyring)
        })
        .await;
        list(&client(&api, &metadata)).await.expect("listed");
        let asked = metadata.requests();
        assert_eq!(asked.len(), 2, "{status}");
        assert_eq!(asked[1].header("x-metadata-token"), None, "{status}");
    }
}

#[tokio::test]
async fn other_token_failures_are_errors_without_a_fallback() {
    for status in [500, 403, 401] {
        let keyring = Keyring::new();
        let api = api(Arc::clone(&keyring)).await;
        let metadata = metadata(Arc::clone(&keyring), status, |_, keyring| issue(keyring)).await;
        let error = list(&client(&api, &metadata)).await.expect_err("no keys");
        assert_eq!(error.kind(), ErrorKind::Credentials);
        let credential = credential_error(&error);
        assert_eq!(
            credential.problem,
            CredentialProblem::Status {
                status,
                code: Some("M.1".into()),
                message: "no tokens here".into(),
                request_id: None,
            }
        );
        let text = error.to_string();
        assert!(
            text.starts_with(&format!(
                "could not obtain credentials from the ECS metadata service at {}: HTTP {status} M.1",
                metadata.url()
            )),
            "{text}"
        );
        assert!(
            error.detail().contains("Request: PUT"),
            "{}",
            error.detail()
        );
        assert_eq!(metadata.requests().len(), 1, "no GET after a failed PUT");
        assert!(api.requests().is_empty(), "nothing signed without keys");
    }
}

#[tokio::test]
async fn a_metadata_service_that_never_answers_times_out() {
    let keyring = Keyring::new();
    let api = api(Arc::clone(&keyring)).await;
    let metadata = MockApi::start(|_, _| {
        async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Reply::json(200, "")
        }
        .boxed()
    })
    .await;
    let error = list(&client(&api, &metadata)).await.expect_err("timeout");
    match &credential_error(&error).problem {
        CredentialProblem::Transport {
            timed_out: true, ..
        } => {}
        other => panic!("not a timeout: {other:?}"),
    }
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn malformed_answers_are_errors_that_say_what_was_wrong() {
    let cases: [(&str, &str); 4] = [
        ("{}", "it has no \"credential\" object"),
        (
            r#"{"credential":{"access":"A1","secret":"s-e-c-r-e-t","securitytoken":"t-o-k-e-n"}}"#,
            "the answer has no credential.expires_at",
        ),
        (
            r#"{"credential":{"access":"A1","secret":"s-e-c-r-e-t","securitytoken":"t-o-k-e-n","expires_at":"2001-01-01T00:00:00Z"}}"#,
            "credential.expires_at (2001-01-01T00:00:00Z) is already past",
        ),
        ("<html>login</html>", "the body is not JSON"),
    ];
    for (body, expected) in cases {
        let keyring = Keyring::new();
        let api = api(Arc::clone(&keyring)).await;
        let metadata = metadata(Arc::clone(&keyring), 200, move |_, _| {
            Reply::json(200, body)
        })
        .await;
        let error = list(&client(&api, &metadata)).await.expect_err(body);
        let text = error.to_string();
        assert!(text.contains(expected), "{text}");
        for secret in ["s-e-c-r-e-t", "t-o-k-e-n", SESSION_TOKEN] {
            assert!(!text.contains(secret), "{text}");
            assert!(!format!("{error:?}").contains(secret), "{error:?}");
            assert!(!error.detail().contains(secret), "{}", error.detail());
        }
    }
}

#[tokio::test]
async fn a_refused_keys_answer_quotes_the_service_without_the_session_token() {
    let keyring = Keyring::new();
    let api = api(Arc::clone(&keyring)).await;
    let metadata = metadata(Arc::clone(&keyring), 200, |_, _| {
        Reply::json(
            404,
            format!(
                r#"{{"error_msg":"Please configure Cloud Service Agency first ({SESSION_TOKEN})"}}"#
            ),
        )
    })
    .await;
    let error = list(&client(&api, &metadata)).await.expect_err("no agency");
    let text = error.to_string();
    assert!(
        text.contains("HTTP 404: Please configure Cloud Service Agency first (***)"),
        "{text}"
    );
    assert!(!text.contains(SESSION_TOKEN));
    assert!(error.hint().expect("hint").contains("agency"));
}
