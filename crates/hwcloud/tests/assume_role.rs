//! assume_role: IAM `POST /v3.0/OS-CREDENTIAL/securitytokens`, its body (agency, domain name
//! or id, the duration always sent) signed with the base keys; the assumed keys sign the API's
//! requests; IAM's refusals are errors naming the agency.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use hwcloud::{
    AgencyDomain, AssumeRole, CancellationToken, Client, ClientOptions, CredentialProblem, Error,
    ErrorKind,
};
use support::{ACCESS_KEY, Keyring, MockApi, REGION, Reply, stable_page};

const ASSUMED_AK: &str = "ASSUMEDAK01";
const ASSUMED_SK: &str = "assumed-secret-never-shown";
const ASSUMED_TOKEN: &str = "assumed-token-never-shown";
const SECURITY_TOKENS: &str = "/v3.0/OS-CREDENTIAL/securitytokens";

fn query() -> hwcloud::OffsiteBackupQuery {
    hwcloud::OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..Default::default()
    }
}

/// IAM and RDS in one: `securitytokens` hands out keys to requests signed with the base keys
/// (201), RDS lists pages for requests signed with the assumed keys; 401 otherwise.
async fn server(keyring: Arc<Keyring>) -> MockApi {
    let issuer = Arc::clone(&keyring);
    MockApi::start_with_keys(keyring, move |request, _| {
        let issuer = Arc::clone(&issuer);
        async move {
            let unauthorized = || {
                Reply::json(401, r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#)
            };
            if !request.signature_valid {
                return unauthorized();
            }
            if request.method == "POST" && request.path == SECURITY_TOKENS {
                let body = issuer.issue(ASSUMED_AK, ASSUMED_SK, ASSUMED_TOKEN, Duration::from_secs(3600));
                return Reply::json(201, body);
            }
            if request.access_key.as_deref() != Some(ASSUMED_AK) {
                return Reply::json(403, r#"{"error_code":"X.403","error_msg":"base keys used"}"#);
            }
            Reply::json(200, stable_page(2, request.offset()))
        }
        .boxed()
    })
    .await
}

fn assume(domain: AgencyDomain, seconds: u64) -> AssumeRole {
    AssumeRole {
        agency_name: "backup_agency".into(),
        domain,
        duration: Duration::from_secs(seconds),
    }
}

fn client(server: &MockApi, assume_role: AssumeRole) -> Client {
    Client::new(ClientOptions {
        assume_role: Some(assume_role),
        max_retries: 0,
        ..server.options()
    })
    .expect("client")
}

async fn list(client: &Client) -> Result<hwcloud::OffsiteBackupList, Error> {
    client
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
}

#[tokio::test]
async fn assumed_keys_sign_the_api_requests() {
    let server = server(Keyring::new()).await;
    let client = client(
        &server,
        assume(AgencyDomain::Name("backup_account".into()), 3600),
    );
    let listed = list(&client).await.expect("listed");
    assert_eq!(listed.backups.len(), 2);

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let post = &requests[0];
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", SECURITY_TOKENS)
    );
    assert!(
        post.signature_valid,
        "signed with the base keys, body included"
    );
    assert_eq!(post.access_key.as_deref(), Some(ACCESS_KEY));
    assert_eq!(post.header("x-security-token"), None, "permanent base keys");
    assert_eq!(post.header("x-project-id"), None);
    assert_eq!(post.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&post.body).expect("JSON body");
    assert_eq!(
        body,
        serde_json::json!({"auth":{"identity":{"methods":["assume_role"],"assume_role":{
            "agency_name":"backup_agency","domain_name":"backup_account","duration_seconds":3600}}}})
    );
    let page = &requests[1];
    assert!(page.signature_valid);
    assert_eq!(page.access_key.as_deref(), Some(ASSUMED_AK));
    assert_eq!(page.header("x-security-token"), Some(ASSUMED_TOKEN));

    // The keys are kept: a second read assumes nothing.
    list(&client).await.expect("listed again");
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn a_domain_id_and_any_duration_in_range_are_sent() {
    for seconds in [900, 43200] {
        let server = server(Keyring::new()).await;
        let client = client(
            &server,
            assume(AgencyDomain::Id("dom-0a1b".into()), seconds),
        );
        list(&client).await.expect("listed");
        let post = &server.requests()[0];
        let body: serde_json::Value = serde_json::from_slice(&post.body).expect("JSON body");
        let role = &body["auth"]["identity"]["assume_role"];
        assert_eq!(role["domain_id"], "dom-0a1b");
        assert!(role.get("domain_name").is_none(), "{role}");
        assert_eq!(role["duration_seconds"], seconds);
    }
}

#[tokio::test]
async fn temporary_base_keys_send_and_sign_their_token() {
    let keyring = Keyring::new();
    // Base keys that are themselves temporary (with a token that cannot be refreshed).
    let _ = keyring.issue(
        "BASETMP",
        "base-tmp-secret",
        "base-tmp-token",
        Duration::from_secs(3600),
    );
    let server = server(Arc::clone(&keyring)).await;
    let client = Client::new(ClientOptions {
        credentials: hwcloud::Credentials {
            access_key: "BASETMP".into(),
            secret_key: "base-tmp-secret".into(),
            security_token: Some("base-tmp-token".into()),
        }
        .into(),
        assume_role: Some(assume(AgencyDomain::Name("acct".into()), 3600)),
        ..server.options()
    })
    .expect("client");
    list(&client).await.expect("listed");
    let post = &server.requests()[0];
    assert!(post.signature_valid);
    assert_eq!(post.header("x-security-token"), Some("base-tmp-token"));
    assert!(post.signed_headers.contains(&"x-security-token".to_owned()));
}

#[tokio::test]
async fn iam_refusals_name_the_agency_and_never_a_secret() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(
                403,
                r#"{"error":{"code":"IAM.0001","message":"agency not trusted test-secret-key-never-printed"}}"#,
            )
            .with_header("x-request-id", "req-77")
        }
        .boxed()
    })
    .await;
    let client = client(
        &server,
        assume(AgencyDomain::Name("backup_account".into()), 3600),
    );
    let error = list(&client).await.expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Credentials);
    assert_eq!(error.status(), Some(403));
    let Error::Credentials(credential) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        credential.problem,
        CredentialProblem::Status {
            status: 403,
            code: Some("IAM.0001".into()),
            message: "agency not trusted ***".into(),
            request_id: Some("req-77".into()),
        }
    );
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "could not obtain credentials from IAM at {} (assume_role of agency \"backup_agency\" \
             in the domain \"backup_account\"): HTTP 403 IAM.0001",
            server.url()
        )),
        "{text}"
    );
    assert!(
        error.detail().contains("Request: POST"),
        "{}",
        error.detail()
    );
    assert!(error.hint().expect("hint").contains("trusts"));
    // Not retried: a refusal is final (and repeated signature failures lock keys).
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_answer_that_is_not_the_documented_credential_is_an_error() {
    let server = MockApi::start(|_, _| {
        async { Reply::json(201, r#"{"token":{"expires_at":"2099-01-01T00:00:00Z"}}"#) }.boxed()
    })
    .await;
    let client = client(&server, assume(AgencyDomain::Name("acct".into()), 3600));
    let error = list(&client).await.expect_err("no credential");
    let text = error.to_string();
    assert!(
        text.contains("the answer (HTTP 201) is not the documented {\"credential\":{\"access\",\"secret\",\"securitytoken\",\"expires_at\"}}: it has no \"credential\" object"),
        "{text}"
    );
}

#[tokio::test]
async fn assume_role_is_validated_at_client_creation() {
    let server = server(Keyring::new()).await;
    let error = Client::new(ClientOptions {
        assume_role: Some(assume(AgencyDomain::Name("acct".into()), 60)),
        ..server.options()
    })
    .expect_err("out of range");
    assert_eq!(
        error.to_string(),
        "invalid Huawei Cloud client configuration: assume_role.duration: it must be whole \
         seconds between 900 and 43200"
    );
    assert!(server.requests().is_empty());
}
