//! What a server sends is untrusted text: error codes, messages, request ids and raw bodies
//! reach `Error` only with secrets redacted, control characters escaped and cut short.

mod support;

use std::time::Duration;

use futures::FutureExt;
use hwcloud::{CancellationToken, Client, OffsiteBackupQuery};
use support::{MockApi, REGION, Reply, SECRET_KEY};

const HANG_GUARD: Duration = Duration::from_secs(60);
const TOKEN: &str = "temporary-security-token-7f3a9c";

fn query() -> OffsiteBackupQuery {
    OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..OffsiteBackupQuery::default()
    }
}

/// The error of one list call, with a security token configured and no retries.
async fn list_error(server: &MockApi) -> hwcloud::Error {
    let mut options = server.options();
    options.credentials = support::keys_with_token(TOKEN).into();
    options.max_retries = 0;
    let client = Client::new(options).expect("client");
    let (query, cancel) = (query(), CancellationToken::new());
    let call = client.list_offsite_backups(REGION, &query, &cancel);
    match tokio::time::timeout(HANG_GUARD, call).await {
        Ok(Ok(list)) => panic!("expected an error, got {} backups", list.backups.len()),
        Ok(Err(error)) => error,
        Err(_) => panic!("the list call hung"),
    }
}

/// Everything of `error` that reaches a diagnostic or log.
fn shown(error: &hwcloud::Error) -> String {
    format!("{}\n{}\n{}", error, error.summary(), error.detail())
}

/// Asserts that no secret of the first request the server saw (its whole `Authorization`
/// value, the signature in it, the security token, the secret key) appears in `text`.
#[track_caller]
fn assert_request_secrets_absent(server: &MockApi, text: &str) {
    let sent = &server.requests()[0];
    let authorization = sent.header("authorization").expect("signed");
    let signature = authorization
        .rsplit("Signature=")
        .next()
        .expect("a signature");
    assert!(signature.len() >= 32, "{authorization}");
    for secret in [TOKEN, SECRET_KEY, authorization, signature] {
        assert!(!text.contains(secret), "{secret:?} is shown: {text}");
    }
}

#[track_caller]
fn assert_no_terminal_controls(text: &str) {
    for c in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(c), "{c:?} reached the message: {text:?}");
    }
}

#[tokio::test]
async fn control_characters_and_fake_blocks_are_escaped() {
    let server = MockApi::start(|_, _| {
        async {
            let message = "denied\r\x1b[2K\x1b[1A\x1b[32mApply complete! Resources: 0 added.\x1b[0m\n\n\
                           Error: a second block\x07\u{202e}";
            let body = serde_json::json!({ "error_code": "APIG.\x1b[31m0301", "error_msg": message });
            Reply::json(403, body.to_string()).with_header("x-request-id", "r".repeat(1000))
        }
        .boxed()
    })
    .await;
    let error = list_error(&server).await;
    let text = shown(&error);
    assert_no_terminal_controls(&text);
    assert!(
        !text.contains("\nError:"),
        "no line starts a new block: {text}"
    );
    assert!(text.contains("\\x1b[32mApply complete!"), "{text}");
    assert!(
        text.contains("\\x0a\\x0aError: a second block\\x07"),
        "{text}"
    );
    assert_eq!(error.code(), Some("APIG.\\x1b[31m0301"));
    let request_id = error.request_id().expect("request id");
    assert!(request_id.starts_with(&"r".repeat(300)), "{request_id}");
    assert!(
        request_id.ends_with("… [cut: 700 more characters]"),
        "{request_id}"
    );
}

#[tokio::test]
async fn echoed_request_headers_are_redacted() {
    // A proxy that quotes the request's headers back, raw and JSON-escaped.
    let server = MockApi::start(|request, _| {
        async move {
            let authorization = request.header("authorization").unwrap_or_default().to_owned();
            let token = request.header("x-security-token").unwrap_or_default().to_owned();
            let message = format!(
                "rejected: Authorization: {authorization}; X-Security-Token: {token}; sk={SECRET_KEY}"
            );
            let body = serde_json::json!({ "error_code": "APIG.0301", "error_msg": message });
            Reply::json(401, body.to_string())
        }
        .boxed()
    })
    .await;
    let error = list_error(&server).await;
    let text = shown(&error);
    assert_request_secrets_absent(&server, &text);
    assert!(
        text.contains("Authorization: ***; X-Security-Token: ***; sk=***"),
        "{text}"
    );
}

#[tokio::test]
async fn raw_bodies_are_cleaned_and_cut() {
    let server = MockApi::start(|_, _| {
        async {
            let body = format!("<html>\x1b]0;pwned\x07{TOKEN}{}</html>", "x".repeat(5000));
            Reply::json(502, body)
        }
        .boxed()
    })
    .await;
    let error = list_error(&server).await;
    let text = shown(&error);
    assert_no_terminal_controls(&text);
    assert!(!text.contains(TOKEN), "{text}");
    assert!(text.contains("<html>\\x1b]0;pwned\\x07***xxx"), "{text}");
    assert!(text.contains("more characters]"), "{text}");
    assert!(text.len() < 2000, "cut short: {} bytes", text.len());
}

#[tokio::test]
async fn iam_answers_that_cannot_be_used_are_cleaned() {
    let server = MockApi::start(|request, _| {
        async move {
            let token = request
                .header("x-security-token")
                .unwrap_or_default()
                .to_owned();
            Reply::json(
                200,
                serde_json::json!({ "projects": format!("\x1b[2J{token}") }).to_string(),
            )
        }
        .boxed()
    })
    .await;
    let mut options = server.options();
    options.project_ids.clear();
    options.credentials = support::keys_with_token(TOKEN).into();
    let client = Client::new(options).expect("client");
    let error = tokio::time::timeout(
        HANG_GUARD,
        client.project_id(REGION, &CancellationToken::new()),
    )
    .await
    .expect("no hang")
    .expect_err("the IAM answer is not a project list");
    let text = shown(&error);
    assert!(
        text.contains("could not decode the IAM project list"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
    assert_no_terminal_controls(&text);
}

#[tokio::test]
async fn a_200_that_is_not_a_page_is_cleaned_where_the_decoder_quotes_it() {
    // serde's message quotes the value it could not use (`invalid type: string "..."`), so
    // the decode error itself carries server text, beside the start of the body.
    let server = MockApi::start(|request, _| {
        async move {
            let authorization = request
                .header("authorization")
                .unwrap_or_default()
                .to_owned();
            let token = request
                .header("x-security-token")
                .unwrap_or_default()
                .to_owned();
            let echoed = format!("\x1b[2J{authorization} {token} {}", "y".repeat(2000));
            Reply::json(200, serde_json::json!({ "backups": echoed }).to_string())
        }
        .boxed()
    })
    .await;
    let error = list_error(&server).await;
    let text = shown(&error);
    assert_request_secrets_absent(&server, &text);
    assert_no_terminal_controls(&text);
    assert!(text.contains("invalid type: string"), "{text}");
    assert!(text.contains("[2J*** *** yyy"), "{text}");
    assert!(text.len() < 2000, "cut short: {} bytes", text.len());
}
