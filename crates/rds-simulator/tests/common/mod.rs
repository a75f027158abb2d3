//! Helpers shared by the integration tests: a signing test client.

#![allow(dead_code)] // each test binary uses a different subset

use hwcloud::signing;
use rds_simulator::{IssuedCredential, Scenario, Simulator};
use time::OffsetDateTime;

pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// How a test request is signed.
#[derive(Clone)]
pub struct Signing {
    pub access_key: String,
    pub secret_key: String,
    pub date: OffsetDateTime,
    /// Extra headers, sent and signed.
    pub extra_headers: Vec<(String, String)>,
    /// Sign these pairs instead of the ones sent (to simulate a client that signs one thing
    /// and sends another).
    pub signed_query_override: Option<Vec<(String, String)>>,
    /// Extra headers, sent but not signed.
    pub unsigned_headers: Vec<(String, String)>,
}

impl Signing {
    pub fn for_config(scenario: &Scenario) -> Signing {
        Signing {
            access_key: scenario.access_key.clone(),
            secret_key: scenario.secret_key.clone(),
            date: OffsetDateTime::now_utc(),
            extra_headers: Vec::new(),
            signed_query_override: None,
            unsigned_headers: Vec::new(),
        }
    }

    /// Signs with a temporary credential the simulator issued, its token sent and signed as
    /// `X-Security-Token`.
    pub fn for_credential(credential: &IssuedCredential) -> Signing {
        Signing {
            access_key: credential.access_key.clone(),
            secret_key: credential.secret_key.clone(),
            date: OffsetDateTime::now_utc(),
            extra_headers: vec![(
                "X-Security-Token".to_owned(),
                credential.security_token.clone(),
            )],
            signed_query_override: None,
            unsigned_headers: Vec::new(),
        }
    }
}

/// The access, secret and token of an IAM or metadata `{"credential":{...}}` answer, as the
/// simulator's own record of it (so a test can sign with it).
pub fn issued_from_answer(sim: &Simulator, answer: &Answer) -> IssuedCredential {
    let body = answer.json();
    let access = body["credential"]["access"]
        .as_str()
        .unwrap_or_else(|| panic!("no credential.access in {}", answer.body));
    let issued = sim
        .issued_credentials()
        .into_iter()
        .find(|credential| credential.access_key == access)
        .expect("the simulator records what it issued");
    assert_eq!(body["credential"]["secret"], issued.secret_key.as_str());
    assert_eq!(
        body["credential"]["securitytoken"],
        issued.security_token.as_str()
    );
    issued
}

/// Sends `method path` with `body`, signed per `signing` over `signed_body` (default: the
/// body sent), with `Content-Type: application/json` signed too unless `signing` already
/// names a Content-Type.
pub async fn send_signed(
    sim: &Simulator,
    method: &str,
    path: &str,
    body: &[u8],
    signed_body: Option<&[u8]>,
    signing: &Signing,
) -> Answer {
    let sdk_date = signing::format_sdk_date(signing.date);
    let mut headers = vec![
        ("host".to_owned(), sim.addr().to_string()),
        ("x-sdk-date".to_owned(), sdk_date.clone()),
    ];
    if !signing
        .extra_headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        headers.push((
            "Content-Type".to_owned(),
            "application/json;charset=UTF-8".to_owned(),
        ));
    }
    headers.extend(signing.extra_headers.iter().cloned());
    let canonical =
        signing::canonical_request(method, path, &[], &headers, signed_body.unwrap_or(body));
    let signature = signing::signature(
        &signing.secret_key,
        &signing::string_to_sign(&sdk_date, &canonical),
    );
    let names = signing::signed_header_names(&headers);
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = client()
        .request(method, format!("{}{}", sim.base_url(), path))
        .header(
            "Authorization",
            signing::authorization_header(&signing.access_key, &names, &signature),
        )
        .body(body.to_vec());
    for (name, value) in headers.iter().chain(&signing.unsigned_headers) {
        if name != "host" {
            request = request.header(name.as_str(), value.as_str());
        }
    }
    into_answer(request.send().await.expect("an HTTP answer")).await
}

/// Reads a response into an [`Answer`].
pub async fn into_answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request_id = header("x-request-id");
    let retry_after = header("retry-after");
    let body = response.text().await.expect("a body");
    Answer {
        status,
        request_id,
        retry_after,
        body,
    }
}

/// A response reduced to what tests look at.
pub struct Answer {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn error_code(&self) -> String {
        self.json()["error_code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn error_msg(&self) -> String {
        self.json()["error_msg"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A fresh client per request: no pooled connection, so a dropped connection is never
/// retried behind the test's back.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("build reqwest client")
}

/// GETs `path?raw_query` exactly as given, signed per `signing` (None: unsigned).
pub async fn get_raw(
    sim: &Simulator,
    path: &str,
    raw_query: &str,
    signed_pairs: &[(String, String)],
    signing: Option<&Signing>,
) -> Result<Answer, reqwest::Error> {
    let url = if raw_query.is_empty() {
        format!("{}{}", sim.base_url(), path)
    } else {
        format!("{}{}?{}", sim.base_url(), path, raw_query)
    };
    let mut request = client().get(&url);
    if let Some(signing) = signing {
        let sdk_date = signing::format_sdk_date(signing.date);
        let mut headers = vec![
            ("host".to_owned(), sim.addr().to_string()),
            ("x-sdk-date".to_owned(), sdk_date.clone()),
        ];
        headers.extend(signing.extra_headers.iter().cloned());
        for (name, value) in &signing.unsigned_headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let query = signing
            .signed_query_override
            .clone()
            .unwrap_or_else(|| signed_pairs.to_vec());
        let canonical = signing::canonical_request("GET", path, &query, &headers, b"");
        let signature = signing::signature(
            &signing.secret_key,
            &signing::string_to_sign(&sdk_date, &canonical),
        );
        let names = signing::signed_header_names(&headers);
        request = request.header(
            "Authorization",
            signing::authorization_header(&signing.access_key, &names, &signature),
        );
        for (name, value) in &headers {
            if name != "host" {
                request = request.header(name.as_str(), value.as_str());
            }
        }
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request_id = header("x-request-id");
    let retry_after = header("retry-after");
    let body = response.text().await?;
    Ok(Answer {
        status,
        request_id,
        retry_after,
        body,
    })
}

/// GETs `path` with `query` encoded the way a correct client does, signed with the
/// simulator's configured keys.
pub async fn get_signed(sim: &Simulator, path: &str, query: &[(String, String)]) -> Answer {
    let signing = Signing::for_config(sim.scenario());
    get_raw(
        sim,
        path,
        &signing::canonical_query(query),
        query,
        Some(&signing),
    )
    .await
    .expect("request must get an HTTP answer")
}

/// The offsite-backups path of the simulator's project.
pub fn backups_path(sim: &Simulator) -> String {
    format!("/v3/{}/offsite-backups", sim.scenario().project_id)
}

/// Lists one page with a correct, signed request.
pub async fn list(sim: &Simulator, query: &[(&str, &str)]) -> Answer {
    get_signed(sim, &backups_path(sim), &pairs(query)).await
}

/// Ids on a list page.
pub fn page_ids(answer: &Answer) -> Vec<String> {
    answer.json()["backups"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|b| b["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Lists one page of the demo MySQL instance's automated backups, signed per `signing`.
pub async fn list_with(sim: &Simulator, signing: &Signing) -> Answer {
    let query = pairs(&[
        ("instance_id", rds_simulator::DEMO_MYSQL_INSTANCE_ID),
        ("backup_type", "auto"),
        ("limit", "1"),
    ]);
    get_raw(
        sim,
        &backups_path(sim),
        &signing::canonical_query(&query),
        &query,
        Some(signing),
    )
    .await
    .expect("an answer")
}
