//! `terraform-provider-rds`: started by Terraform (or OpenTofu), which speaks the plugin
//! protocol with it; run by hand only for `--version`, `--help` or `--debug`.

use std::process::ExitCode;

use clap::Parser;
use terraform_provider_rds::provider::{RdsProvider, SENSITIVE_LOG_FIELDS};
use terraform_provider_rds::{BINARY_NAME, PROVIDER_ADDRESS};

/// Terraform provider for Huawei Cloud RDS cross-region (offsite) backups.
///
/// Terraform starts this program itself; see the README for installation. Run by hand it only
/// serves in debug mode.
#[derive(Parser)]
#[command(name = BINARY_NAME, version, about, long_about = None)]
struct Cli {
    /// Serve without TLS for a debugger and print the TF_REATTACH_PROVIDERS value that makes
    /// Terraform use this running process. Stop with Ctrl-C.
    #[arg(long)]
    debug: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tfplugin::serve(
        RdsProvider::default(),
        tfplugin::ServeOptions {
            provider_address: PROVIDER_ADDRESS.to_owned(),
            binary_name: BINARY_NAME.to_owned(),
            debug: cli.debug,
            sensitive_log_fields: SENSITIVE_LOG_FIELDS
                .iter()
                .map(|&name| name.to_owned())
                .collect(),
            run_by_hand_hint: Some(format!(
                "Run `{BINARY_NAME} --help` for what it does when run by hand \
                 (--version, --debug); the README says how to install it for Terraform."
            )),
        },
    )
}
