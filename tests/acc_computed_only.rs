//! Attributes the data source computes (`backups`, `total_count`, `id`) cannot be set in a
//! data block: `terraform validate` reports each one at its own line, whether the value is a
//! literal or not known until apply.

#[path = "support/protocol.rs"]
mod protocol;
mod support;

use protocol::{REQUIRED_PROVIDERS, line_of, unwrapped};
use serde_json::{Value, json};
use support::Workdir;

#[test]
fn setting_a_computed_only_attribute_is_a_validate_error_at_it() {
    let main_tf = format!(
        r#"{REQUIRED_PROVIDERS}
variable "chosen" {{
  type = string
}}

data "rds_offsite_backups" "this" {{
  instance_id = "demo-instance"
  backup_type = "auto"
  backups     = []
  total_count = 3
  id          = var.chosen
}}
"#
    );
    let report = Workdir::new(&main_tf).validate_json();
    assert_eq!(report["valid"], json!(false), "{report:#}");
    let errors: Vec<&Value> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 3, "one error per attribute: {report:#}");
    for (attribute, line_text) in [
        ("backups", "backups     = []"),
        ("total_count", "total_count = 3"),
        // Unknown during validate (a variable without a value): still set, still an error.
        ("id", "id          = var.chosen"),
    ] {
        let line = line_of(&main_tf, line_text);
        let error = errors
            .iter()
            .find(|e| e["range"]["start"]["line"] == json!(line))
            .unwrap_or_else(|| panic!("no error at line {line} ({attribute}): {report:#}"));
        assert_eq!(
            error["summary"], "Value for unconfigurable attribute",
            "{error:#}"
        );
        let detail = unwrapped(error["detail"].as_str().unwrap_or_default());
        assert!(
            detail.contains(&format!("Can't configure a value for \"{attribute}\"")),
            "{error:#}"
        );
        assert!(detail.contains("Remove this argument"), "{error:#}");
        assert_eq!(error["range"]["filename"], "main.tf", "{error:#}");
    }
}
