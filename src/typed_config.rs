//! A configuration object read strictly against the attribute names its schema declares.
//!
//! Terraform sends every attribute of the schema, null when unset, and the server decodes the
//! object against the schema's type. An object that lacks a declared attribute, has one that is
//! not declared, or is read under a name it does not have, therefore means the schema and the
//! code reading it disagree: a provider bug, reported as such instead of read as "unset".

use std::collections::BTreeMap;

use tfplugin::{Diagnostic, Value};

use crate::config_value::{self, Attributes, Setting};

/// The diagnostic for a mistake in the provider itself, naming the part (`owner`) concerned.
pub fn provider_bug(owner: &str, problem: &str) -> Diagnostic {
    Diagnostic::error(
        "Provider bug",
        format!("{owner}: {problem}. Please report this issue to the provider developers."),
    )
}

/// A configuration object with exactly the declared attributes.
#[derive(Debug)]
pub struct ConfigObject<'a> {
    owner: &'static str,
    attributes: &'a BTreeMap<String, Value>,
}

impl<'a> ConfigObject<'a> {
    /// `config` if it is an object with exactly the attributes `declared`; else a provider-bug
    /// diagnostic naming `owner` and the first attribute that differs.
    pub fn strict(
        owner: &'static str,
        config: &'a Value,
        declared: &[&str],
    ) -> Result<ConfigObject<'a>, Diagnostic> {
        let Value::Object(attributes) = config else {
            return Err(provider_bug(owner, "the configuration is not an object"));
        };
        if let Some(missing) = declared
            .iter()
            .find(|name| !attributes.contains_key(**name))
        {
            return Err(provider_bug(
                owner,
                &format!("the configuration lacks the declared attribute {missing}"),
            ));
        }
        if let Some(undeclared) = attributes
            .keys()
            .find(|name| !declared.contains(&name.as_str()))
        {
            return Err(provider_bug(
                owner,
                &format!("the configuration has the undeclared attribute {undeclared}"),
            ));
        }
        Ok(ConfigObject { owner, attributes })
    }

    /// The attribute's value as written (null when unset); a provider bug if the object does
    /// not have it, i.e. the name is not one the schema declares.
    pub fn value(&self, name: &str) -> Result<&'a Value, Diagnostic> {
        self.attributes.get(name).ok_or_else(|| {
            provider_bug(
                self.owner,
                &format!("{name} is read but not declared in the schema"),
            )
        })
    }
}

impl Attributes for ConfigObject<'_> {
    fn attribute(&self, name: &str) -> Result<Setting<&Value>, Diagnostic> {
        self.value(name)
            .map(|value| config_value::setting(Some(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECLARED: [&str; 2] = ["a", "b"];

    fn with_nulls(names: &[&str]) -> Value {
        Value::object(names.iter().map(|name| (*name, Value::Null)))
    }

    fn detail(result: Result<ConfigObject<'_>, Diagnostic>) -> String {
        let diagnostic = result.expect_err("a provider bug");
        assert_eq!(diagnostic.summary, "Provider bug");
        diagnostic.detail
    }

    #[test]
    fn exactly_the_declared_attributes_are_accepted() {
        let config = Value::object([("a", Value::from("x")), ("b", Value::Unknown)]);
        let object = ConfigObject::strict("thing", &config, &DECLARED).expect("declared");
        assert_eq!(object.value("a").ok(), Some(&Value::from("x")));
        assert_eq!(
            object.attribute("a").ok(),
            Some(Setting::Known(&Value::from("x")))
        );
        assert_eq!(object.attribute("b").ok(), Some(Setting::Unknown));
        let nulls = with_nulls(&DECLARED);
        let object = ConfigObject::strict("thing", &nulls, &DECLARED).expect("declared");
        assert_eq!(object.attribute("b").ok(), Some(Setting::Unset));
    }

    #[test]
    fn a_missing_or_undeclared_attribute_is_a_provider_bug() {
        assert_eq!(
            detail(ConfigObject::strict(
                "thing",
                &with_nulls(&["a"]),
                &DECLARED
            )),
            "thing: the configuration lacks the declared attribute b. Please report this issue \
             to the provider developers."
        );
        let extra = with_nulls(&["a", "b", "c"]);
        assert!(
            detail(ConfigObject::strict("thing", &extra, &DECLARED))
                .starts_with("thing: the configuration has the undeclared attribute c.")
        );
        assert!(
            detail(ConfigObject::strict("thing", &Value::Null, &DECLARED))
                .contains("not an object")
        );
    }

    #[test]
    fn reading_an_undeclared_name_is_a_provider_bug_not_unset() {
        let config = with_nulls(&DECLARED);
        let object = ConfigObject::strict("thing", &config, &DECLARED).expect("declared");
        let diagnostic = object.attribute("typo").expect_err("not declared");
        assert_eq!(diagnostic.summary, "Provider bug");
        assert!(diagnostic.detail.contains("typo is read but not declared"));
        let diagnostic = config_value::string(&object, "typo").expect_err("not declared");
        assert_eq!(diagnostic.summary, "Provider bug");
    }
}
