//! Debug mode: the developer starts the provider (e.g. under a debugger) and points Terraform
//! at it with `TF_REATTACH_PROVIDERS`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::handshake::PROTOCOL_VERSION;
use super::listener::PluginAddress;

/// One entry of `TF_REATTACH_PROVIDERS`. `Test: true` matters: without it Terraform assumes
/// protocol 5 and stops the provider after each command.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ReattachConfig {
    protocol: &'static str,
    protocol_version: u32,
    pid: u32,
    test: bool,
    addr: ReattachAddress,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ReattachAddress {
    network: &'static str,
    string: String,
}

/// The JSON value of `TF_REATTACH_PROVIDERS` for this process.
pub(crate) fn reattach_json(provider_address: &str, pid: u32, address: &PluginAddress) -> String {
    let config = ReattachConfig {
        protocol: "grpc",
        protocol_version: PROTOCOL_VERSION,
        pid,
        test: true,
        addr: ReattachAddress {
            network: address.network(),
            string: address.address(),
        },
    };
    let providers = BTreeMap::from([(provider_address, config)]);
    serde_json::to_string(&providers).unwrap_or_default()
}

/// What a developer reads on stdout after `--debug`.
pub(crate) fn instructions(provider_address: &str, pid: u32, address: &PluginAddress) -> String {
    format!(
        "Provider started in debug mode. To attach Terraform, set TF_REATTACH_PROVIDERS in the\n\
         environment of the Terraform commands you run (for example in another terminal):\n\
         \n\
         \tTF_REATTACH_PROVIDERS='{}'\n\
         \n\
         Press Ctrl-C to stop the provider.",
        reattach_json(provider_address, pid, address)
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn reattach_json_has_terraforms_shape() {
        let address = PluginAddress::Unix(PathBuf::from("/tmp/tfplugin1/provider.sock"));
        assert_eq!(
            reattach_json("registry.terraform.io/tfrds/rds", 123, &address),
            r#"{"registry.terraform.io/tfrds/rds":{"Protocol":"grpc","ProtocolVersion":6,"Pid":123,"Test":true,"Addr":{"Network":"unix","String":"/tmp/tfplugin1/provider.sock"}}}"#
        );
    }

    #[test]
    fn instructions_carry_a_shell_ready_line() {
        let address = PluginAddress::Unix(PathBuf::from("/s"));
        let text = instructions("registry.terraform.io/tfrds/rds", 7, &address);
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("TF_REATTACH_PROVIDERS='"))
            .expect("line");
        assert!(line.trim_end().ends_with("}'"));
    }
}
