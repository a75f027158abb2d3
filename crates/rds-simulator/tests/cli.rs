//! The `rds-api-simulator` binary: help, flag errors, startup line, serving, clean stop.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_rds-api-simulator");

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BINARY)
        .args(args)
        .output()
        .expect("run the binary")
}

#[test]
fn help_documents_flags_and_demo_instance() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "--listen",
        "--access-key",
        "--secret-key",
        "--project-id",
        "--region",
        "--data",
        "--instance",
        "--seed",
        "--no-verify-signatures",
        "--latency-ms",
        "--fail-first",
        "--fail-fraction",
        "--malformed-json-at",
        "--drop-connection-at",
        "--grow-total-after-first-page",
        "--request-log",
        "--hostile-error-status",
        "--echo-headers-status",
        "--trickle-ms",
        "--pad-pages-to",
        "--agency",
        "--assumed-credential-lifetime",
        "--no-metadata",
        "--metadata-token-api",
        "--metadata-credential-lifetime",
        "POST /v3.0/OS-CREDENTIAL/securitytokens",
        "PUT /meta-data/latest/api/token",
        "GET /openstack/latest/securitykey",
        "APIGW.0301",
        "IAM.0007",
        "IAM.0002",
        "2026-12-08T12:00:00.000000Z",
        rds_simulator::DEMO_MYSQL_INSTANCE_ID,
        // Users start the simulator by hand from the docs: the defaults they sign with and
        // the default agency they assume must be in --help.
        rds_simulator::DEFAULT_ACCESS_KEY,
        rds_simulator::DEFAULT_SECRET_KEY,
        rds_simulator::DEFAULT_AGENCY_NAME,
        rds_simulator::DEFAULT_AGENCY_DOMAIN_NAME,
        rds_simulator::DEFAULT_AGENCY_DOMAIN_ID,
    ] {
        assert!(help.contains(expected), "--help lacks {expected}");
    }
    // The defaults, so that the simulator can be started by hand and a provider pointed at
    // it without reading any script.
    for default in [
        "127.0.0.1:8787",
        rds_simulator::DEFAULT_ACCESS_KEY,
        rds_simulator::DEFAULT_SECRET_KEY,
        rds_simulator::DEFAULT_PROJECT_ID,
    ] {
        assert!(
            help.contains(&format!("[default: {default}]")),
            "--help does not show the default {default}:\n{help}"
        );
    }
    assert!(help.contains("FRACTION:STATUS[:RETRY_AFTER]"), "{help}");
    assert!(help.contains("each region has its own project"), "{help}");
    assert!(help.contains("sha256(\"project:REGION\")"), "{help}");
}

#[test]
fn bad_flags_are_clear_errors_not_panics() {
    for args in [
        &["--fail-first", "200:1"][..],
        &["--fail-fraction", "2:500"],
        &["--fail-fraction", "0.5:503:soon"],
        &["--fail-fraction", "0.5:503:1:2"],
        &["--instance", "abc:oracle"],
        &["--drop-connection-at", "x"],
        &["--listen", "nowhere"],
        &["--no-such-flag"],
        &["--agency", "acme:0123"],
        &["--agency", "acme::reader"],
        &["--metadata-token-api", "401"],
        &["--assumed-credential-lifetime", "0"],
        &["--metadata-credential-lifetime", "soon"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let missing = run(&[
        "--data",
        "/nonexistent/data.json",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/data.json"));
}

/// Kills the child if a test fails before stopping it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serves_and_stops_cleanly_on_sigterm() {
    let data = tempfile::NamedTempFile::new().expect("temp file");
    let dataset = rds_simulator::Dataset::generate(&rds_simulator::GenerateSpec {
        instances: vec!["inst1:postgresql:3:1".parse().expect("spec")],
        seed: 5,
    });
    std::fs::write(data.path(), dataset.to_json()).expect("write data");
    let data_path = data.path().to_str().expect("a UTF-8 temp path");
    let (mut running, base_url) = start_binary_with(
        &[
            "--no-verify-signatures",
            "--request-log",
            "--data",
            data_path,
        ],
        Stdio::piped(),
    )
    .await;
    assert!(base_url.starts_with("http://127.0.0.1:"));

    let url = format!(
        "{base_url}/v3/{}/offsite-backups?instance_id=inst1&backup_type=auto",
        rds_simulator::DEFAULT_PROJECT_ID
    );
    let body: serde_json::Value = reqwest::get(&url)
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["total_count"], 3);

    let pid = running.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || {
        let status = running.0.wait();
        let mut stderr = String::new();
        if let Some(mut pipe) = running.0.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        (status, stderr)
    })
    .await
    .expect("join");
    let (status, stderr) = status;
    assert!(
        status.expect("wait").success(),
        "exit after SIGTERM: {stderr}"
    );
    assert!(
        stderr.contains("offsite-backups?instance_id=inst1&backup_type=auto -> 200"),
        "request log line missing: {stderr}"
    );
}

/// Starts the binary with `args` on a free port; returns it and its base URL.
async fn start_binary(args: &[&str]) -> (Running, String) {
    start_binary_with(args, Stdio::null()).await
}

/// Starts the binary on an ephemeral port with `stderr` as given (piped to read its request
/// log) and returns it with the base URL from its startup line.
async fn start_binary_with(args: &[&str], stderr: Stdio) -> (Running, String) {
    let child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start the binary");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("read the startup line");
    let base_url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected startup line {line:?}"))
        .to_owned();
    (running, base_url)
}

#[tokio::test]
async fn regions_get_their_own_projects_and_fail_fraction_takes_retry_after() {
    let (_running, base_url) = start_binary(&[
        "--no-verify-signatures",
        "--region",
        "cn-north-4",
        "--region",
        "ap-southeast-1",
        "--fail-fraction",
        "1:503:7",
    ])
    .await;
    let project_of = async |region: &str| {
        let body: serde_json::Value = reqwest::get(format!("{base_url}/v3/projects?name={region}"))
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON");
        body["projects"][0]["id"]
            .as_str()
            .expect("a project")
            .to_owned()
    };
    assert_eq!(
        project_of("cn-north-4").await,
        rds_simulator::DEFAULT_PROJECT_ID
    );
    assert_eq!(
        project_of("ap-southeast-1").await,
        rds_simulator::derived_project_id("ap-southeast-1")
    );

    let url = format!(
        "{base_url}/v3/{}/offsite-backups?instance_id={}&backup_type=auto",
        rds_simulator::derived_project_id("ap-southeast-1"),
        rds_simulator::DEMO_MYSQL_INSTANCE_ID
    );
    let failed = reqwest::get(&url).await.expect("request");
    assert_eq!(failed.status().as_u16(), 503);
    assert_eq!(
        failed
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
}

#[tokio::test]
async fn source_region_names_where_the_instances_run() {
    let help = String::from_utf8_lossy(&run(&["--help"]).stdout).into_owned();
    assert!(help.contains("--source-region <REGION>"), "{help}");
    assert!(help.contains("offsite-backup-instance"), "{help}");
    let (_running, base_url) = start_binary(&[
        "--no-verify-signatures",
        "--source-region",
        "ap-southeast-1",
    ])
    .await;
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!("{base_url}/v3/backups/offsite-backup-instance"))
        .header("X-Project-Id", rds_simulator::DEFAULT_PROJECT_ID)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    let instances = body["offsite_backup_instances"].as_array().expect("a page");
    assert_eq!(instances.len(), 3, "the demo's three instances: {body}");
    for instance in instances {
        assert_eq!(instance["source_region"], "ap-southeast-1");
        assert_eq!(
            instance["source_project_id"],
            rds_simulator::derived_project_id("ap-southeast-1")
        );
    }
}

/// A POST of `body` to `path`, signed with the default keys by the client's signer.
async fn signed_post(base_url: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    use hwcloud::signing;
    let host = base_url.trim_start_matches("http://").to_owned();
    let sdk_date = signing::format_sdk_date(time::OffsetDateTime::now_utc());
    let headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("host".to_owned(), host),
        ("x-sdk-date".to_owned(), sdk_date.clone()),
    ];
    let canonical = signing::canonical_request("POST", path, &[], &headers, body.as_bytes());
    let signature = signing::signature(
        rds_simulator::DEFAULT_SECRET_KEY,
        &signing::string_to_sign(&sdk_date, &canonical),
    );
    let authorization = signing::authorization_header(
        rds_simulator::DEFAULT_ACCESS_KEY,
        &signing::signed_header_names(&headers),
        &signature,
    );
    let response = reqwest::Client::new()
        .post(format!("{base_url}{path}"))
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .header("X-Sdk-Date", sdk_date)
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

fn assume_body(domain_name: &str, agency_name: &str) -> String {
    serde_json::json!({"auth": {"identity": {"methods": ["assume_role"], "assume_role": {
        "agency_name": agency_name, "domain_name": domain_name, "duration_seconds": 3600}}}})
    .to_string()
}

fn seconds_left(credential: &serde_json::Value) -> i64 {
    let expires_at = credential["credential"]["expires_at"]
        .as_str()
        .expect("expires_at");
    let expiry = rds_simulator::parse_credential_expiry(expires_at).expect("the IAM format");
    (expiry - time::OffsetDateTime::now_utc()).whole_seconds()
}

#[tokio::test]
async fn agency_and_metadata_flags_shape_the_credential_routes() {
    let (_running, base_url) = start_binary(&[
        "--agency",
        "acme:0123456789abcdef:reader",
        "--assumed-credential-lifetime",
        "5",
        "--metadata-token-api",
        "404",
        "--metadata-credential-lifetime",
        "120",
    ])
    .await;
    let path = "/v3.0/OS-CREDENTIAL/securitytokens";
    let (status, body) = signed_post(&base_url, path, &assume_body("acme", "reader")).await;
    assert_eq!(status, 201, "{body}");
    assert!((0..=5).contains(&seconds_left(&body)), "{body}");
    // --agency replaces the default agency.
    let (status, body) = signed_post(
        &base_url,
        path,
        &assume_body(
            rds_simulator::DEFAULT_AGENCY_DOMAIN_NAME,
            rds_simulator::DEFAULT_AGENCY_NAME,
        ),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error_code"], "IAM.0002");

    let client = reqwest::Client::new();
    let put = client
        .put(format!("{base_url}/meta-data/latest/api/token"))
        .header("X-Metadata-Token-Ttl-Seconds", "21600")
        .send()
        .await
        .expect("request");
    assert_eq!(put.status().as_u16(), 404);
    let key: serde_json::Value = client
        .get(format!("{base_url}/openstack/latest/securitykey"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert!((110..=120).contains(&seconds_left(&key)), "{key}");
}

#[tokio::test]
async fn default_agency_and_no_metadata() {
    let (_running, base_url) = start_binary(&["--no-metadata"]).await;
    let (status, body) = signed_post(
        &base_url,
        "/v3.0/OS-CREDENTIAL/securitytokens",
        &assume_body(
            rds_simulator::DEFAULT_AGENCY_DOMAIN_NAME,
            rds_simulator::DEFAULT_AGENCY_NAME,
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // No --assumed-credential-lifetime: the requested 3600 s.
    assert!((3590..=3600).contains(&seconds_left(&body)), "{body}");
    let client = reqwest::Client::new();
    for request in [
        client
            .put(format!("{base_url}/meta-data/latest/api/token"))
            .header("X-Metadata-Token-Ttl-Seconds", "21600"),
        client.get(format!("{base_url}/openstack/latest/securitykey")),
    ] {
        assert_eq!(
            request.send().await.expect("request").status().as_u16(),
            404
        );
    }
}

/// The docs and the examples point the provider at the address the simulator listens on by
/// default (they once said 8080 while it listened on 8787).
#[test]
fn docs_and_examples_name_the_default_listen_address() {
    let help = String::from_utf8(run(&["--help"]).stdout).expect("UTF-8 help");
    let listen = help
        .split("--listen <LISTEN>")
        .nth(1)
        .and_then(|rest| rest.split("[default: ").nth(1))
        .and_then(|rest| rest.split(']').next())
        .expect("--help shows the default of --listen");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![root.join("docs/index.md"), root.join("README.md")];
    for example in std::fs::read_dir(root.join("examples")).expect("examples/") {
        let providers = example.expect("an entry").path().join("providers.tf");
        if providers.is_file() {
            files.push(providers);
        }
    }
    let mut mentions = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a doc");
        for (index, _) in text.match_indices("http://127.0.0.1:") {
            let address: String = text[index + "http://".len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                .collect();
            assert_eq!(address, listen, "{} names {address}", file.display());
            mentions += 1;
        }
    }
    assert!(
        mentions >= files.len(),
        "every file names the address ({mentions} mentions)"
    );
}
