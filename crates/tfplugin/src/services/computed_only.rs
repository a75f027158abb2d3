//! Arguments the configuration may not set: computed-only attributes of a data block.
//!
//! An attribute that is computed but neither required nor optional is decided by the read; a
//! value written for it in the configuration would be silently replaced, so it is an error,
//! pointing at the attribute, as Terraform reports an unconfigurable attribute. Terraform
//! itself does not check this for data sources (it leaves it to the provider), so without this
//! check `terraform validate` accepts the line and the value is dropped.
//!
//! A configured value is any non-null one, known or not: `backups = var.x` is as wrong during
//! `terraform validate` (where variables are unknown) as a literal.

use crate::cty::Value;
use crate::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::schema::{Attribute, AttributeType, Nesting, Schema};

/// One error per computed-only attribute (nested ones included) that `config` sets.
pub(crate) fn configured_computed_only_attributes(schema: &Schema, config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    check_object(
        &schema.block.attributes,
        config,
        &AttributePath::default(),
        &mut diagnostics,
    );
    diagnostics
}

fn is_computed_only(attribute: &Attribute) -> bool {
    attribute.computed && !attribute.optional && !attribute.required
}

fn check_object(
    attributes: &[Attribute],
    object: &Value,
    path: &AttributePath,
    diagnostics: &mut Diagnostics,
) {
    for attribute in attributes {
        let Some(value) = object.get(&attribute.name) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        let path = path.clone().attribute(attribute.name.clone());
        if is_computed_only(attribute) {
            diagnostics.push(unconfigurable(&attribute.name, path));
            continue;
        }
        // Settable nested attributes may hold computed-only ones inside.
        if let AttributeType::Nested(nested) = &attribute.kind {
            check_nested(
                &nested.attributes,
                nested.nesting,
                value,
                &path,
                diagnostics,
            );
        }
    }
}

fn check_nested(
    attributes: &[Attribute],
    nesting: Nesting,
    value: &Value,
    path: &AttributePath,
    diagnostics: &mut Diagnostics,
) {
    match (nesting, value) {
        (Nesting::Single, object) => check_object(attributes, object, path, diagnostics),
        (Nesting::List, Value::List(elements)) => {
            for (index, element) in elements.iter().enumerate() {
                let index = i64::try_from(index).unwrap_or(i64::MAX);
                check_object(attributes, element, &path.clone().index(index), diagnostics);
            }
        }
        (Nesting::Map, Value::Map(entries)) => {
            for (key, element) in entries {
                check_object(attributes, element, &path.clone().key(key), diagnostics);
            }
        }
        // A set element has no path Terraform can show; the diagnostic points at the set.
        (Nesting::Set, Value::Set(elements)) => {
            for element in elements {
                check_object(attributes, element, path, diagnostics);
            }
        }
        // Unknown (or mis-shaped, which decoding already rejects) collections: nothing to see.
        _ => {}
    }
}

fn unconfigurable(name: &str, path: AttributePath) -> Diagnostic {
    Diagnostic::error(
        "Value for unconfigurable attribute",
        format!(
            "Can't configure a value for \"{name}\": its value is decided when the data source \
             is read, so it can only be referred to, not set. Remove this argument from the \
             block."
        ),
    )
    .at(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::PathStep;

    fn schema() -> Schema {
        Schema::new(
            "test",
            vec![
                Attribute::string("input").required(),
                Attribute::string("filter").optional(),
                Attribute::string("resolved").optional().computed(),
                Attribute::string("id").computed(),
                Attribute::number("count").computed(),
                Attribute::nested(
                    "options",
                    Nesting::List,
                    vec![
                        Attribute::string("name").optional(),
                        Attribute::string("generated").computed(),
                    ],
                )
                .optional(),
            ],
        )
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut attributes: std::collections::BTreeMap<String, Value> =
            ["input", "filter", "resolved", "id", "count", "options"]
                .into_iter()
                .map(|name| (name.to_owned(), Value::Null))
                .collect();
        for (name, value) in pairs {
            attributes.insert((*name).to_owned(), value.clone());
        }
        Value::Object(attributes)
    }

    fn paths(diagnostics: &Diagnostics) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn settable_attributes_are_accepted() {
        let value = config(&[
            ("input", Value::from("a")),
            ("filter", Value::Unknown),
            ("resolved", Value::from("b")),
            (
                "options",
                Value::List(vec![Value::object([
                    ("name", Value::from("n")),
                    ("generated", Value::Null),
                ])]),
            ),
        ]);
        assert!(configured_computed_only_attributes(&schema(), &value).is_empty());
    }

    #[test]
    fn known_and_unknown_values_of_computed_only_attributes_are_errors_at_them() {
        let value = config(&[
            ("input", Value::from("a")),
            ("id", Value::from("x")),
            ("count", Value::Unknown),
        ]);
        let diagnostics = configured_computed_only_attributes(&schema(), &value);
        // In schema order.
        assert_eq!(paths(&diagnostics), ["id", "count"]);
        assert!(diagnostics.has_errors());
        let id = &diagnostics.0[0];
        assert_eq!(id.summary, "Value for unconfigurable attribute");
        assert!(id.detail.contains("\"id\""), "{}", id.detail);
        assert_eq!(
            id.attribute.as_ref().map(|p| p.steps.clone()),
            Some(vec![PathStep::Attribute("id".to_owned())])
        );
    }

    #[test]
    fn computed_only_attributes_inside_settable_nested_ones_are_found() {
        let value = config(&[(
            "options",
            Value::List(vec![
                Value::object([("name", Value::from("n")), ("generated", Value::Null)]),
                Value::object([("name", Value::Null), ("generated", Value::from("g"))]),
            ]),
        )]);
        let diagnostics = configured_computed_only_attributes(&schema(), &value);
        assert_eq!(paths(&diagnostics), ["options[1].generated"]);
    }
}
