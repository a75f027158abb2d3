//! Temporary keys are refreshed before they expire, once for all the requests that need it
//! (also in the middle of a long paged read), and an HTTP 401 to them causes one refresh and one
//! retry, never more. Sources: the ECS metadata service (mocked), a KooCLI profile file, and
//! assume_role on top of a refreshable base.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::FutureExt;
use hwcloud::{
    AgencyDomain, AssumeRole, CancellationToken, Client, ClientOptions, CredentialSource,
    EcsMetadata, Error, ProfileSource,
};
use support::{Keyring, MockApi, REGION, Recorded, Reply, stable_page};

fn query() -> hwcloud::OffsiteBackupQuery {
    hwcloud::OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..Default::default()
    }
}

fn unauthorized() -> Reply {
    Reply::json(
        401,
        r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
    )
}

/// A metadata service handing out new keys `META{n}` (n = 1, 2, ...) valid for `lifetime` at
/// every `securitykey` request.
async fn metadata(keyring: Arc<Keyring>, lifetime: Duration) -> MockApi {
    let issued = Arc::new(AtomicUsize::new(0));
    MockApi::start(move |request, _| {
        let (keyring, issued) = (Arc::clone(&keyring), Arc::clone(&issued));
        async move {
            match request.method.as_str() {
                "PUT" => Reply::json(200, "session-token"),
                _ => {
                    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                    let body = keyring.issue(
                        &format!("META{n}"),
                        &format!("meta-secret-{n}"),
                        &format!("meta-token-{n}"),
                        lifetime,
                    );
                    Reply::json(200, body)
                }
            }
        }
        .boxed()
    })
    .await
}

fn key_fetches(metadata: &MockApi) -> Vec<Recorded> {
    metadata
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect()
}

fn metadata_options(api: &MockApi, metadata: &MockApi) -> ClientOptions {
    ClientOptions {
        credentials: CredentialSource::EcsMetadata(EcsMetadata {
            endpoint: metadata.url(),
        }),
        max_retries: 0,
        ..api.options()
    }
}

/// The API: pages of a list of `total` backups for verified requests after `latency`;
/// `reject(request)` answers 401 to requests the test wants refused.
async fn api(
    keyring: Arc<Keyring>,
    total: u64,
    latency: Duration,
    reject: impl Fn(&Recorded) -> bool + Send + Sync + 'static,
) -> MockApi {
    let reject = Arc::new(reject);
    MockApi::start_with_keys(keyring, move |request, _| {
        let reject = Arc::clone(&reject);
        async move {
            tokio::time::sleep(latency).await;
            if !request.signature_valid || reject(&request) {
                unauthorized()
            } else {
                Reply::json(200, stable_page(total, request.offset()))
            }
        }
        .boxed()
    })
    .await
}

async fn list(client: &Client) -> Result<hwcloud::OffsiteBackupList, Error> {
    client
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
}

#[tokio::test]
async fn keys_expiring_during_a_long_read_are_refreshed_once_per_expiry() {
    let keyring = Keyring::new();
    // Keys valid for 2 s are refreshed after 1 s (half their lifetime); the read of 40 pages,
    // 4 at a time, 300 ms each, takes about 3 s.
    let metadata = metadata(Arc::clone(&keyring), Duration::from_secs(2)).await;
    let api = api(
        Arc::clone(&keyring),
        4000,
        Duration::from_millis(300),
        |_| false,
    )
    .await;
    let client = Client::new(ClientOptions {
        max_concurrent_requests: 4,
        ..metadata_options(&api, &metadata)
    })
    .expect("client");
    let listed = list(&client).await.expect("listed");
    assert_eq!(listed.backups.len(), 4000);

    let pages = api.requests();
    assert_eq!(pages.len(), 40, "no page retried: no key was ever refused");
    assert!(pages.iter().all(|p| p.signature_valid && !p.key_expired));
    let fetches = key_fetches(&metadata);
    assert!(
        fetches.len() >= 2,
        "the keys were refreshed during the read"
    );
    // Each refresh waited until the keys were due: never two for the same keys, however
    // many page requests found them due at once.
    for pair in fetches.windows(2) {
        let between = pair[1].at - pair[0].at;
        assert!(between >= Duration::from_millis(950), "{between:?}");
    }
    // Every set of keys handed out was used, and only while valid.
    let used: std::collections::BTreeSet<_> =
        pages.iter().filter_map(|p| p.access_key.clone()).collect();
    assert_eq!(used.len(), fetches.len(), "{used:?}");
}

#[tokio::test]
async fn a_401_to_temporary_keys_refreshes_them_and_retries_once() {
    let keyring = Keyring::new();
    let metadata = metadata(Arc::clone(&keyring), Duration::from_secs(3600)).await;
    // The first keys are refused (revoked early, say); the next ones work.
    let api = api(Arc::clone(&keyring), 2, Duration::ZERO, |r| {
        r.access_key.as_deref() == Some("META1")
    })
    .await;
    let client = Client::new(metadata_options(&api, &metadata)).expect("client");
    let listed = list(&client).await.expect("listed after one refresh");
    assert_eq!(listed.backups.len(), 2);
    let pages = api.requests();
    let keys: Vec<_> = pages.iter().map(|p| p.access_key.as_deref()).collect();
    assert_eq!(keys, [Some("META1"), Some("META2")]);
    assert_eq!(key_fetches(&metadata).len(), 2);
}

#[tokio::test]
async fn a_second_401_is_the_error() {
    let keyring = Keyring::new();
    let metadata = metadata(Arc::clone(&keyring), Duration::from_secs(3600)).await;
    let api = api(Arc::clone(&keyring), 2, Duration::ZERO, |_| true).await;
    let client = Client::new(ClientOptions {
        // Retries are for throttling and gateways; 401 gets its one refresh regardless.
        max_retries: 5,
        ..metadata_options(&api, &metadata)
    })
    .expect("client");
    let error = list(&client).await.expect_err("refused twice");
    assert_eq!(error.status(), Some(401));
    assert_eq!(api.requests().len(), 2, "one retry, never more");
    assert_eq!(key_fetches(&metadata).len(), 2, "one refresh");
}

#[tokio::test]
async fn many_concurrent_401s_cause_one_refresh() {
    let keyring = Keyring::new();
    let metadata = metadata(Arc::clone(&keyring), Duration::from_secs(3600)).await;
    // The first page is accepted with META1, then META1 is refused: the next 8 pages, in
    // flight together, all get 401 with the same keys.
    let api = api(Arc::clone(&keyring), 900, Duration::from_millis(50), |r| {
        r.access_key.as_deref() == Some("META1") && r.offset() > 0
    })
    .await;
    let client = Client::new(ClientOptions {
        max_concurrent_requests: 8,
        ..metadata_options(&api, &metadata)
    })
    .expect("client");
    let listed = list(&client).await.expect("listed");
    assert_eq!(listed.backups.len(), 900);
    assert_eq!(key_fetches(&metadata).len(), 2, "exactly one refresh");
    let refused = api
        .requests()
        .iter()
        .filter(|r| r.access_key.as_deref() == Some("META1") && r.offset() > 0)
        .count();
    assert!(refused >= 1);
    assert_eq!(
        api.requests().len(),
        9 + refused,
        "each refused page retried once"
    );
}

#[tokio::test]
async fn a_401_to_permanent_keys_is_not_retried() {
    let keyring = Keyring::new();
    let api = api(Arc::clone(&keyring), 2, Duration::ZERO, |_| true).await;
    let client = Client::new(ClientOptions {
        max_retries: 5,
        ..api.options()
    })
    .expect("client");
    let error = list(&client).await.expect_err("refused");
    assert_eq!(error.status(), Some(401));
    assert_eq!(api.requests().len(), 1);
}

/// An IAM + RDS mock for assume_role: every assume call issues `ROLE{n}` valid for
/// `role_lifetime`; pages for verified requests.
async fn assuming_api(keyring: &Arc<Keyring>, role_lifetime: Duration) -> MockApi {
    let assumed = Arc::new(AtomicUsize::new(0));
    let issuer = Arc::clone(keyring);
    MockApi::start_with_keys(Arc::clone(keyring), move |request, _| {
        let (issuer, assumed) = (Arc::clone(&issuer), Arc::clone(&assumed));
        async move {
            if !request.signature_valid {
                return unauthorized();
            }
            if request.method == "POST" {
                let n = assumed.fetch_add(1, Ordering::SeqCst) + 1;
                let body = issuer.issue(
                    &format!("ROLE{n}"),
                    &format!("role-secret-{n}"),
                    &format!("role-token-{n}"),
                    role_lifetime,
                );
                return Reply::json(201, body);
            }
            Reply::json(200, stable_page(2, request.offset()))
        }
        .boxed()
    })
    .await
}

fn assume_role() -> Option<AssumeRole> {
    Some(AssumeRole {
        agency_name: "a".into(),
        domain: AgencyDomain::Name("d".into()),
        duration: Duration::from_secs(3600),
    })
}

fn methods_and_keys(api: &MockApi) -> Vec<(String, Option<String>)> {
    api.requests()
        .iter()
        .map(|r| (r.method.clone(), r.access_key.clone()))
        .collect()
}

fn expected(pairs: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
    pairs
        .iter()
        .map(|(m, k)| (m.to_string(), Some(k.to_string())))
        .collect()
}

/// Under assume_role the base keys only sign the assume call: a base that is due while the
/// assumed keys are not causes no request at all; once the assumed keys are due, the expired
/// base is fetched again and signs the new assume call.
#[tokio::test]
async fn under_assume_role_the_base_is_refreshed_only_to_assume_again() {
    let keyring = Keyring::new();
    // Base keys due after 1 s (expired after 2 s); assumed keys due after 4 s.
    let metadata = metadata(Arc::clone(&keyring), Duration::from_secs(2)).await;
    let api = assuming_api(&keyring, Duration::from_secs(8)).await;
    let client = Client::new(ClientOptions {
        assume_role: assume_role(),
        ..metadata_options(&api, &metadata)
    })
    .expect("client");
    let started = std::time::Instant::now();
    list(&client).await.expect("first read");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    list(&client)
        .await
        .expect("second read: the base is due, the role is not");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the machine stalled"
    );
    assert_eq!(
        methods_and_keys(&api),
        expected(&[("POST", "META1"), ("GET", "ROLE1"), ("GET", "ROLE1")])
    );
    assert_eq!(key_fetches(&metadata).len(), 1);
    tokio::time::sleep(
        Duration::from_secs(4).saturating_sub(started.elapsed()) + Duration::from_millis(300),
    )
    .await;
    list(&client).await.expect("third read: the role is due");
    assert_eq!(
        methods_and_keys(&api),
        expected(&[
            ("POST", "META1"),
            ("GET", "ROLE1"),
            ("GET", "ROLE1"),
            ("POST", "META2"),
            ("GET", "ROLE2"),
        ])
    );
    assert!(api.requests().iter().all(|r| r.signature_valid));
    assert_eq!(key_fetches(&metadata).len(), 2);
}

/// A refresh that fails while the keys in use are still valid keeps them: when the assumed
/// keys come due, the (expired) base cannot be fetched again, and the read goes on with the
/// assumed keys, which are good for a few more seconds.
#[tokio::test]
async fn a_failed_refresh_keeps_keys_that_are_still_valid() {
    let keyring = Keyring::new();
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let failed = Arc::new(AtomicUsize::new(0));
    let metadata = {
        let (keyring, failing, failed) = (
            Arc::clone(&keyring),
            Arc::clone(&failing),
            Arc::clone(&failed),
        );
        MockApi::start(move |request, _| {
            let (keyring, failing, failed) = (
                Arc::clone(&keyring),
                Arc::clone(&failing),
                Arc::clone(&failed),
            );
            async move {
                match request.method.as_str() {
                    "PUT" => Reply::json(200, "session-token"),
                    _ if failing.load(Ordering::SeqCst) => {
                        failed.fetch_add(1, Ordering::SeqCst);
                        Reply::json(500, "{}")
                    }
                    _ => Reply::json(
                        200,
                        keyring.issue(
                            "META1",
                            "meta-secret-1",
                            "meta-token-1",
                            Duration::from_secs(2),
                        ),
                    ),
                }
            }
            .boxed()
        })
        .await
    };
    // Assumed keys valid for 10 s: due after 5 s.
    let api = assuming_api(&keyring, Duration::from_secs(10)).await;
    let client = Client::new(ClientOptions {
        assume_role: assume_role(),
        ..metadata_options(&api, &metadata)
    })
    .expect("client");
    let started = std::time::Instant::now();
    list(&client).await.expect("first read");
    failing.store(true, Ordering::SeqCst);
    // Past the due time, whatever fraction of a second the expiry carries (10 s / 2 + 1 s).
    tokio::time::sleep(Duration::from_millis(6000).saturating_sub(started.elapsed())).await;
    list(&client)
        .await
        .expect("the assumed keys are still valid");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the machine stalled"
    );
    assert_eq!(
        methods_and_keys(&api),
        expected(&[("POST", "META1"), ("GET", "ROLE1"), ("GET", "ROLE1")])
    );
    // The refresh was tried, and failed once: not again for the read's second page.
    assert_eq!(failed.load(Ordering::SeqCst), 1);
}

fn sso_profile(ak: &str, expires_in: Duration) -> String {
    let expires_at = (time::OffsetDateTime::now_utc() + expires_in)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    serde_json::json!({"current": "sso", "profiles": [{
        "name": "sso", "mode": "SSO", "region": REGION,
        "ssoAuth": {"stsToken": {"accessKeyId": ak, "secretAccessKey": format!("{ak}-secret"),
                                 "securityToken": format!("{ak}-token"), "expiresAt": expires_at}}
    }]})
    .to_string()
}

#[tokio::test]
async fn sso_profile_keys_are_re_read_when_they_near_expiry() {
    let keyring = Keyring::new();
    let api = api(Arc::clone(&keyring), 2, Duration::ZERO, |_| false).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("config.json");
    let _ = keyring.issue("SSO1", "SSO1-secret", "SSO1-token", Duration::from_secs(2));
    std::fs::write(&path, sso_profile("SSO1", Duration::from_secs(2))).expect("write");
    let client = Client::new(ClientOptions {
        credentials: CredentialSource::Profile(ProfileSource {
            path: path.clone(),
            profile: None,
        }),
        ..api.options()
    })
    .expect("client");
    list(&client).await.expect("first read");
    // KooCLI renews the keys in the file.
    let _ = keyring.issue(
        "SSO2",
        "SSO2-secret",
        "SSO2-token",
        Duration::from_secs(3600),
    );
    std::fs::write(&path, sso_profile("SSO2", Duration::from_secs(3600))).expect("write");
    list(&client).await.expect("still the first keys");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    list(&client).await.expect("renewed keys");
    let keys: Vec<_> = api
        .requests()
        .iter()
        .map(|r| r.access_key.clone().unwrap_or_default())
        .collect();
    assert_eq!(keys, ["SSO1", "SSO1", "SSO2"]);
}

#[tokio::test]
async fn a_profile_without_expiry_is_read_once() {
    let keyring = Keyring::new();
    let api = api(Arc::clone(&keyring), 2, Duration::ZERO, |_| false).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("config.json");
    let profile = |ak: &str, sk: &str| {
        serde_json::json!({"current": "desk", "profiles": [{
            "name": "desk", "mode": "AKSK", "accessKeyId": ak, "secretAccessKey": sk}]})
        .to_string()
    };
    std::fs::write(&path, profile(support::ACCESS_KEY, support::SECRET_KEY)).expect("write");
    let client = Client::new(ClientOptions {
        credentials: CredentialSource::Profile(ProfileSource {
            path: path.clone(),
            profile: Some("desk".into()),
        }),
        ..api.options()
    })
    .expect("client");
    list(&client).await.expect("first read");
    std::fs::write(&path, profile("OTHER", "other-secret")).expect("write");
    list(&client).await.expect("second read");
    assert!(
        api.requests()
            .iter()
            .all(|r| r.access_key.as_deref() == Some(support::ACCESS_KEY))
    );
}
