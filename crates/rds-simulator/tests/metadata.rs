//! The ECS metadata service over real HTTP: the session token dance, the token API's other
//! answers (404/405/503: no token needed; 500: an error), wrong tokens, a disabled service, and
//! metadata credentials signing RDS and IAM calls.

mod common;

use std::time::Duration;

use common::{Signing, into_answer, issued_from_answer, list_with, send_signed};
use rds_simulator::{
    Agency, CredentialKind, DEFAULT_AGENCY_DOMAIN_NAME, DEFAULT_AGENCY_NAME, METADATA_PRINCIPAL,
    MetadataCall, MetadataRoute, MetadataTokenApi, Scenario, SignatureCheck, Simulator,
    parse_credential_expiry,
};
use serde_json::json;
use time::OffsetDateTime;

const TOKEN_PATH: &str = "/meta-data/latest/api/token";
const KEY_PATH: &str = "/openstack/latest/securitykey";

async fn put_token(sim: &Simulator, ttl: Option<&str>) -> common::Answer {
    let mut request = common::client().put(format!("{}{TOKEN_PATH}", sim.base_url()));
    if let Some(ttl) = ttl {
        request = request.header("X-Metadata-Token-Ttl-Seconds", ttl);
    }
    into_answer(request.send().await.expect("an answer")).await
}

async fn get_key(sim: &Simulator, token: Option<&str>) -> common::Answer {
    let mut request = common::client().get(format!("{}{KEY_PATH}", sim.base_url()));
    if let Some(token) = token {
        request = request.header("X-Metadata-Token", token);
    }
    into_answer(request.send().await.expect("an answer")).await
}

fn with_token_api(mode: MetadataTokenApi) -> Scenario {
    Scenario {
        metadata_token_api: mode,
        ..Scenario::default()
    }
}

#[tokio::test]
async fn token_then_security_key_gives_working_credentials() {
    let sim = Simulator::start(Scenario {
        metadata_credential_lifetime: Duration::from_secs(7200),
        ..Scenario::default()
    })
    .await
    .expect("start");
    let token = put_token(&sim, Some("21600")).await;
    assert_eq!(token.status, 200, "{}", token.body);
    assert!(token.body.len() >= 32, "{}", token.body);
    let key = get_key(&sim, Some(&token.body)).await;
    assert_eq!(key.status, 200, "{}", key.body);
    let body = key.json();
    let keys: Vec<&String> = body["credential"]
        .as_object()
        .expect("credential")
        .keys()
        .collect();
    assert_eq!(keys, ["access", "expires_at", "secret", "securitytoken"]);
    let expires_at = body["credential"]["expires_at"].as_str().expect("text");
    let expiry = parse_credential_expiry(expires_at).expect("microseconds and Z");
    let left = (expiry - OffsetDateTime::now_utc()).whole_seconds();
    assert!((7190..=7200).contains(&left), "{expires_at}");

    let issued = issued_from_answer(&sim, &key);
    assert_eq!(issued.kind, CredentialKind::Metadata);
    assert_eq!(issued.principal, METADATA_PRINCIPAL);
    // The token is reusable until it expires; each GET hands out fresh keys.
    let again = get_key(&sim, Some(&token.body)).await;
    assert_eq!(again.status, 200);
    assert_ne!(
        issued_from_answer(&sim, &again).access_key,
        issued.access_key
    );

    let page = list_with(&sim, &Signing::for_credential(&issued)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let record = sim.requests().pop().expect("logged");
    assert_eq!(record.credential, Some(CredentialKind::Metadata));
    assert_eq!(record.signature, SignatureCheck::Valid);

    let calls = sim.metadata_calls();
    assert_eq!(
        calls[0],
        MetadataCall {
            route: MetadataRoute::Token,
            ttl_seconds: Some("21600".into()),
            with_token: false,
            status: 200,
            issued_access_key: None,
        }
    );
    assert_eq!(calls[1].route, MetadataRoute::SecurityKey);
    assert!(calls[1].with_token);
    assert_eq!(
        calls[1].issued_access_key.as_deref(),
        Some(issued.access_key.as_str())
    );
    assert_eq!(calls.len(), 3);
    // Metadata requests are not signed: the log says so.
    assert!(
        sim.requests()[..3]
            .iter()
            .all(|r| r.signature == SignatureCheck::NotChecked)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_missing_wrong_or_expired_token_is_401() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    assert_eq!(get_key(&sim, None).await.status, 401);
    let wrong = get_key(&sim, Some("not-a-token")).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("unknown or expired"), "{}", wrong.body);
    for bad_ttl in [None, Some("0"), Some("21601"), Some("six hours")] {
        let answer = put_token(&sim, bad_ttl).await;
        assert_eq!(answer.status, 400, "{bad_ttl:?}: {}", answer.body);
        assert!(answer.body.contains("X-Metadata-Token-Ttl-Seconds"));
    }
    let short = put_token(&sim, Some("1")).await;
    assert_eq!(short.status, 200);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(get_key(&sim, Some(&short.body)).await.status, 401);
    assert!(sim.issued_credentials().is_empty());
    let calls = sim.metadata_calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.route == MetadataRoute::SecurityKey && c.status == 401)
            .count(),
        3
    );
    assert!(!calls[0].with_token && calls[1].with_token);
    sim.shutdown().await;
}

#[tokio::test]
async fn without_the_token_api_the_key_needs_no_token() {
    for (mode, status) in [
        (MetadataTokenApi::NotFound, 404),
        (MetadataTokenApi::MethodNotAllowed, 405),
        (MetadataTokenApi::Unavailable, 503),
    ] {
        let sim = Simulator::start(with_token_api(mode)).await.expect("start");
        assert_eq!(put_token(&sim, Some("21600")).await.status, status);
        let key = get_key(&sim, None).await;
        assert_eq!(key.status, 200, "{mode:?}: {}", key.body);
        assert_eq!(
            issued_from_answer(&sim, &key).kind,
            CredentialKind::Metadata
        );
        assert!(!sim.metadata_calls()[1].with_token);
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn a_failing_token_api_is_an_error_and_the_key_stays_locked() {
    let sim = Simulator::start(with_token_api(MetadataTokenApi::ServerError))
        .await
        .expect("start");
    assert_eq!(put_token(&sim, Some("21600")).await.status, 500);
    assert_eq!(get_key(&sim, None).await.status, 401);
    assert!(sim.issued_credentials().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_disabled_service_is_404_on_both_routes() {
    let sim = Simulator::start(Scenario {
        metadata_enabled: false,
        ..Scenario::default()
    })
    .await
    .expect("start");
    assert_eq!(put_token(&sim, Some("21600")).await.status, 404);
    assert_eq!(get_key(&sim, None).await.status, 404);
    assert_eq!(get_key(&sim, Some("anything")).await.status, 404);
    assert_eq!(sim.metadata_calls().len(), 3);
    assert!(sim.issued_credentials().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn metadata_credentials_can_assume_an_agency_that_trusts_them() {
    let scenario = Scenario {
        agencies: vec![
            Agency {
                assumable_by: vec![METADATA_PRINCIPAL.into()],
                ..Agency::default()
            },
            Agency {
                agency_name: "for_keys_only".into(),
                assumable_by: vec![rds_simulator::DEFAULT_ACCESS_KEY.into()],
                ..Agency::default()
            },
        ],
        metadata_token_api: MetadataTokenApi::NotFound,
        ..Scenario::default()
    };
    let sim = Simulator::start(scenario).await.expect("start");
    let key = get_key(&sim, None).await;
    let metadata = issued_from_answer(&sim, &key);
    let signing = Signing::for_credential(&metadata);
    let assume = |agency: &str| {
        json!({"auth": {"identity": {"methods": ["assume_role"], "assume_role": {
            "agency_name": agency, "domain_name": DEFAULT_AGENCY_DOMAIN_NAME,
            "duration_seconds": 3600}}}})
        .to_string()
        .into_bytes()
    };
    let path = "/v3.0/OS-CREDENTIAL/securitytokens";
    let ok = send_signed(
        &sim,
        "POST",
        path,
        &assume(DEFAULT_AGENCY_NAME),
        None,
        &signing,
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let assumed = issued_from_answer(&sim, &ok);
    assert_eq!(assumed.principal, METADATA_PRINCIPAL);
    let refused = send_signed(&sim, "POST", path, &assume("for_keys_only"), None, &signing).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    // And the permanent keys may not assume the agency that trusts only the instance.
    let permanent = send_signed(
        &sim,
        "POST",
        path,
        &assume(DEFAULT_AGENCY_NAME),
        None,
        &Signing::for_config(sim.scenario()),
    )
    .await;
    assert_eq!(permanent.status, 403, "{}", permanent.body);
    let calls = sim.assume_role_calls();
    assert_eq!(calls[0].signed_with, Some(CredentialKind::Metadata));
    assert_eq!(calls[2].signed_with, Some(CredentialKind::Permanent));
    sim.shutdown().await;
}
