//! The table of environment variables on the provider page, read from the provider schema's
//! descriptions ("Falls back to `HW_…`") so that it cannot disagree with them.

use tfplugin::Schema;

/// The phrase every provider setting with an environment fallback uses in its description.
const FALLBACK_PHRASE: &str = "Falls back to `";

/// One environment variable and the provider setting it stands in for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFallback {
    pub variable: String,
    pub setting: String,
    pub sensitive: bool,
}

/// The settings' environment fallbacks, in schema order.
pub fn env_fallbacks(schema: &Schema) -> Vec<EnvFallback> {
    schema
        .block
        .attributes
        .iter()
        .filter_map(|attribute| {
            let after = attribute.description.split_once(FALLBACK_PHRASE)?.1;
            let variable = after.split_once('`')?.0;
            Some(EnvFallback {
                variable: variable.to_owned(),
                setting: attribute.name.clone(),
                sensitive: attribute.sensitive,
            })
        })
        .collect()
}

/// A Markdown table: variable, setting, and whether it holds a secret.
pub fn env_table(schema: &Schema) -> String {
    let mut table = String::from(
        "| Environment variable | Provider setting | Secret |\n\
         |----------------------|------------------|--------|\n",
    );
    for fallback in env_fallbacks(schema) {
        table.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            fallback.variable,
            fallback.setting,
            if fallback.sensitive { "yes" } else { "no" }
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::schema::provider_schema;

    #[test]
    fn finds_every_documented_fallback_of_the_provider() {
        let found: Vec<(String, String)> = env_fallbacks(&provider_schema())
            .into_iter()
            .map(|f| (f.variable, f.setting))
            .collect();
        let expected = [
            ("HW_REGION_NAME", "region"),
            ("HW_PROJECT_ID", "project_id"),
            ("HW_ACCESS_KEY", "access_key"),
            ("HW_SECRET_KEY", "secret_key"),
            ("HW_SECURITY_TOKEN", "security_token"),
            ("HW_CLOUD", "cloud"),
            ("HW_INSECURE", "insecure"),
            ("HW_MAX_RETRIES", "max_retries"),
        ]
        .map(|(v, s)| (v.to_owned(), s.to_owned()));
        assert_eq!(found, expected);
    }

    #[test]
    fn marks_secrets_in_the_table() {
        let table = env_table(&provider_schema());
        assert!(
            table.contains("| `HW_SECRET_KEY` | `secret_key` | yes |"),
            "{table}"
        );
        assert!(
            table.contains("| `HW_SECURITY_TOKEN` | `security_token` | yes |"),
            "{table}"
        );
        assert!(
            table.contains("| `HW_ACCESS_KEY` | `access_key` | no |"),
            "{table}"
        );
    }
}
