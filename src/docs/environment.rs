//! The table of environment variables on the provider page, read from the settings table
//! (`src/provider/setting_table.rs`), the same one the resolver and the schema use.

use crate::provider::setting_table::SettingSpec;

/// A Markdown table of the settings' environment fallbacks, in the settings' order: variable,
/// setting, and whether it holds a secret. Each group is the settings of one block, named
/// with its prefix (`""` for the provider block itself, `"assume_role."` for a nested one).
pub fn env_table(groups: &[(&str, &[SettingSpec])]) -> String {
    let mut table = String::from(
        "| Environment variable | Provider setting | Secret |\n\
         |----------------------|------------------|--------|\n",
    );
    for (prefix, settings) in groups {
        for spec in *settings {
            if let Some(variable) = spec.env {
                table.push_str(&format!(
                    "| `{variable}` | `{prefix}{}` | {} |\n",
                    spec.name,
                    if spec.sensitive { "yes" } else { "no" }
                ));
            }
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::setting_table::{ASSUME_ROLE_SETTINGS, SETTINGS};

    #[test]
    fn lists_every_fallback_of_the_provider_in_order() {
        let table = env_table(&[("", SETTINGS), ("assume_role.", ASSUME_ROLE_SETTINGS)]);
        let rows: Vec<&str> = table.lines().skip(2).collect();
        assert_eq!(
            rows,
            [
                "| `HW_REGION_NAME` | `region` | no |",
                "| `HW_PROJECT_ID` | `project_id` | no |",
                "| `HW_PROJECT_NAME` | `project_name` | no |",
                "| `HW_ACCESS_KEY` | `access_key` | no |",
                "| `HW_SECRET_KEY` | `secret_key` | yes |",
                "| `HW_SECURITY_TOKEN` | `security_token` | yes |",
                "| `HW_SHARED_CONFIG_FILE` | `shared_config_file` | no |",
                "| `HW_PROFILE` | `profile` | no |",
                "| `HW_USE_ECS_METADATA` | `use_ecs_metadata` | no |",
                "| `HW_CLOUD` | `cloud` | no |",
                "| `HW_AUTH_URL` | `auth_url` | no |",
                "| `HW_INSECURE` | `insecure` | no |",
                "| `OS_CACERT` | `cacert_file` | no |",
                "| `HW_MAX_RETRIES` | `max_retries` | no |",
                "| `HW_ASSUME_ROLE_AGENCY_NAME` | `assume_role.agency_name` | no |",
                "| `HW_ASSUME_ROLE_DOMAIN_NAME` | `assume_role.domain_name` | no |",
                "| `HW_ASSUME_ROLE_DOMAIN_ID` | `assume_role.domain_id` | no |",
                "| `HW_ASSUME_ROLE_DURATION` | `assume_role.duration` | no |",
            ]
        );
    }

    /// The schema says the same: each description names its setting's variable.
    #[test]
    fn schema_descriptions_name_the_same_variables() {
        let schema = crate::provider::schema::provider_schema();
        for spec in SETTINGS {
            let attribute = schema
                .block
                .attributes
                .iter()
                .find(|a| a.name == spec.name)
                .unwrap_or_else(|| panic!("{} is not in the schema", spec.name));
            let mentions = attribute.description.contains("Falls back to `");
            assert_eq!(mentions, spec.env.is_some(), "{}", spec.name);
            if let Some(variable) = spec.env {
                assert!(
                    attribute
                        .description
                        .contains(&format!("Falls back to `{variable}`")),
                    "{}",
                    spec.name
                );
            }
        }
    }
}
