//! Acceptance tests: what a server sends is untrusted text. Under a real Terraform, an error
//! body full of terminal escapes cannot paint a fake "Apply complete!" or a second "Error:"
//! block, and a proxy that echoes the request's headers shows `***`, never the security
//! token, the secret key or the signature, in Terraform's output or its debug log.

#[path = "support/read.rs"]
mod read_support;
mod support;

use std::path::PathBuf;

use rds_simulator::{Engine, Faults, Simulator};
use read_support::{
    SECRET_KEY, arguments, configuration, dataset, flattened, offsite_requests, provider_block,
    scenario, start, try_apply,
};
use support::{RunOutput, Workdir};

/// The temporary credentials' token: distinctive, so finding it anywhere is a leak.
const SECURITY_TOKEN: &str = "acc-untrusted-token-Hq7Lw2Rt9Zk-never-shown";

async fn simulator_with(faults: Faults) -> Simulator {
    start(scenario(dataset(Engine::MySql, 5, 0), faults)).await
}

/// `terraform apply` of one read with the security token configured; it must fail.
fn failed_read(simulator: &Simulator) -> (RunOutput, PathBuf, Workdir) {
    let token = format!("  security_token = \"{SECURITY_TOKEN}\"");
    let mut workdir = Workdir::new(&configuration(
        &provider_block(simulator, &token),
        &[("all", &arguments("auto", ""))],
    ));
    let log = workdir.debug_log();
    let apply = try_apply(&workdir);
    apply.assert_failure();
    (apply, log, workdir)
}

/// Lines of Terraform's output as they read on a terminal: without the diagnostic box's
/// margin and indentation.
fn visible_lines(output: &RunOutput) -> Vec<String> {
    output
        .combined()
        .lines()
        .map(|line| line.trim_start_matches(['│', '╷', '╵', ' ']).to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_error_body_cannot_paint_the_terminal() {
    let simulator = simulator_with(Faults {
        hostile_error_status: Some(403),
        ..Faults::default()
    })
    .await;
    let (apply, _log, _workdir) = failed_read(&simulator);
    let output = apply.combined();
    for control in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
        assert!(
            !output.contains(control),
            "{control:?} reached Terraform's output:\n{output}"
        );
    }
    let lines = visible_lines(&apply);
    let error_blocks: Vec<&String> = lines.iter().filter(|l| l.starts_with("Error:")).collect();
    assert_eq!(
        error_blocks.len(),
        1,
        "one Error block only: {error_blocks:?}\n{output}"
    );
    assert!(
        error_blocks[0].starts_with("Error: Huawei Cloud API error: HTTP 403"),
        "{output}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("Apply complete!")),
        "{output}"
    );
    // The server's text is shown, visibly escaped.
    let flat = flattened(&apply);
    assert!(flat.contains("\\x1b[32mApply complete!"), "{flat}");
    assert!(
        flat.contains("\\x0a\\x0aError: fake second block\\x07"),
        "{flat}"
    );
    assert_eq!(offsite_requests(&simulator).len(), 1, "403 is not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn echoed_request_headers_are_shown_as_stars() {
    let simulator = simulator_with(Faults {
        echo_headers_status: Some(403),
        ..Faults::default()
    })
    .await;
    let (apply, log, _workdir) = failed_read(&simulator);
    let flat = flattened(&apply);
    assert!(
        flat.contains("Received headers: Authorization: ***; X-Security-Token: ***"),
        "{flat}"
    );
    let log = std::fs::read_to_string(&log).expect("Terraform's debug log");
    assert!(
        log.contains("provider.terraform-provider-rds"),
        "the debug log holds the provider's lines"
    );
    for (what, text) in [
        ("stdout", &apply.stdout),
        ("stderr", &apply.stderr),
        ("the debug log", &log),
    ] {
        for secret in [SECURITY_TOKEN, SECRET_KEY, "SDK-HMAC-SHA256", "Signature="] {
            assert!(!text.contains(secret), "{secret:?} appears in {what}");
        }
    }
    // The simulator did receive the token and a signed request: the redaction was needed.
    let requests = offsite_requests(&simulator);
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0]
            .signed_headers
            .iter()
            .any(|h| h == "x-security-token"),
        "{:?}",
        requests[0].signed_headers
    );
}
