//! The provider binary links no aws-lc-rs. Terraform starts a provider three times per plan,
//! and aws-lc-rs seeds a CPU-jitter entropy source (~23 ms) at a process's first random number
//! or TLS handshake: the plugin server (AutoMTLS) and the HTTP client both run on rustls'
//! *ring* provider instead (see crates/tfplugin/src/server/tls.rs and
//! crates/hwcloud/src/http.rs). The start itself is measured by scripts/bench-handshake.sh,
//! never timed in a test; this test keeps the cause from coming back through a dependency's
//! default features.

use std::process::Command;

#[test]
fn the_provider_binary_does_not_link_aws_lc() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for crate_name in ["aws-lc-rs", "aws-lc-sys"] {
        let output = Command::new(&cargo)
            .args(["tree", "--offline", "--locked", "--edges", "normal,build"])
            .args([
                "--package",
                "terraform-provider-rds",
                "--invert",
                crate_name,
            ])
            .args(["--prefix", "none"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo tree runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Either the crate is not in the lock file at all, or nothing of the binary's
        // dependency graph leads to it.
        let absent = stderr.contains("did not match any packages")
            || (output.status.success() && stdout.trim().is_empty());
        assert!(
            absent,
            "{crate_name} is a dependency of the provider binary:\n{stdout}\n{stderr}"
        );
    }
}
