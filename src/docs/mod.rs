//! Registry-style documentation generated from the schemas' descriptions (what HashiCorp's
//! `tfplugindocs` does for Go providers), so the docs cannot drift from the schema.
//!
//! `cargo run --bin generate-docs` writes [`pages`] under `docs/`; `tests/docs_up_to_date.rs`
//! fails while the committed files differ from them ([`drift`]).
//!
//! - [`pages`]: the templates (`src/docs/templates/`) filled with descriptions, example
//!   configurations (`examples/`) and the schema sections;
//! - `schema_markdown`: the "Schema" section, laid out like `tfplugindocs`;
//! - `environment`: the table of `HW_*` fallbacks, read from the provider's settings table;
//! - [`drift`] and [`write()`]: comparing with and writing the files.

mod environment;
mod files;
mod pages;
mod schema_markdown;

pub use files::{Drift, drift, write};
pub use pages::{Page, pages};

#[cfg(test)]
mod tests {
    use tfplugin::schema::AttributeType;
    use tfplugin::{Attribute, Schema};

    use crate::offsite_backups::schema::data_source_schema;
    use crate::provider::schema::provider_schema;

    /// Dotted paths of the attributes (nested ones included) without a description.
    fn undescribed(attributes: &[Attribute], prefix: &str, found: &mut Vec<String>) {
        for attribute in attributes {
            let path = format!("{prefix}{}", attribute.name);
            if attribute.description.trim().is_empty() {
                found.push(path.clone());
            }
            if let AttributeType::Nested(nested) = &attribute.kind {
                undescribed(&nested.attributes, &format!("{path}."), found);
            }
        }
    }

    fn assert_fully_described(name: &str, schema: &Schema) {
        assert!(
            !schema.block.description.trim().is_empty(),
            "{name} has no description"
        );
        let mut missing = Vec::new();
        undescribed(&schema.block.attributes, "", &mut missing);
        assert!(missing.is_empty(), "{name}: no description for {missing:?}");
    }

    #[test]
    fn every_provider_attribute_has_a_description() {
        assert_fully_described("the provider", &provider_schema());
    }

    #[test]
    fn every_data_source_attribute_has_a_description_nested_ones_included() {
        let schema = data_source_schema();
        assert_fully_described("rds_offsite_backups", &schema);
        // The walk does reach nested attributes.
        let mut paths = Vec::new();
        collect_paths(&schema.block.attributes, "", &mut paths);
        assert!(
            paths.contains(&"backups.datastore.version".to_owned()),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"backups.databases.name".to_owned()),
            "{paths:?}"
        );
    }

    fn collect_paths(attributes: &[Attribute], prefix: &str, found: &mut Vec<String>) {
        for attribute in attributes {
            let path = format!("{prefix}{}", attribute.name);
            found.push(path.clone());
            if let AttributeType::Nested(nested) = &attribute.kind {
                collect_paths(&nested.attributes, &format!("{path}."), found);
            }
        }
    }

    #[test]
    fn every_attribute_is_listed_on_its_page() {
        let pages = super::pages();
        for (page, schema) in [
            (&pages[0], provider_schema()),
            (&pages[1], data_source_schema()),
        ] {
            let mut paths = Vec::new();
            collect_paths(&schema.block.attributes, "", &mut paths);
            for path in paths {
                let name = path.rsplit('.').next().unwrap_or(&path);
                assert!(
                    page.contents.contains(&format!("- `{name}` (")),
                    "{} does not list {path}",
                    page.path
                );
            }
        }
    }
}
