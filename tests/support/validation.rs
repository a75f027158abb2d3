//! The `terraform validate` cases of the validation tests (`acc_validation`,
//! `acc_validation_gaps`, `acc_smoke`): configurations built from a provider block and data
//! arguments, and [`BadCase`], one configuration expected to fail with one
//! error at one line.
//!
//! Declared by those files only, with `#[path = "support/validation.rs"] mod
//! validation;` next to `mod support;` and the `protocol` module.
#![allow(dead_code)] // each test file uses a different part

use serde_json::{Value, json};

use crate::protocol::{REQUIRED_PROVIDERS, line_of, unwrapped};
use crate::support::Workdir;

/// A configuration that validates: the provider block and data block given.
pub fn configuration(provider_block: &str, data_arguments: &str) -> String {
    format!(
        "{REQUIRED_PROVIDERS}\n{provider_block}\n\
         data \"rds_offsite_backups\" \"this\" {{\n{data_arguments}}}\n"
    )
}

/// The usual data arguments plus `extra` lines.
pub fn data_arguments(extra: &str) -> String {
    format!("  instance_id = \"demo-instance\"\n  backup_type = \"auto\"\n{extra}")
}

/// One configuration expected to fail validation with one error.
pub struct BadCase {
    pub what: &'static str,
    pub provider_block: &'static str,
    pub data_arguments: String,
    pub summary: &'static str,
    /// A fragment of the detail.
    pub detail: &'static str,
    /// The text of the line the error must point at (unique in the file).
    pub at_line_with: &'static str,
}

impl BadCase {
    pub fn in_data(
        what: &'static str,
        extra_arguments: &str,
        summary: &'static str,
        detail: &'static str,
        at_line_with: &'static str,
    ) -> BadCase {
        BadCase {
            what,
            provider_block: "",
            data_arguments: data_arguments(extra_arguments),
            summary,
            detail,
            at_line_with,
        }
    }

    pub fn in_provider(
        what: &'static str,
        provider_block: &'static str,
        summary: &'static str,
        detail: &'static str,
        at_line_with: &'static str,
    ) -> BadCase {
        BadCase {
            what,
            provider_block,
            data_arguments: data_arguments(""),
            summary,
            detail,
            at_line_with,
        }
    }

    /// Runs `terraform validate -json`; a description of every way the report
    /// differs from the expectation (empty when it matches).
    pub fn problems(&self) -> Vec<String> {
        let main_tf = configuration(self.provider_block, &self.data_arguments);
        let report = Workdir::new(&main_tf).validate_json();
        let errors = errors_of(&report);
        let mut problems = Vec::new();
        if report["valid"] != json!(false) || errors.len() != 1 {
            problems.push(format!("expected exactly one error, got {report:#}"));
        }
        let Some(error) = errors.first() else {
            return problems;
        };
        let expected_line = line_of(&main_tf, self.at_line_with);
        let snippet = error["snippet"]["code"].as_str().unwrap_or_default();
        let checks = [
            (error["summary"] == json!(self.summary), "summary"),
            (
                error["detail"]
                    .as_str()
                    .is_some_and(|d| unwrapped(d).contains(self.detail)),
                "detail",
            ),
            (error["range"]["filename"] == json!("main.tf"), "file"),
            (
                error["range"]["start"]["line"] == json!(expected_line),
                "line",
            ),
            (snippet.contains(self.at_line_with), "snippet"),
        ];
        for (ok, part) in checks {
            if !ok {
                problems.push(format!(
                    "{part} differs: expected {:?} / detail containing {:?} at line {expected_line} \
                     ({:?}); got {error:#}",
                    self.summary, self.detail, self.at_line_with
                ));
            }
        }
        problems
    }
}

/// The error diagnostics of a `validate -json` report (Terraform adds a
/// warning about the development overrides).
pub fn errors_of(report: &Value) -> Vec<&Value> {
    report["diagnostics"]
        .as_array()
        .map(|all| all.iter().filter(|d| d["severity"] == "error").collect())
        .unwrap_or_default()
}

/// Runs every case, then fails once listing every mismatch, so one broken
/// rule does not hide the others.
#[track_caller]
pub fn assert_cases(cases: &[BadCase]) {
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|case| {
            case.problems()
                .into_iter()
                .map(move |problem| format!("[{}] {problem}", case.what))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
