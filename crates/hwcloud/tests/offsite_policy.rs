//! End-to-end behaviour of `Client::offsite_backup_policy` against a local mock API.

mod support;

use std::time::Duration;

use futures::FutureExt;
use hwcloud::{CallOptions, CancellationToken, Client, Error, ErrorKind, OffsiteBackupPolicy};
use support::{MockApi, PROJECT_ID, REGION, Reply, cancelled_while_hanging};

/// Guard against hangs only; never used to assert how fast something is.
const HANG_GUARD: Duration = Duration::from_secs(60);
const INSTANCE: &str = "a48e43ff268f4c0e879652d65e63d0fbin01";
/// The source region of the instance, without a configured project id.
const SOURCE_REGION: &str = "cn-east-3";
const SOURCE_PROJECT: &str = "5ce0eb2d0d4a4c4c8a1b3d8e9f0a1b2c";

const TWO_POLICIES: &str = r#"{"policy_para":[
    {"backup_type":"auto","keep_days":7,"destination_region":"cn-north-4","destination_project_id":"0483b6b16e954cb88930a360d2c4e663"},
    {"backup_type":"incremental","keep_days":30,"destination_region":"cn-north-4","destination_project_id":"0483b6b16e954cb88930a360d2c4e663"}]}"#;
const NOT_FOUND: &str =
    r#"{"error_code":"DBS.200002","error_msg":"The DB instance does not exist."}"#;

async fn answering(status: u16, body: &'static str) -> MockApi {
    MockApi::start(move |_, _| async move { Reply::json(status, body) }.boxed()).await
}

async fn read(
    client: &Client,
    options: &CallOptions,
) -> Result<hwcloud::OffsiteBackupPolicies, Error> {
    tokio::time::timeout(
        HANG_GUARD,
        client.offsite_backup_policy(REGION, INSTANCE, options, &CancellationToken::new()),
    )
    .await
    .expect("policy call hung")
}

fn policy(backup_type: &str, keep_days: u64) -> OffsiteBackupPolicy {
    OffsiteBackupPolicy {
        backup_type: Some(backup_type.into()),
        keep_days: Some(keep_days),
        destination_region: Some("cn-north-4".into()),
        destination_project_id: Some("0483b6b16e954cb88930a360d2c4e663".into()),
    }
}

#[tokio::test]
async fn reads_the_policy_with_one_signed_request() {
    let server = answering(200, TWO_POLICIES).await;
    let answer = read(&server.client(), &CallOptions::default())
        .await
        .expect("policy");
    assert_eq!(
        answer.policies,
        [policy("auto", 7), policy("incremental", 30)]
    );
    assert_eq!(answer.project_id, PROJECT_ID);
    assert_eq!(answer.requests, 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.path,
        format!("/v3/{PROJECT_ID}/instances/{INSTANCE}/backups/offsite-policy")
    );
    assert_eq!(request.raw_query, "");
    assert!(request.signature_valid, "{request:?}");
    assert_eq!(request.header("x-project-id"), Some(PROJECT_ID));
}

#[tokio::test]
async fn the_source_regions_project_is_looked_up_and_used() {
    let server = MockApi::start(|request, _| {
        async move {
            if request.path == "/v3/projects" {
                let body = match request.param("name") {
                    Some(SOURCE_REGION) => format!(
                        r#"{{"projects":[{{"id":"{SOURCE_PROJECT}","name":"{SOURCE_REGION}"}}]}}"#
                    ),
                    _ => r#"{"projects":[]}"#.to_owned(),
                };
                Reply::json(200, body)
            } else {
                Reply::json(200, r#"{"policy_para":[]}"#)
            }
        }
        .boxed()
    })
    .await;
    let answer = server
        .client()
        .offsite_backup_policy(
            SOURCE_REGION,
            INSTANCE,
            &CallOptions::default(),
            &CancellationToken::new(),
        )
        .await
        .expect("policy");
    assert_eq!(answer.project_id, SOURCE_PROJECT);
    assert!(answer.policies.is_empty());
    assert_eq!(answer.requests, 2, "the lookup and the policy");
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/v3/projects".to_owned(),
            format!("/v3/{SOURCE_PROJECT}/instances/{INSTANCE}/backups/offsite-policy")
        ]
    );
}

#[tokio::test]
async fn absent_fields_stay_absent() {
    let server = answering(
        200,
        r#"{"policy_para":[{"backup_type":"auto","keep_days":0}]}"#,
    )
    .await;
    let answer = read(&server.client(), &CallOptions::default())
        .await
        .expect("policy");
    assert_eq!(
        answer.policies,
        [OffsiteBackupPolicy {
            backup_type: Some("auto".into()),
            keep_days: Some(0),
            destination_region: None,
            destination_project_id: None,
        }]
    );
}

#[tokio::test]
async fn an_unknown_instance_is_recognisable_and_not_retried() {
    let server = answering(404, NOT_FOUND).await;
    let error = read(&server.client(), &CallOptions::default())
        .await
        .expect_err("404");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(error.kind(), ErrorKind::InstanceNotFound);
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.code(), Some("DBS.200002"));
    assert!(error.detail().contains("The DB instance does not exist."));
    // Another 404 is not taken for a missing instance.
    let server = answering(404, r#"{"error_code":"APIGW.0101","error_msg":"no api"}"#).await;
    let error = read(&server.client(), &CallOptions::default())
        .await
        .expect_err("404");
    assert_eq!(error.kind(), ErrorKind::OtherStatus);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let server = MockApi::start(|_, number| {
        async move {
            match number {
                0 => Reply::json(503, r#"{"error_code":"SYS.0503","error_msg":"busy"}"#)
                    .with_header("retry-after", "0"),
                1 => Reply::json(500, "oops"),
                _ => Reply::json(200, TWO_POLICIES),
            }
        }
        .boxed()
    })
    .await;
    let answer = read(&server.client(), &CallOptions::default())
        .await
        .expect("policy after retries");
    assert_eq!(answer.policies.len(), 2);
    assert_eq!(answer.requests, 3);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn bodies_that_are_not_a_policy_answer_name_the_call_status_and_body() {
    for body in [
        "{}",
        r#"{"policy_para":null}"#,
        r#"{"policy_para":[{"keep_days":"7"}]}"#,
        r#"{"policy_para":[{"backup_type":"auto""#,
        "[]",
    ] {
        let server = answering(200, body).await;
        let error = read(&server.client(), &CallOptions::default())
            .await
            .expect_err("not a policy");
        assert_eq!(error.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(error.status(), Some(200));
        assert_eq!(
            error.summary(),
            "Huawei Cloud API error: could not decode the offsite backup policy \
             (ShowOffSiteBackupPolicy)"
        );
        let detail = error.detail();
        assert!(
            detail.contains(&format!("the body starts with: {body}")),
            "{detail}"
        );
        assert!(detail.contains("HTTP 200"), "{detail}");
    }
}

#[tokio::test]
async fn an_invalid_instance_id_sends_nothing() {
    let server = answering(200, TWO_POLICIES).await;
    let error = server
        .client()
        .offsite_backup_policy(
            REGION,
            "with space",
            &CallOptions::default(),
            &CancellationToken::new(),
        )
        .await
        .expect_err("invalid id");
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(error.to_string().contains("instance_id"), "{error}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_deadline_ends_a_throttled_read() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(
                429,
                r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
            )
            .with_header("retry-after", "300")
        }
        .boxed()
    })
    .await;
    let options = CallOptions {
        timeout: Some(Duration::from_secs(1)),
    };
    let error = read(&server.client(), &options)
        .await
        .expect_err("deadline");
    let Error::DeadlineExceeded(deadline) = &error else {
        panic!("expected the deadline error, got {error:?}");
    };
    assert_eq!(deadline.request.offset, None);
    assert!(deadline.request.path.ends_with("/backups/offsite-policy"));
    assert!(
        error
            .detail()
            .contains("The request was still pending when the time limit of 1s passed"),
        "{}",
        error.detail()
    );
}

#[tokio::test]
async fn cancellation_interrupts_a_hanging_request() {
    let result = cancelled_while_hanging(|client, cancel| async move {
        client
            .offsite_backup_policy(REGION, INSTANCE, &CallOptions::default(), &cancel)
            .await
    })
    .await;
    assert!(result.expect_err("cancelled").is_cancelled());
}
