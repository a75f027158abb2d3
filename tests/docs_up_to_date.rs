//! The committed `docs/` must be exactly what the generator renders from the schemas,
//! templates and examples, so the Registry pages never drift from the code.

use std::path::Path;

use terraform_provider_rds::docs;

#[test]
fn committed_docs_match_the_generated_pages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let drift = docs::drift(root).expect("read docs/");
    let listing: Vec<String> = drift.iter().map(|d| format!("  {d}")).collect();
    assert!(
        drift.is_empty(),
        "docs/ is out of date; run `cargo run --bin generate-docs` and commit the result:\n{}",
        listing.join("\n")
    );
}

#[test]
fn every_page_the_generator_renders_is_under_docs() {
    let pages = docs::pages();
    let paths: Vec<&str> = pages.iter().map(|p| p.path).collect();
    assert_eq!(
        paths,
        [
            "docs/index.md",
            "docs/data-sources/rds_offsite_backups.md",
            "docs/data-sources/rds_offsite_restore_times.md",
            "docs/data-sources/rds_offsite_backup_policy.md",
            "docs/data-sources/rds_offsite_backup_instances.md",
        ]
    );
}
