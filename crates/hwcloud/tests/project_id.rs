//! Project id lookup through IAM and its per-region cache.

mod support;

use futures::FutureExt;
use hwcloud::{CancellationToken, Client};
use support::{MockApi, REGION, Reply, stable_page};

const LOOKED_UP: &str = "ffffeeee0000111122223333";

async fn iam_and_rds_server(projects: &'static str) -> MockApi {
    MockApi::start(move |request, _| {
        async move {
            if request.path == "/v3/projects" {
                Reply::json(200, projects)
            } else {
                Reply::json(200, stable_page(2, request.offset()))
            }
        }
        .boxed()
    })
    .await
}

#[tokio::test]
async fn project_id_is_looked_up_once_per_region() {
    let server = iam_and_rds_server(
        r#"{"projects":[{"id":"other","name":"cn-north-4_sub"},{"id":"ffffeeee0000111122223333","name":"cn-north-4"}]}"#,
    )
    .await;
    let mut config = server.config();
    config.project_id = None;
    let client = Client::new(config).expect("client");
    let cancel = CancellationToken::new();
    let query = hwcloud::OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "incremental".into(),
        ..Default::default()
    };

    let first = client
        .list_offsite_backups(REGION, &query, &cancel)
        .await
        .expect("first list");
    assert_eq!(first.project_id, LOOKED_UP);
    assert_eq!(first.requests, 2, "IAM lookup + one page");
    let second = client
        .list_offsite_backups(REGION, &query, &cancel)
        .await
        .expect("second list");
    assert_eq!(second.requests, 1, "project id cached");
    assert_eq!(
        client.project_id(REGION, &cancel).await.expect("cached"),
        LOOKED_UP
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let iam = &requests[0];
    assert_eq!(iam.path, "/v3/projects");
    assert_eq!(iam.raw_query, "name=cn-north-4");
    assert!(iam.signature_valid);
    assert_eq!(iam.signed_headers, ["host", "x-sdk-date"]);
    assert_eq!(iam.header("x-project-id"), None);
    for rds in &requests[1..] {
        assert_eq!(rds.path, format!("/v3/{LOOKED_UP}/offsite-backups"));
        assert_eq!(rds.header("x-project-id"), Some(LOOKED_UP));
        assert!(rds.signature_valid);
    }
}

#[tokio::test]
async fn missing_project_is_a_clear_error() {
    let server = iam_and_rds_server(r#"{"projects":[]}"#).await;
    let mut config = server.config();
    config.project_id = None;
    let client = Client::new(config).expect("client");
    let err = client
        .project_id(REGION, &CancellationToken::new())
        .await
        .expect_err("no project");
    assert!(
        err.summary()
            .contains("No Huawei Cloud project found for region cn-north-4")
    );
    assert!(err.detail().contains("project_id"));
}

#[tokio::test]
async fn configured_project_id_needs_no_lookup() {
    let server = iam_and_rds_server(r#"{"projects":[]}"#).await;
    let client = server.client();
    assert_eq!(
        client
            .project_id(REGION, &CancellationToken::new())
            .await
            .expect("configured"),
        support::PROJECT_ID
    );
    assert!(server.requests().is_empty());
}

#[test]
fn endpoints_follow_region_cloud_and_overrides() {
    let client = Client::new(hwcloud::ClientConfig {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        },
        ..Default::default()
    })
    .expect("client");
    assert_eq!(
        client.rds_endpoint("cn-north-4"),
        "https://rds.cn-north-4.myhuaweicloud.com"
    );
    assert_eq!(
        client.iam_endpoint("eu-west-101"),
        "https://iam.eu-west-101.myhuaweicloud.eu"
    );
    let with_override = Client::new(hwcloud::ClientConfig {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        },
        endpoints: hwcloud::Endpoints {
            rds: Some("https://rds.internal.example/".into()),
            iam: None,
        },
        ..Default::default()
    })
    .expect("client");
    assert_eq!(
        with_override.rds_endpoint("cn-north-4"),
        "https://rds.internal.example"
    );
}

#[test]
fn invalid_configuration_is_rejected() {
    let err = Client::new(hwcloud::ClientConfig::default()).expect_err("no credentials");
    assert!(err.to_string().contains("access_key"));
    let err = Client::new(hwcloud::ClientConfig {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        },
        endpoints: hwcloud::Endpoints {
            rds: Some("not a url".into()),
            iam: None,
        },
        ..Default::default()
    })
    .expect_err("bad endpoint");
    assert!(err.to_string().contains("endpoints.rds"));
}

#[tokio::test]
async fn invalid_arguments_are_rejected_before_any_request() {
    let server = iam_and_rds_server(r#"{"projects":[]}"#).await;
    let client = server.client();
    let cancel = CancellationToken::new();
    let valid = hwcloud::OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..Default::default()
    };
    let err = client
        .list_offsite_backups("cn-north-4.evil.example", &valid, &cancel)
        .await
        .expect_err("bad region");
    assert_eq!(err.summary(), "Invalid Huawei Cloud request");
    assert!(err.detail().contains("invalid region"));
    let err = client
        .list_offsite_backups(REGION, &hwcloud::OffsiteBackupQuery::default(), &cancel)
        .await
        .expect_err("empty query");
    assert!(err.detail().contains("instance_id"));
    assert!(server.requests().is_empty());
}

#[test]
fn insecure_client_can_be_built() {
    let client = Client::new(hwcloud::ClientConfig {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: Some("token".into()),
        },
        insecure: true,
        ..Default::default()
    });
    assert!(client.is_ok());
}
