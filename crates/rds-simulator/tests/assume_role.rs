//! IAM `POST /v3.0/OS-CREDENTIAL/securitytokens` (assume_role) over real HTTP, signed with the
//! client's signer: issued credentials, IAM's body rules, agencies, the body hash in the
//! signature, and temporary keys on every signed route until they expire.

mod common;

use std::time::Duration;

use common::{Signing, get_raw, issued_from_answer, list_with, pairs, send_signed};
use rds_simulator::{
    Agency, CredentialKind, DEFAULT_ACCESS_KEY, DEFAULT_AGENCY_DOMAIN_ID,
    DEFAULT_AGENCY_DOMAIN_NAME, DEFAULT_AGENCY_NAME, IssuedCredential, Scenario, SignatureCheck,
    Simulator, parse_credential_expiry,
};
use serde_json::{Value, json};
use time::OffsetDateTime;

const PATH: &str = "/v3.0/OS-CREDENTIAL/securitytokens";

fn body(assume_role: Value) -> Vec<u8> {
    json!({"auth": {"identity": {"methods": ["assume_role"], "assume_role": assume_role}}})
        .to_string()
        .into_bytes()
}

fn by_name(duration_seconds: u64) -> Vec<u8> {
    body(json!({
        "agency_name": DEFAULT_AGENCY_NAME,
        "domain_name": DEFAULT_AGENCY_DOMAIN_NAME,
        "duration_seconds": duration_seconds,
    }))
}

async fn assume(sim: &Simulator, body: &[u8], signing: &Signing) -> common::Answer {
    send_signed(sim, "POST", PATH, body, None, signing).await
}

async fn assume_with_permanent_keys(sim: &Simulator, body: &[u8]) -> common::Answer {
    assume(sim, body, &Signing::for_config(sim.scenario())).await
}

fn seconds_until(instant: OffsetDateTime) -> i64 {
    (instant - OffsetDateTime::now_utc()).whole_seconds()
}

#[tokio::test]
async fn assumes_by_domain_name_and_by_domain_id() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let answer = assume_with_permanent_keys(&sim, &by_name(3600)).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let credential = &answer.json()["credential"];
    let expires_at = credential["expires_at"].as_str().expect("expires_at");
    let expiry = parse_credential_expiry(expires_at)
        .unwrap_or_else(|| panic!("not yyyy-mm-ddThh:mm:ss.ffffffZ: {expires_at}"));
    assert!(
        (3590..=3600).contains(&seconds_until(expiry)),
        "{expires_at}"
    );
    let first = issued_from_answer(&sim, &answer);
    assert_eq!(first.kind, CredentialKind::Assumed);
    assert_eq!(first.agency_name.as_deref(), Some(DEFAULT_AGENCY_NAME));
    assert_eq!(first.principal, DEFAULT_ACCESS_KEY);
    assert_ne!(first.access_key, DEFAULT_ACCESS_KEY);

    let by_id = body(json!({
        "agency_name": DEFAULT_AGENCY_NAME,
        "domain_id": DEFAULT_AGENCY_DOMAIN_ID,
    }));
    let answer = assume_with_permanent_keys(&sim, &by_id).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let second = issued_from_answer(&sim, &answer);
    assert_ne!(second.access_key, first.access_key, "fresh keys per call");
    assert_ne!(second.security_token, first.security_token);
    // No duration_seconds: IAM's default of 900 seconds.
    assert!((890..=900).contains(&seconds_until(second.expires_at)));

    let calls = sim.assume_role_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(sim.successful_assume_role_calls(), 2);
    assert_eq!(calls[0].status, 201);
    assert_eq!(calls[0].access_key.as_deref(), Some(DEFAULT_ACCESS_KEY));
    assert_eq!(calls[0].signed_with, Some(CredentialKind::Permanent));
    assert_eq!(calls[0].methods, Some(vec!["assume_role".to_owned()]));
    assert_eq!(calls[0].agency_name.as_deref(), Some(DEFAULT_AGENCY_NAME));
    assert_eq!(
        calls[0].domain_name.as_deref(),
        Some(DEFAULT_AGENCY_DOMAIN_NAME)
    );
    assert_eq!(calls[0].domain_id, None);
    assert_eq!(calls[0].duration_seconds, Some(3600));
    assert_eq!(
        calls[0].issued_access_key.as_deref(),
        Some(first.access_key.as_str())
    );
    assert_eq!(calls[0].expires_at, Some(first.expires_at));
    assert_eq!(
        calls[1].domain_id.as_deref(),
        Some(DEFAULT_AGENCY_DOMAIN_ID)
    );
    assert_eq!(calls[1].duration_seconds, None);
    let log = sim.requests();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| r.method == "POST" && r.path == PATH));
    assert!(log.iter().all(|r| r.signature == SignatureCheck::Valid));
    sim.shutdown().await;
}

#[tokio::test]
async fn temporary_keys_work_on_every_signed_route_and_can_assume_again() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let answer = assume_with_permanent_keys(&sim, &by_name(900)).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let assumed = issued_from_answer(&sim, &answer);
    let signing = Signing::for_credential(&assumed);

    let page = list_with(&sim, &signing).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let projects = get_raw(
        &sim,
        "/v3/projects",
        "name=cn-north-4",
        &pairs(&[("name", "cn-north-4")]),
        Some(&signing),
    )
    .await
    .expect("an answer");
    assert_eq!(projects.status, 200, "{}", projects.body);

    // Assuming with assumed keys: the new keys belong to the same permanent key.
    let again = assume(&sim, &by_name(1800), &signing).await;
    assert_eq!(again.status, 201, "{}", again.body);
    let chained = issued_from_answer(&sim, &again);
    assert_eq!(chained.principal, DEFAULT_ACCESS_KEY);
    assert_eq!(
        sim.assume_role_calls()[1].signed_with,
        Some(CredentialKind::Assumed)
    );

    let log = sim.requests();
    assert_eq!(log.len(), 4);
    for record in &log[1..] {
        assert_eq!(record.signature, SignatureCheck::Valid, "{}", record.path);
        assert_eq!(record.credential, Some(CredentialKind::Assumed));
        assert_eq!(
            record.access_key.as_deref(),
            Some(assumed.access_key.as_str())
        );
        assert!(
            record
                .signed_headers
                .contains(&"x-security-token".to_owned())
        );
    }
    assert_eq!(log[0].credential, Some(CredentialKind::Permanent));
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_bodies_are_refused_naming_the_field() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            json!({"auth": {"identity": {"methods": ["token"],
                "assume_role": {"agency_name": DEFAULT_AGENCY_NAME, "domain_id": DEFAULT_AGENCY_DOMAIN_ID}}}})
            .to_string()
            .into_bytes(),
            "auth.identity.methods",
        ),
        (
            body(json!({"agency_name": DEFAULT_AGENCY_NAME,
                "domain_id": DEFAULT_AGENCY_DOMAIN_ID, "domain_name": DEFAULT_AGENCY_DOMAIN_NAME})),
            "Exactly one of domain_name and domain_id",
        ),
        (
            body(json!({"agency_name": DEFAULT_AGENCY_NAME})),
            "Exactly one of domain_name and domain_id",
        ),
        (
            body(json!({"domain_id": DEFAULT_AGENCY_DOMAIN_ID})),
            "assume_role.agency_name",
        ),
        (by_name(899), "assume_role.duration_seconds"),
        (by_name(43_201), "assume_role.duration_seconds"),
        (
            body(json!({"agency_name": DEFAULT_AGENCY_NAME,
                "domain_id": DEFAULT_AGENCY_DOMAIN_ID, "duration_seconds": "3600"})),
            "assume_role.duration_seconds",
        ),
        (
            body(json!({"agency_name": DEFAULT_AGENCY_NAME,
                "domain_id": DEFAULT_AGENCY_DOMAIN_ID, "duration": 3600})),
            "assume_role.duration",
        ),
        (b"{not json".to_vec(), "Request parameter auth is invalid"),
    ];
    for (request, expected) in &cases {
        let answer = assume_with_permanent_keys(&sim, request).await;
        assert_eq!(answer.status, 400, "{expected}: {}", answer.body);
        assert_eq!(answer.error_code(), "IAM.0007", "{}", answer.body);
        assert!(
            answer.error_msg().contains(expected),
            "{expected}: {}",
            answer.error_msg()
        );
    }
    for bound in [900, 43_200] {
        let answer = assume_with_permanent_keys(&sim, &by_name(bound)).await;
        assert_eq!(answer.status, 201, "{bound}: {}", answer.body);
    }
    let calls = sim.assume_role_calls();
    assert_eq!(calls.len(), cases.len() + 2);
    assert!(
        calls[..cases.len()]
            .iter()
            .all(|call| call.status == 400 && call.error_code.as_deref() == Some("IAM.0007"))
    );
    assert_eq!(calls[4].duration_seconds, Some(899));
    assert_eq!(sim.successful_assume_role_calls(), 2);
    assert_eq!(sim.issued_credentials().len(), 2);

    // IAM takes JSON only.
    let mut plain = Signing::for_config(sim.scenario());
    plain.extra_headers = vec![("Content-Type".into(), "text/plain".into())];
    let answer = assume(&sim, &by_name(900), &plain).await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.error_msg().contains("Content-Type"),
        "{}",
        answer.body
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_or_forbidden_agencies_answer_403() {
    let scenario = Scenario {
        agencies: vec![
            Agency::default(),
            Agency {
                agency_name: "only_for_other".into(),
                assumable_by: vec!["OTHERAK".into()],
                ..Agency::default()
            },
        ],
        ..Scenario::default()
    };
    let sim = Simulator::start(scenario).await.expect("start");
    for assume_role in [
        json!({"agency_name": "no_such_agency", "domain_name": DEFAULT_AGENCY_DOMAIN_NAME}),
        json!({"agency_name": DEFAULT_AGENCY_NAME, "domain_name": "other-account"}),
        // A domain id given as a name does not match.
        json!({"agency_name": DEFAULT_AGENCY_NAME, "domain_name": DEFAULT_AGENCY_DOMAIN_ID}),
        json!({"agency_name": "only_for_other", "domain_id": DEFAULT_AGENCY_DOMAIN_ID}),
    ] {
        let answer = assume_with_permanent_keys(&sim, &body(assume_role.clone())).await;
        assert_eq!(answer.status, 403, "{assume_role}: {}", answer.body);
        assert_eq!(answer.error_code(), "IAM.0002");
        assert!(
            answer
                .error_msg()
                .starts_with("You are not authorized to perform the requested action."),
            "{}",
            answer.error_msg()
        );
    }
    assert!(sim.issued_credentials().is_empty());
    assert!(
        sim.assume_role_calls()
            .iter()
            .all(|call| call.status == 403)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_signature_covers_the_body() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let sent = by_name(3600);
    let signed = by_name(900);
    let answer = send_signed(
        &sim,
        "POST",
        PATH,
        &sent,
        Some(&signed),
        &Signing::for_config(sim.scenario()),
    )
    .await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(answer.error_code(), "APIG.0301");
    assert_eq!(
        sim.requests()[0].signature,
        SignatureCheck::Invalid("signature mismatch".into())
    );

    let mut wrong_secret = Signing::for_config(sim.scenario());
    wrong_secret.secret_key = "not-the-secret".into();
    assert_eq!(assume(&sim, &sent, &wrong_secret).await.status, 401);

    let unsigned = common::client()
        .post(format!("{}{PATH}", sim.base_url()))
        .header("Content-Type", "application/json")
        .body(sent.clone())
        .send()
        .await
        .expect("an answer");
    assert_eq!(unsigned.status().as_u16(), 401);

    assert!(sim.issued_credentials().is_empty());
    let calls = sim.assume_role_calls();
    assert_eq!(calls.len(), 3, "refused calls are recorded too");
    assert!(calls.iter().all(|call| call.status == 401
        && call.error_code.as_deref() == Some("APIG.0301")
        && call.duration_seconds == Some(3600)));
    sim.shutdown().await;
}

fn short_lived(lifetime: Duration) -> Scenario {
    Scenario {
        assumed_credential_lifetime: Some(lifetime),
        ..Scenario::default()
    }
}

async fn assumed_credential(sim: &Simulator) -> IssuedCredential {
    let answer = assume_with_permanent_keys(sim, &by_name(3600)).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    issued_from_answer(sim, &answer)
}

#[tokio::test]
async fn expired_temporary_keys_answer_apigw_0301() {
    let sim = Simulator::start(short_lived(Duration::from_secs(1)))
        .await
        .expect("start");
    let assumed = assumed_credential(&sim).await;
    // The scenario's lifetime wins over the 3600 s requested (which is still recorded).
    assert!(seconds_until(assumed.expires_at) <= 1);
    assert_eq!(sim.assume_role_calls()[0].duration_seconds, Some(3600));
    let signing = Signing::for_credential(&assumed);
    assert_eq!(list_with(&sim, &signing).await.status, 200);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let mut fresh_date = signing.clone();
    fresh_date.date = OffsetDateTime::now_utc();
    let expired = list_with(&sim, &fresh_date).await;
    assert_eq!(expired.status, 401, "{}", expired.body);
    assert_eq!(
        expired.json(),
        json!({
            "error_code": "APIGW.0301",
            "error_msg": "Incorrect IAM authentication information: the security token has expired"
        })
    );
    // Assuming with the expired keys is refused the same way.
    let again = assume(&sim, &by_name(900), &fresh_date).await;
    assert_eq!(again.status, 401);
    assert_eq!(again.error_code(), "APIGW.0301");

    assert_eq!(sim.expired_credential_rejections(), 2);
    let log = sim.requests();
    assert_eq!(log[2].signature, SignatureCheck::Expired);
    assert_eq!(log[2].credential, Some(CredentialKind::Assumed));
    // The permanent keys are unaffected.
    let permanent = list_with(&sim, &Signing::for_config(sim.scenario())).await;
    assert_eq!(permanent.status, 200);
    sim.clear_requests();
    assert_eq!(sim.expired_credential_rejections(), 0);
    assert!(sim.assume_role_calls().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn expire_issued_credentials_ends_them_at_once() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let assumed = assumed_credential(&sim).await;
    assert_eq!(
        list_with(&sim, &Signing::for_credential(&assumed))
            .await
            .status,
        200
    );
    sim.expire_issued_credentials();
    let answer = list_with(&sim, &Signing::for_credential(&assumed)).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.error_code(), "APIGW.0301");
    // A new assume gives working keys again.
    let renewed = assumed_credential(&sim).await;
    assert_eq!(
        list_with(&sim, &Signing::for_credential(&renewed))
            .await
            .status,
        200
    );
    assert_eq!(sim.expired_credential_rejections(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn temporary_keys_need_their_own_signed_token() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let assumed = assumed_credential(&sim).await;
    let other = assumed_credential(&sim).await;

    let mut wrong_token = Signing::for_credential(&assumed);
    wrong_token.extra_headers = vec![("X-Security-Token".into(), other.security_token.clone())];
    let mut no_token = Signing::for_credential(&assumed);
    no_token.extra_headers.clear();
    let mut unsigned_token = Signing::for_credential(&assumed);
    unsigned_token.unsigned_headers = std::mem::take(&mut unsigned_token.extra_headers);
    let mut unknown_token = Signing::for_credential(&assumed);
    unknown_token.extra_headers = vec![("X-Security-Token".into(), "gAAAAAunknown".into())];
    let mut unknown_key = Signing::for_credential(&assumed);
    unknown_key.access_key = "NOSUCHTEMPORARYKEY00".into();

    for (what, signing, reason) in [
        (
            "another credential's token",
            &wrong_token,
            "X-Security-Token is not the one issued with this access key",
        ),
        (
            "no token",
            &no_token,
            "temporary access key without X-Security-Token",
        ),
        (
            "token not signed",
            &unsigned_token,
            "SignedHeaders does not include x-security-token",
        ),
        (
            "unknown token",
            &unknown_token,
            "X-Security-Token is not the one issued with this access key",
        ),
        ("unknown access key", &unknown_key, "unknown access key"),
    ] {
        sim.clear_requests();
        let answer = list_with(&sim, signing).await;
        assert_eq!(answer.status, 401, "{what}: {}", answer.body);
        assert_eq!(answer.error_code(), "APIG.0301", "{what}");
        assert_eq!(
            sim.requests()[0].signature,
            SignatureCheck::Invalid(reason.into()),
            "{what}"
        );
        assert!(!answer.body.contains(&assumed.security_token));
        assert!(!answer.body.contains(&assumed.secret_key));
    }
    assert_eq!(sim.expired_credential_rejections(), 0);
    // The secret of one temporary key does not sign for another.
    let mut crossed = Signing::for_credential(&assumed);
    crossed.secret_key = other.secret_key.clone();
    assert_eq!(list_with(&sim, &crossed).await.status, 401);
    sim.shutdown().await;
}
