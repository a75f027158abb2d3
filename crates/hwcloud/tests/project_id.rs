//! Project id lookup through IAM and its per-region cache.

mod support;

use futures::FutureExt;
use hwcloud::{CancellationToken, Client};
use support::{MockApi, REGION, Reply, stable_page};

const LOOKED_UP: &str = "ffffeeee0000111122223333";
/// Second region, without configured project id in the tests below.
const REGION_B: &str = "ap-southeast-1";
const LOOKED_UP_B: &str = "bbbb00001111222233334444";

/// IAM answers for `cn-north-4` (with a decoy sub-project), `ap-southeast-1` and
/// `la-malformed-1` (an id that is not a path segment); RDS answers with 2 backups.
async fn multi_region_server() -> MockApi {
    MockApi::start(move |request, _| {
        async move {
            if request.path == "/v3/projects" {
                // Slow enough that concurrent first callers overlap (not relied upon: the
                // callers are polled together before any answer can arrive).
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                let body = match request.param("name") {
                    Some(REGION) => format!(
                        r#"{{"projects":[{{"id":"other","name":"cn-north-4_sub"}},{{"id":"{LOOKED_UP}","name":"cn-north-4"}}]}}"#
                    ),
                    Some(REGION_B) => {
                        format!(r#"{{"projects":[{{"id":"{LOOKED_UP_B}","name":"{REGION_B}"}}]}}"#)
                    }
                    Some("la-malformed-1") => {
                        r#"{"projects":[{"id":"../../v3/x","name":"la-malformed-1"}]}"#.to_owned()
                    }
                    _ => r#"{"projects":[]}"#.to_owned(),
                };
                Reply::json(200, body)
            } else {
                Reply::json(200, stable_page(2, request.offset()))
            }
        }
        .boxed()
    })
    .await
}

fn query() -> hwcloud::OffsiteBackupQuery {
    hwcloud::OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "incremental".into(),
        ..Default::default()
    }
}

fn iam_lookups(server: &MockApi, region: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path == "/v3/projects" && r.param("name") == Some(region))
        .count()
}

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
    let server = multi_region_server().await;
    let mut options = server.options();
    options.project_ids.clear();
    let client = Client::new(options).expect("client");
    let cancel = CancellationToken::new();

    // Concurrent first callers of one region share one IAM request; another region has its own.
    let query = query();
    let (a1, a2, a3, b1, b2) = tokio::join!(
        client.project_id(REGION, &cancel),
        client.project_id(REGION, &cancel),
        client.list_offsite_backups(REGION, &query, &cancel),
        client.project_id(REGION_B, &cancel),
        client.list_offsite_backups(REGION_B, &query, &cancel),
    );
    assert_eq!(a1.expect("a1"), LOOKED_UP);
    assert_eq!(a2.expect("a2"), LOOKED_UP);
    assert_eq!(a3.expect("a3").project_id, LOOKED_UP);
    assert_eq!(b1.expect("b1"), LOOKED_UP_B);
    assert_eq!(b2.expect("b2").project_id, LOOKED_UP_B);
    let seen: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path, r.raw_query))
        .collect();
    assert_eq!(iam_lookups(&server, REGION), 1, "{seen:#?}");
    assert_eq!(iam_lookups(&server, REGION_B), 1, "{seen:#?}");

    // Later calls use the cache.
    let again = client
        .list_offsite_backups(REGION, &query, &cancel)
        .await
        .expect("cached list");
    assert_eq!(again.requests, 1, "one page, no lookup");
    let again_b = client
        .list_offsite_backups(REGION_B, &query, &cancel)
        .await
        .expect("cached list");
    assert_eq!(again_b.requests, 1, "one page, no lookup");
    assert_eq!(iam_lookups(&server, REGION), 1);
    assert_eq!(iam_lookups(&server, REGION_B), 1);

    let requests = server.requests();
    for iam in requests.iter().filter(|r| r.path == "/v3/projects") {
        assert!(iam.signature_valid);
        assert_eq!(iam.signed_headers, ["host", "x-sdk-date"]);
        assert_eq!(iam.header("x-project-id"), None);
    }
    let iam_a = requests
        .iter()
        .find(|r| r.param("name") == Some(REGION))
        .expect("lookup of A");
    assert_eq!(iam_a.raw_query, "name=cn-north-4");
    let rds: Vec<_> = requests
        .iter()
        .filter(|r| r.path != "/v3/projects")
        .collect();
    assert_eq!(rds.len(), 4);
    for request in rds {
        let id = request.header("x-project-id").expect("X-Project-Id");
        assert!(id == LOOKED_UP || id == LOOKED_UP_B, "{id}");
        assert_eq!(request.path, format!("/v3/{id}/offsite-backups"));
        assert!(request.signature_valid);
    }
}

#[tokio::test]
async fn configured_project_id_is_per_region() {
    let server = multi_region_server().await;
    // server.options() configures REGION only (support::PROJECT_ID).
    let client = server.client();
    let cancel = CancellationToken::new();

    let a = client
        .list_offsite_backups(REGION, &query(), &cancel)
        .await
        .expect("list A");
    assert_eq!(a.project_id, support::PROJECT_ID);
    assert_eq!(a.requests, 1, "no IAM lookup for a configured region");
    assert_eq!(iam_lookups(&server, REGION), 0);

    let b = client
        .list_offsite_backups(REGION_B, &query(), &cancel)
        .await
        .expect("list B");
    assert_eq!(b.project_id, LOOKED_UP_B, "A's id is not used in B");
    assert_eq!(b.requests, 2, "IAM lookup + one page");
    let b_again = client
        .list_offsite_backups(REGION_B, &query(), &cancel)
        .await
        .expect("list B again");
    assert_eq!(b_again.requests, 1);
    assert_eq!(iam_lookups(&server, REGION_B), 1);
    assert_eq!(iam_lookups(&server, REGION), 0);

    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(
        requests[0].path,
        format!("/v3/{}/offsite-backups", support::PROJECT_ID)
    );
    assert_eq!(
        requests[0].header("x-project-id"),
        Some(support::PROJECT_ID)
    );
    assert_eq!(requests[1].path, "/v3/projects");
    for rds_b in &requests[2..] {
        assert_eq!(rds_b.path, format!("/v3/{LOOKED_UP_B}/offsite-backups"));
        assert_eq!(rds_b.header("x-project-id"), Some(LOOKED_UP_B));
        assert!(rds_b.signature_valid);
    }
}

#[tokio::test]
async fn malformed_project_id_from_iam_is_a_clear_error() {
    let server = multi_region_server().await;
    let client = server.client();
    let err = client
        .list_offsite_backups("la-malformed-1", &query(), &CancellationToken::new())
        .await
        .expect_err("unusable id");
    let text = format!("{err}\n{}", err.detail());
    assert!(text.contains("IAM project list"), "{text}");
    assert!(text.contains("invalid project id"), "{text}");
    assert!(text.contains("la-malformed-1"), "{text}");
    // No RDS request was made with it.
    assert!(server.requests().iter().all(|r| r.path == "/v3/projects"));
}

#[tokio::test]
async fn iam_permission_failure_hints_at_project_id_not_rds() {
    for (status, credentials_hint) in [(403, false), (401, true)] {
        let server = MockApi::start(move |_, _| {
            async move {
                Reply::json(
                    status,
                    r#"{"error_code":"IAM.0002","error_msg":"You do not have permission"}"#,
                )
            }
            .boxed()
        })
        .await;
        let mut options = server.options();
        options.project_ids.clear();
        let err = Client::new(options)
            .expect("client")
            .list_offsite_backups(REGION, &query(), &CancellationToken::new())
            .await
            .expect_err("denied");
        let hwcloud::Error::Api(api) = &err else {
            panic!("expected an API error, got {err:?}");
        };
        assert_eq!(api.service, hwcloud::Service::Iam);
        // The provider words this hint with its own setting names (src/provider/client_error.rs).
        let kind = if credentials_hint {
            hwcloud::ErrorKind::InvalidCredentials(hwcloud::Service::Iam)
        } else {
            hwcloud::ErrorKind::PermissionDenied(hwcloud::Service::Iam)
        };
        assert_eq!(err.kind(), kind);
        let detail = err.detail();
        assert!(
            detail.contains(
                "configure it in the client's project_ids to skip the lookup, or grant \
                 permission to list IAM projects (iam:projects:list)"
            ),
            "{detail}"
        );
        assert!(!detail.contains("rds:backup:list"), "{detail}");
        assert_eq!(detail.contains("15 minutes"), credentials_hint, "{detail}");
        assert_eq!(server.requests().len(), 1, "not retried");
    }
}

#[tokio::test]
async fn missing_project_is_a_clear_error() {
    let server = iam_and_rds_server(r#"{"projects":[]}"#).await;
    let mut options = server.options();
    options.project_ids.clear();
    let client = Client::new(options).expect("client");
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
    let client = Client::new(hwcloud::ClientOptions {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        }
        .into(),
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
    let with_override = Client::new(hwcloud::ClientOptions {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        }
        .into(),
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
    let err = Client::new(hwcloud::ClientOptions::default()).expect_err("no credentials");
    assert!(err.to_string().contains("access_key"));
    let err = Client::new(hwcloud::ClientOptions {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        }
        .into(),
        endpoints: hwcloud::Endpoints {
            rds: Some("not a url".into()),
            iam: None,
        },
        ..Default::default()
    })
    .expect_err("bad endpoint");
    assert!(err.to_string().contains("endpoints.rds"));

    let err = Client::new(hwcloud::ClientOptions {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        }
        .into(),
        endpoints: hwcloud::Endpoints {
            rds: None,
            iam: Some("https://admin:hunter2@iam.example.com".into()),
        },
        ..Default::default()
    })
    .expect_err("userinfo in endpoint");
    assert!(err.to_string().contains("endpoints.iam"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!err.detail().contains("hunter2"), "{err}");

    let err = Client::new(hwcloud::ClientOptions {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        }
        .into(),
        project_ids: [("cn-north-4".to_owned(), "..".to_owned())].into(),
        ..Default::default()
    })
    .expect_err("bad project id");
    assert!(err.to_string().contains("invalid project id"), "{err}");
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
    let client = Client::new(hwcloud::ClientOptions {
        credentials: hwcloud::Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: Some("token".into()),
        }
        .into(),
        insecure: true,
        ..Default::default()
    });
    assert!(client.is_ok());
}

/// IAM lists the region's project and a sub-project; the name asked for decides.
async fn sub_project_server() -> MockApi {
    MockApi::start(move |request, _| {
        async move {
            if request.path == "/v3/projects" {
                let body = match request.param("name") {
                    Some("cn-north-4_backup") => {
                        r#"{"projects":[{"id":"decoy","name":"cn-north-4_backup2"},{"id":"subproject0001","name":"cn-north-4_backup"}]}"#
                    }
                    Some("cn-north-4_prefix") => {
                        r#"{"projects":[{"id":"near","name":"cn-north-4_prefix_other"}]}"#
                    }
                    _ => r#"{"projects":[{"id":"main","name":"cn-north-4"}]}"#,
                };
                Reply::json(200, body)
            } else {
                Reply::json(200, stable_page(2, request.offset()))
            }
        }
        .boxed()
    })
    .await
}

#[tokio::test]
async fn a_configured_project_name_is_looked_up_instead_of_the_region() {
    let server = sub_project_server().await;
    let mut options = server.options();
    options.project_ids.clear();
    options
        .project_names
        .insert(REGION.to_owned(), "cn-north-4_backup".to_owned());
    let client = Client::new(options).expect("client");
    let cancel = CancellationToken::new();
    let listed = client
        .list_offsite_backups(REGION, &query(), &cancel)
        .await
        .expect("listed");
    assert_eq!(listed.project_id, "subproject0001");
    let lookups: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path == "/v3/projects")
        .map(|r| r.param("name").map(str::to_owned))
        .collect();
    assert_eq!(lookups, [Some("cn-north-4_backup".to_owned())]);
    let page = server
        .requests()
        .into_iter()
        .find(|r| r.path.contains("offsite-backups"))
        .expect("a page");
    assert!(
        page.path.starts_with("/v3/subproject0001/"),
        "{}",
        page.path
    );
}

#[tokio::test]
async fn a_project_name_must_match_exactly() {
    let server = sub_project_server().await;
    let mut options = server.options();
    options.project_ids.clear();
    options
        .project_names
        .insert(REGION.to_owned(), "cn-north-4_prefix".to_owned());
    let client = Client::new(options).expect("client");
    let error = client
        .project_id(REGION, &CancellationToken::new())
        .await
        .expect_err("no exact match");
    assert_eq!(error.kind(), hwcloud::ErrorKind::ProjectNotFound);
    assert_eq!(
        error.summary(),
        "No Huawei Cloud project \"cn-north-4_prefix\" found for region cn-north-4"
    );
    assert!(error.detail().contains("configured for region cn-north-4"));
}

#[tokio::test]
async fn project_names_are_validated() {
    let server = sub_project_server().await;
    let mut options = server.options();
    options
        .project_names
        .insert(REGION.to_owned(), String::new());
    let error = Client::new(options).expect_err("empty name");
    assert_eq!(
        error.to_string(),
        "invalid Huawei Cloud client configuration: project_names[\"cn-north-4\"] is empty"
    );
}
