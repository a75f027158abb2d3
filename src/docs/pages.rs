//! The pages: Markdown templates (`src/docs/templates/`) filled with the schemas' descriptions,
//! the rendered schema sections and the example configurations (`examples/`).
//!
//! Templates and examples are compiled in, so rendering needs no files and the up-to-date
//! test compares exactly what `generate-docs` would write.

use tfplugin::Schema;

use super::environment::env_table;
use super::schema_markdown::schema_section;
use crate::offsite_backups::schema::data_source_schema;
use crate::provider::schema::provider_schema;
use crate::provider::setting_table::{ASSUME_ROLE_SETTINGS, SETTINGS};

/// One generated page: where it goes (relative to the repository root) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: &'static str,
    pub contents: String,
}

/// The example files pages may quote, by their path under `examples/`.
const EXAMPLES: [(&str, &str); 8] = [
    (
        "provider/provider.tf",
        include_str!("../../examples/provider/provider.tf"),
    ),
    (
        "data-sources/rds_offsite_backups/data-source.tf",
        include_str!("../../examples/data-sources/rds_offsite_backups/data-source.tf"),
    ),
    (
        "latest-completed-backup/main.tf",
        include_str!("../../examples/latest-completed-backup/main.tf"),
    ),
    (
        "time-window/main.tf",
        include_str!("../../examples/time-window/main.tf"),
    ),
    (
        "filter-by-name/main.tf",
        include_str!("../../examples/filter-by-name/main.tf"),
    ),
    (
        "data-sources/rds_offsite_restore_times/data-source.tf",
        include_str!("../../examples/data-sources/rds_offsite_restore_times/data-source.tf"),
    ),
    (
        "data-sources/rds_offsite_backup_policy/data-source.tf",
        include_str!("../../examples/data-sources/rds_offsite_backup_policy/data-source.tf"),
    ),
    (
        "data-sources/rds_offsite_backup_instances/data-source.tf",
        include_str!("../../examples/data-sources/rds_offsite_backup_instances/data-source.tf"),
    ),
];

const PROVIDER_TEMPLATE: &str = include_str!("templates/index.md");
const DATA_SOURCE_TEMPLATE: &str = include_str!("templates/data-source.md");

/// Every page, in a stable order.
pub fn pages() -> Vec<Page> {
    let provider = provider_schema();
    let data_source = data_source_schema();
    vec![
        Page {
            path: "docs/index.md",
            contents: render(
                PROVIDER_TEMPLATE,
                &provider,
                Some(env_table(&[
                    ("", SETTINGS),
                    ("assume_role.", ASSUME_ROLE_SETTINGS),
                ])),
            ),
        },
        Page {
            path: "docs/data-sources/rds_offsite_backups.md",
            contents: render(DATA_SOURCE_TEMPLATE, &data_source, None),
        },
        Page {
            path: "docs/data-sources/rds_offsite_restore_times.md",
            contents: render(
                include_str!("templates/offsite-restore-times.md"),
                &crate::offsite_restore_times::schema::data_source_schema(),
                None,
            ),
        },
        Page {
            path: "docs/data-sources/rds_offsite_backup_policy.md",
            contents: render(
                include_str!("templates/offsite-backup-policy.md"),
                &crate::offsite_backup_policy::schema::data_source_schema(),
                None,
            ),
        },
        Page {
            path: "docs/data-sources/rds_offsite_backup_instances.md",
            contents: render(
                include_str!("templates/offsite-backup-instances.md"),
                &crate::offsite_backup_instances::schema::data_source_schema(),
                None,
            ),
        },
    ]
}

/// Fills a template's `{{placeholder}}`s. Unknown placeholders are left as they are (a unit
/// test proves that no page keeps one).
fn render(template: &str, schema: &Schema, env_table: Option<String>) -> String {
    let description = schema.block.description.trim();
    let value_of = |placeholder: &str| -> Option<String> {
        match placeholder {
            "description" => Some(description.to_owned()),
            "front_matter_description" => Some(front_matter_text(description)),
            "schema" => Some(schema_section(&schema.block).trim_end().to_owned()),
            "env_table" => env_table.as_deref().map(|t| t.trim_end().to_owned()),
            _ => {
                let path = placeholder.strip_prefix("example ")?;
                EXAMPLES
                    .iter()
                    .find(|(name, _)| *name == path)
                    .map(|(_, text)| text.trim_end().to_owned())
            }
        }
    };
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let placeholder = after[..end].trim();
        match value_of(placeholder) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The description as one line of a YAML block scalar (`description: |-`): Registry front
/// matter carries plain text, so Markdown code spans lose their backticks.
fn front_matter_text(description: &str) -> String {
    description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        for page in pages() {
            assert!(
                !page.contents.contains("{{") && !page.contents.contains("}}"),
                "{} keeps a placeholder",
                page.path
            );
        }
    }

    #[test]
    fn every_quoted_example_appears_in_a_page() {
        let all: String = pages().into_iter().map(|p| p.contents).collect();
        for (path, text) in EXAMPLES {
            assert!(all.contains(text.trim_end()), "{path} is quoted nowhere");
        }
    }

    #[test]
    fn pages_start_with_front_matter_and_the_title() {
        let pages = pages();
        let index = &pages[0].contents;
        assert!(index.starts_with("---\n"));
        assert!(index.contains("page_title: \"rds Provider\"\n"));
        assert!(index.contains("\n# rds Provider\n"));
        let data_source = &pages[1].contents;
        assert!(data_source.contains("page_title: \"rds_offsite_backups Data Source - rds\"\n"));
        assert!(data_source.contains("\n# rds_offsite_backups (Data Source)\n"));
        assert!(data_source.contains("\n### Nested Schema for `backups.datastore`\n"));
    }

    #[test]
    fn unknown_placeholders_are_kept_for_the_test_above_to_find() {
        let schema = Schema::new("Text with `code`.", vec![]);
        assert_eq!(
            render("a {{description}} b {{nope}} c", &schema, None),
            "a Text with `code`. b {{nope}} c"
        );
        assert_eq!(
            render("{{front_matter_description}}", &schema, None),
            "Text with code."
        );
    }
}
