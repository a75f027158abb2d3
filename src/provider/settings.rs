//! The provider's settings: validation of what the configuration says, then resolution with
//! the `HW_*` environment fallbacks into the cloud client's configuration. Names, fallback
//! variables and ranges come from the settings table (`setting_table.rs`).

use std::collections::BTreeMap;

use tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use crate::config_value::{self, Setting};
use crate::typed_config::ConfigObject;
use hwcloud::{DEFAULT_CLOUD, MAX_CONCURRENT_REQUESTS_RANGE, MAX_RETRIES_LIMIT};

use crate::provider::credential_chain::{self, EcsMetadataChoice, ExplicitKeys};
use crate::provider::profile::{self, profile_value};
use crate::provider::setting_table::{
    ACCESS_KEY, ASSUME_ROLE, AUTH_URL, CACERT_FILE, CLOUD, CREDENTIALS, ENDPOINT_KEYS, ENDPOINTS,
    INSECURE, MAX_CONCURRENT_REQUESTS, MAX_RETRIES, PROFILE, PROJECT_ID, PROJECT_NAME, REGION,
    SECRET_KEY, SECURITY_TOKEN, SETTINGS, SHARED_CONFIG_FILE, SettingSpec, USE_ECS_METADATA,
};
use crate::provider::{assume_role, auth_url, ca_certificates};

/// Where environment variables come from (the process environment, or a map in tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment; empty values count as unset, like HashiCorp's providers.
///
/// No `HW_*` value is trimmed, whatever its kind: each is used exactly as set, as the official
/// Go provider uses it (its `strconv.ParseBool`/`Atoi` do not trim either), and as a value
/// written in the provider block is used. A stray space or line break is therefore an error
/// that names the variable, never silently removed: a trimmed secret that the API then refuses
/// would be a far more puzzling failure.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Settings after environment fallbacks: everything a client needs.
#[derive(Debug)]
pub struct ResolvedSettings {
    pub region: String,
    pub client: hwcloud::ClientOptions,
}

/// Checks the configuration's known values. Unknown values are skipped; missing values that an
/// environment variable may supply are checked at configure time.
pub fn validate(config: &Value) -> Diagnostics {
    match read(config) {
        Ok(config) => validate_object(&config),
        Err(bug) => Diagnostics::from(bug),
    }
}

/// The provider block read strictly: exactly the attributes of the settings table, else a
/// provider bug (a setting the schema and this code disagree on is never read as unset).
fn read(config: &Value) -> Result<ConfigObject<'_>, Diagnostic> {
    let names: Vec<&str> = SETTINGS
        .iter()
        .map(|setting| setting.name)
        .chain([ASSUME_ROLE])
        .collect();
    ConfigObject::strict("provider configuration", config, &names)
}

fn validate_object(config: &ConfigObject<'_>) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut check = |result: Result<(), Diagnostic>| {
        if let Err(d) = result {
            diags.push(d);
        }
    };
    check(checked_string(config, REGION.name, hwcloud::validate_region).map(drop));
    check(checked_string(config, PROJECT_ID.name, hwcloud::validate_project_id).map(drop));
    check(checked_string(config, CLOUD.name, hwcloud::validate_cloud).map(drop));
    for credential in CREDENTIALS {
        check(checked_string(config, credential.name, hwcloud::validate_credential).map(drop));
    }
    check(non_empty_string(config, PROJECT_NAME.name).map(drop));
    check(non_empty_string(config, SHARED_CONFIG_FILE.name).map(drop));
    check(non_empty_string(config, PROFILE.name).map(drop));
    check(profile::validate(config));
    check(config_value::bool(config, USE_ECS_METADATA.name).map(drop));
    check(config_value::bool(config, INSECURE.name).map(drop));
    check(max_retries(config).map(drop));
    check(max_concurrent_requests(config).map(drop));
    check(endpoints(config).map(drop));
    check(iam_from_auth_url(config).map(drop));
    // The home directory for `~/` is only known at configure time; a `~/` path is read then.
    check(ca_certificates_from_block(config, None).map(drop));
    diags.extend(assume_role::validate(config));
    diags
}

/// `auth_url` as the IAM base, checked against `endpoints.iam` when both are set.
fn iam_from_auth_url(config: &ConfigObject<'_>) -> Result<Setting<String>, Diagnostic> {
    let Setting::Known(url) = non_empty_string(config, AUTH_URL.name)? else {
        return Ok(Setting::Unset);
    };
    let base = auth_url::iam_base(&url).map_err(|reason| {
        Diagnostic::error(
            "Invalid auth_url",
            format!(
                "auth_url must be the IAM endpoint as a full URL such as \
                 \"https://iam.cn-north-4.myhuaweicloud.com/v3\": {reason}."
            ),
        )
        .at(AttributePath::root(AUTH_URL.name))
    })?;
    if let Ok(Setting::Known(map)) = endpoints(config)
        && let Some(Some(iam)) = map.get("iam")
        && !auth_url::same_base(iam, &base)
    {
        return Err(conflicting_iam(&format!("endpoints[\"iam\"] is {iam:?}"))
            .at(AttributePath::root(AUTH_URL.name)));
    }
    Ok(Setting::Known(base))
}

fn conflicting_iam(other: &str) -> Diagnostic {
    Diagnostic::error(
        "Conflicting IAM endpoints",
        format!(
            "auth_url and endpoints[\"iam\"] name different IAM endpoints ({other}; auth_url \
             is the same base followed by /v3): set only one of them, or the same base in both."
        ),
    )
}

/// `cacert_file` from the block, read and checked; `home` expands `~/` (unknown at validate
/// time, where such a path is left for configure).
fn ca_certificates_from_block(
    config: &ConfigObject<'_>,
    home: Option<&str>,
) -> Result<Option<Vec<u8>>, Diagnostic> {
    let Setting::Known(value) = non_empty_string(config, CACERT_FILE.name)? else {
        return Ok(None);
    };
    if home.is_none() && value.starts_with("~/") {
        return Ok(None);
    }
    ca_certificates::load(&value, home)
        .map(Some)
        .map_err(|reason| {
            Diagnostic::error(
                "Invalid cacert_file",
                format!(
                    "cacert_file must be a PEM file of CA certificates (or the PEM text itself): \
                 {reason}."
                ),
            )
            .at(AttributePath::root(CACERT_FILE.name))
        })
}

/// One of the client's own rules for a setting's value (region name, project ID, ...). Its
/// message never quotes the value, which may be a secret pasted into the wrong setting.
pub(crate) type Rule = fn(&str) -> Result<(), String>;

/// A non-empty string that also passes one of the client's own rules (the single source of
/// what the API accepts), reported at the attribute.
fn checked_string(
    config: &ConfigObject<'_>,
    name: &str,
    rule: Rule,
) -> Result<Setting<String>, Diagnostic> {
    let setting = non_empty_string(config, name)?;
    if let Setting::Known(value) = &setting
        && let Err(reason) = rule(value)
    {
        return Err(
            Diagnostic::error(format!("Invalid {name}"), format!("{name}: {reason}."))
                .at(AttributePath::root(name)),
        );
    }
    Ok(setting)
}

pub(crate) fn non_empty_string(
    config: &ConfigObject<'_>,
    name: &str,
) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(config, name)?;
    if let Setting::Known(value) = &setting
        && value.trim().is_empty()
    {
        return Err(Diagnostic::error(
            format!("Empty {name}"),
            format!("The provider setting {name} must not be empty: remove it or give a value."),
        )
        .at(AttributePath::root(name)));
    }
    Ok(setting)
}

fn max_retries(config: &ConfigObject<'_>) -> Result<Setting<i64>, Diagnostic> {
    let setting = config_value::integer(config, MAX_RETRIES.name)?;
    if let Setting::Known(n) = setting
        && !u32::try_from(n).is_ok_and(|n| n <= MAX_RETRIES_LIMIT)
    {
        return Err(Diagnostic::error(
            "Invalid max_retries",
            format!("max_retries must be a whole number from 0 to {MAX_RETRIES_LIMIT} (got {n})."),
        )
        .at(AttributePath::root(MAX_RETRIES.name)));
    }
    Ok(setting)
}

fn max_concurrent_requests(config: &ConfigObject<'_>) -> Result<Setting<i64>, Diagnostic> {
    let setting = config_value::integer(config, MAX_CONCURRENT_REQUESTS.name)?;
    if let Setting::Known(n) = setting
        && !usize::try_from(n).is_ok_and(|n| MAX_CONCURRENT_REQUESTS_RANGE.contains(&n))
    {
        return Err(Diagnostic::error(
            "Invalid max_concurrent_requests",
            format!(
                "max_concurrent_requests must be a whole number from {} to {} (got {n}).",
                MAX_CONCURRENT_REQUESTS_RANGE.start(),
                MAX_CONCURRENT_REQUESTS_RANGE.end()
            ),
        )
        .at(AttributePath::root(MAX_CONCURRENT_REQUESTS.name)));
    }
    Ok(setting)
}

fn endpoints(
    config: &ConfigObject<'_>,
) -> Result<Setting<BTreeMap<String, Option<String>>>, Diagnostic> {
    let setting = config_value::string_map(config, ENDPOINTS.name)?;
    if let Setting::Known(map) = &setting {
        for (key, url) in map {
            let path = AttributePath::root(ENDPOINTS.name).key(key.clone());
            if !ENDPOINT_KEYS.contains(&key.as_str()) {
                return Err(Diagnostic::error(
                    "Unknown endpoint key",
                    format!(
                        "endpoints has the key {key:?}; the accepted keys are {}.",
                        ENDPOINT_KEYS.map(|k| format!("{k:?}")).join(" and ")
                    ),
                )
                .at(path));
            }
            if let Some(url) = url
                && let Err(reason) = hwcloud::validate_endpoint_url(url)
            {
                return Err(Diagnostic::error(
                    "Invalid endpoint URL",
                    format!(
                        "endpoints[{key:?}] must be a full base URL such as \
                         \"https://rds.cn-north-4.myhuaweicloud.com\": {reason}."
                    ),
                )
                .at(path));
            }
        }
    }
    Ok(setting)
}

fn half_pair(given: SettingSpec, missing: SettingSpec) -> Diagnostic {
    Diagnostic::error(
        "Incomplete credentials",
        format!(
            "{} is set but {} is not: the provider signs requests with both. Set {} in the \
             provider block{}.",
            given.name,
            missing.name,
            missing.name,
            missing
                .env
                .map(|var| format!(" or its environment variable {var}"))
                .unwrap_or_default()
        ),
    )
    .at(AttributePath::root(given.name))
}

/// The fallback variable of a setting of the table, for `const { env_var(SETTING) }`: in a
/// const block a setting without a variable is a compile error, never a panic at run time.
const fn env_var(spec: SettingSpec) -> &'static str {
    match spec.env {
        Some(var) => var,
        None => panic!("this setting has no environment fallback"),
    }
}

/// A setting from the configuration, else from an environment variable. The server calls
/// configure only with a wholly known configuration, so a value is either written or absent.
/// A value from the configuration passed validate() already; one from the environment is
/// checked here by the client's `rule`, and a problem is reported naming the variable (never
/// quoting its value).
fn with_env(
    config: &ConfigObject<'_>,
    spec: SettingSpec,
    env: Env<'_>,
    rule: Rule,
    diags: &mut Diagnostics,
) -> Option<String> {
    let name = spec.name;
    if let Ok(Setting::Known(value)) = non_empty_string(config, name) {
        return Some(value);
    }
    let env_name = spec.env?;
    let value = env(env_name)?;
    if let Err(reason) = rule(&value) {
        diags.push(Diagnostic::error(
            format!("Invalid {env_name}"),
            format!("The environment variable {env_name} (for {name}) is not valid: {reason}."),
        ));
    }
    Some(value)
}

/// A boolean environment variable, read as the official Go provider reads its `HW_*`
/// variables (Go's `strconv.ParseBool`), so `HW_INSECURE=1` means the same to both.
struct EnvBool(bool);

impl std::str::FromStr for EnvBool {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(EnvBool(true)),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(EnvBool(false)),
            _ => Err(()),
        }
    }
}

/// A retry count from the environment, within the client's limit.
struct EnvRetries(u32);

impl std::str::FromStr for EnvRetries {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        match text.parse::<u32>() {
            Ok(n) if n <= MAX_RETRIES_LIMIT => Ok(EnvRetries(n)),
            _ => Err(()),
        }
    }
}

fn env_parse<T: std::str::FromStr>(
    env: Env<'_>,
    env_name: &str,
    what: &str,
) -> Result<Option<T>, Diagnostic> {
    match env(env_name) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            Diagnostic::error(
                format!("Invalid {env_name}"),
                format!("The environment variable {env_name} must be {what}; got {text:?}."),
            )
        }),
    }
}

/// Resolves the configuration plus environment into the client's configuration, or explains
/// every problem at once.
pub fn resolve(config: &Value, env: Env<'_>) -> Result<ResolvedSettings, Diagnostics> {
    let config = read(config).map_err(Diagnostics::from)?;
    let config = &config;
    let mut diags = validate_object(config);
    if diags.has_errors() {
        return Err(diags);
    }
    let mut checked = |spec: SettingSpec, rule: Rule| with_env(config, spec, env, rule, &mut diags);
    let mut region = checked(REGION, hwcloud::validate_region);
    let mut project_id = checked(PROJECT_ID, hwcloud::validate_project_id);
    let access_key = checked(ACCESS_KEY, hwcloud::validate_credential);
    let secret_key = checked(SECRET_KEY, hwcloud::validate_credential).map(hwcloud::Secret::new);
    let security_token =
        checked(SECURITY_TOKEN, hwcloud::validate_credential).map(hwcloud::Secret::new);
    let cloud = checked(CLOUD, hwcloud::validate_cloud);

    let project_name = checked(PROJECT_NAME, |_| Ok(()));
    let auth_url_value = checked(AUTH_URL, |url| auth_url::iam_base(url).map(drop));

    // The profile fills in what the block and the environment leave unset. Its keys are used
    // only as a pair, and only when neither key is set explicitly (never an explicit access
    // key signed with the profile's secret).
    let profile = match profile::read_profile(config, env) {
        Ok(profile) => profile,
        Err(diagnostic) => {
            diags.push(diagnostic);
            return Err(diags);
        }
    };
    if let Some(loaded) = &profile {
        let keys = &loaded.credentials;
        if region.is_none() {
            region = profile_value(
                keys.region.as_ref(),
                "region",
                keys,
                hwcloud::validate_region,
                &mut diags,
            );
        }
        // A project belongs to one region: the profile's project only serves its region.
        if project_id.is_none() && (keys.region.is_none() || region == keys.region) {
            project_id = profile_value(
                keys.project_id.as_ref(),
                "projectId",
                keys,
                hwcloud::validate_project_id,
                &mut diags,
            );
        }
    }

    let use_ecs_metadata = match config_value::bool(config, USE_ECS_METADATA.name) {
        Ok(Setting::Known(true)) => EcsMetadataChoice::Enabled,
        Ok(Setting::Known(false)) => EcsMetadataChoice::DisabledInBlock,
        _ => match env_parse::<EnvBool>(
            env,
            const { env_var(USE_ECS_METADATA) },
            "true or false (or 1, 0, t, f)",
        ) {
            Ok(Some(EnvBool(true))) => EcsMetadataChoice::Enabled,
            Ok(Some(EnvBool(false))) => EcsMetadataChoice::DisabledByEnv,
            Ok(None) => EcsMetadataChoice::Unset,
            Err(d) => {
                diags.push(d);
                EcsMetadataChoice::Unset
            }
        },
    };

    let insecure = match config_value::bool(config, INSECURE.name) {
        Ok(Setting::Known(b)) => b,
        _ => env_parse::<EnvBool>(
            env,
            const { env_var(INSECURE) },
            "true or false (or 1, 0, t, f)",
        )
        .unwrap_or_else(|d| {
            diags.push(d);
            None
        })
        .is_some_and(|EnvBool(b)| b),
    };
    // Range-checked by validate() above: within 0..=MAX_RETRIES_LIMIT, and the concurrency
    // within 1..=32.
    let max_retries = match max_retries(config) {
        Ok(Setting::Known(n)) => Some(u32::try_from(n).unwrap_or(u32::MAX)),
        _ => env_parse::<EnvRetries>(
            env,
            const { env_var(MAX_RETRIES) },
            &format!("a whole number from 0 to {MAX_RETRIES_LIMIT}"),
        )
        .unwrap_or_else(|d| {
            diags.push(d);
            None
        })
        .map(|EnvRetries(n)| n),
    };
    let max_concurrent_requests = max_concurrent_requests(config)
        .ok()
        .and_then(Setting::known)
        .and_then(|n| usize::try_from(n).ok());
    let endpoints = endpoints(config)
        .ok()
        .and_then(Setting::known)
        .unwrap_or_default();
    let mut iam_endpoint = endpoints.get("iam").cloned().flatten();
    if let Some(url) = &auth_url_value {
        // From the block this passed validate(); from HW_AUTH_URL `checked` reported it.
        if let Ok(base) = auth_url::iam_base(url) {
            match &iam_endpoint {
                Some(iam) if !auth_url::same_base(iam, &base) => {
                    diags.push(conflicting_iam(&format!(
                        "endpoints[\"iam\"] is {iam:?}, while auth_url comes from {}",
                        match non_empty_string(config, AUTH_URL.name) {
                            Ok(Setting::Known(_)) => "the provider block",
                            _ => const { env_var(AUTH_URL) },
                        }
                    )));
                }
                Some(_) => {}
                None => iam_endpoint = Some(base),
            }
        }
    }
    let home = env("HOME");
    let ca_certificates_pem = match non_empty_string(config, CACERT_FILE.name) {
        Ok(Setting::Known(_)) => ca_certificates_from_block(config, home.as_deref())
            .unwrap_or_else(|d| {
                diags.push(d);
                None
            }),
        _ => {
            let var = const { env_var(CACERT_FILE) };
            env(var).and_then(|value| {
                ca_certificates::load(&value, home.as_deref())
                    .map_err(|reason| {
                        diags.push(Diagnostic::error(
                            format!("Invalid {var}"),
                            format!(
                                "The environment variable {var} (for {}) must name a PEM file \
                                 of CA certificates or hold the PEM text: {reason}.",
                                CACERT_FILE.name
                            ),
                        ))
                    })
                    .ok()
            })
        }
    };

    if region.is_none() {
        diags.push(
            Diagnostic::error(
                format!("Missing {}", REGION.name),
                format!(
                    "Set {0} in the provider block or the environment variable {1}, e.g. {0} = \
                     \"cn-north-4\".",
                    REGION.name,
                    const { env_var(REGION) }
                ),
            )
            .at(AttributePath::root(REGION.name)),
        );
    }
    // Half a pair is reported at the half that is set, never also as "no credentials".
    let half_pair = match (&access_key, &secret_key) {
        (Some(_), None) => Some(half_pair(ACCESS_KEY, SECRET_KEY)),
        (None, Some(_)) => Some(half_pair(SECRET_KEY, ACCESS_KEY)),
        _ => None,
    };
    let is_half_pair = half_pair.is_some();
    if let Some(d) = half_pair {
        diags.push(d);
    }
    let explicit = ExplicitKeys {
        access_key,
        secret_key,
        security_token,
    };
    let credentials =
        match credential_chain::base_source(explicit, profile.as_ref(), use_ecs_metadata, env) {
            Ok(source) => Some(source),
            Err(d) => {
                if !is_half_pair {
                    diags.push(d);
                }
                None
            }
        };
    let assume_role = assume_role::resolve(config, env, profile.as_ref()).unwrap_or_else(|d| {
        diags.push(d);
        None
    });
    if diags.has_errors() {
        return Err(diags);
    }
    let (Some(region), Some(credentials)) = (region, credentials) else {
        return Err(diags);
    };

    let defaults = hwcloud::ClientOptions::default();
    // `project_name` names the provider region's project, like `project_id`, which wins.
    let project_names = match (&project_id, project_name) {
        (None, Some(name)) => BTreeMap::from([(region.clone(), name)]),
        _ => BTreeMap::new(),
    };
    let client = hwcloud::ClientOptions {
        credentials,
        assume_role,
        // A project belongs to one region: the configured one is the provider region's; data
        // sources reading another region have its project looked up from IAM.
        project_ids: project_id
            .map(|id| BTreeMap::from([(region.clone(), id)]))
            .unwrap_or_default(),
        project_names,
        cloud: cloud.unwrap_or_else(|| DEFAULT_CLOUD.to_owned()),
        endpoints: hwcloud::Endpoints {
            rds: endpoints.get("rds").cloned().flatten(),
            iam: iam_endpoint,
        },
        insecure,
        ca_certificates_pem,
        max_retries: max_retries.unwrap_or(defaults.max_retries),
        max_concurrent_requests: max_concurrent_requests
            .unwrap_or(defaults.max_concurrent_requests),
        user_agent: format!("{}/{}", crate::BINARY_NAME, crate::VERSION),
        ..defaults
    };
    Ok(ResolvedSettings { region, client })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::setting_table::SETTINGS;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut attributes: BTreeMap<String, Value> = SETTINGS
            .iter()
            .map(|s| (s.name.to_owned(), Value::Null))
            .chain([(ASSUME_ROLE.to_owned(), Value::Null)])
            .collect();
        for (k, v) in pairs {
            attributes.insert(k.to_string(), v.clone());
        }
        Value::Object(attributes)
    }

    fn resolve_with(config: &Value, env: &[(&str, &str)]) -> Result<ResolvedSettings, Diagnostics> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        resolve(config, &|name| env.get(name).cloned())
    }

    /// The keys of a client configured with static credentials.
    fn static_keys(client: &hwcloud::ClientOptions) -> &hwcloud::Credentials {
        match &client.credentials {
            hwcloud::CredentialSource::Static(keys) => keys,
            other => panic!("expected static keys, got {other:?}"),
        }
    }

    fn attribute_of(diags: &Diagnostics) -> Vec<String> {
        diags
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(|p| p.to_string()))
            .collect()
    }

    #[test]
    fn environment_supplies_everything() {
        let resolved = resolve_with(
            &config(&[]),
            &[
                ("HW_REGION_NAME", "cn-north-4"),
                ("HW_ACCESS_KEY", "AK"),
                ("HW_SECRET_KEY", "SK"),
                ("HW_SECURITY_TOKEN", "TOKEN"),
                ("HW_PROJECT_ID", "p1"),
                ("HW_MAX_RETRIES", "2"),
                ("HW_INSECURE", "true"),
                ("HW_CLOUD", "example.com"),
            ],
        )
        .unwrap();
        assert_eq!(resolved.region, "cn-north-4");
        let client = resolved.client;
        assert_eq!(static_keys(&client).access_key, "AK");
        assert_eq!(static_keys(&client).secret_key.expose(), "SK");
        assert_eq!(
            static_keys(&client)
                .security_token
                .as_ref()
                .map(|t| t.expose()),
            Some("TOKEN")
        );
        assert_eq!(
            client.project_ids.get("cn-north-4").map(String::as_str),
            Some("p1")
        );
        assert_eq!(client.max_retries, 2);
        assert!(client.insecure);
        assert_eq!(client.cloud, "example.com");
        assert_eq!(client.max_concurrent_requests, 8);
    }

    #[test]
    fn configuration_wins_over_environment() {
        let resolved = resolve_with(
            &config(&[
                ("region", "ap-southeast-1".into()),
                ("access_key", "AK2".into()),
                ("secret_key", "SK2".into()),
                ("max_retries", Value::from(0)),
                ("max_concurrent_requests", Value::from(32)),
            ]),
            &[
                ("HW_REGION_NAME", "cn-north-4"),
                ("HW_ACCESS_KEY", "AK"),
                ("HW_SECRET_KEY", "SK"),
                ("HW_MAX_RETRIES", "9"),
            ],
        )
        .unwrap();
        assert_eq!(resolved.region, "ap-southeast-1");
        assert_eq!(static_keys(&resolved.client).access_key, "AK2");
        assert_eq!(resolved.client.max_retries, 0);
        assert_eq!(resolved.client.max_concurrent_requests, 32);
    }

    #[test]
    fn missing_region_and_credentials_are_reported_at_their_attributes() {
        let diags = resolve_with(&config(&[]), &[]).unwrap_err();
        assert_eq!(attribute_of(&diags), ["region", "access_key"]);
        assert!(diags.iter().any(|d| d.detail.contains("HW_REGION_NAME")));
        assert!(
            diags
                .iter()
                .any(|d| d.detail.contains("HW_ACCESS_KEY and HW_SECRET_KEY"))
        );
    }

    #[test]
    fn half_a_credential_pair_is_an_error() {
        let half = config(&[("region", "r".into()), ("access_key", "AK".into())]);
        let diags = resolve_with(&half, &[]).unwrap_err();
        assert_eq!(attribute_of(&diags), ["access_key"]);
        assert!(diags.0[0].detail.contains("secret_key is not"), "{diags:?}");
        assert!(diags.0[0].detail.contains("HW_SECRET_KEY"), "{diags:?}");
        let diags = resolve_with(
            &config(&[("region", "r".into())]),
            &[("HW_SECRET_KEY", "SK")],
        )
        .unwrap_err();
        assert_eq!(attribute_of(&diags), ["secret_key"]);
    }

    #[test]
    fn each_credential_has_its_own_environment_fallback() {
        // Only the secret kept out of the configuration: the usual way to write it.
        let half = config(&[("region", "r".into()), ("access_key", "AK".into())]);
        assert!(validate(&half).is_empty());
        let resolved = resolve_with(&half, &[("HW_SECRET_KEY", "SK")]).unwrap();
        assert_eq!(static_keys(&resolved.client).access_key, "AK");
        assert_eq!(static_keys(&resolved.client).secret_key.expose(), "SK");
    }

    #[test]
    fn region_and_project_id_follow_the_clients_rules() {
        let diags = validate(&config(&[
            ("region", "cn north 4".into()),
            ("project_id", "../x".into()),
        ]));
        assert_eq!(attribute_of(&diags), ["region", "project_id"]);
        let diags = resolve_with(
            &config(&[]),
            &[
                ("HW_REGION_NAME", "cn/north"),
                ("HW_ACCESS_KEY", "a"),
                ("HW_SECRET_KEY", "s"),
            ],
        )
        .unwrap_err();
        assert!(
            diags.iter().any(|d| d.summary == "Invalid HW_REGION_NAME"),
            "{diags:?}"
        );
    }

    #[test]
    fn the_configured_project_belongs_to_the_provider_region() {
        let resolved = resolve_with(
            &config(&[("project_id", "p1".into())]),
            &[
                ("HW_REGION_NAME", "cn-north-4"),
                ("HW_ACCESS_KEY", "a"),
                ("HW_SECRET_KEY", "s"),
            ],
        )
        .unwrap();
        assert_eq!(
            resolved.client.project_ids,
            BTreeMap::from([("cn-north-4".to_owned(), "p1".to_owned())])
        );
    }

    #[test]
    fn endpoint_passwords_are_never_repeated() {
        let endpoints = Value::Map(
            [(
                "rds".to_owned(),
                Value::from("https://user:hunter2@rds.example.com?x=1"),
            )]
            .into_iter()
            .collect(),
        );
        let diags = validate(&config(&[("endpoints", endpoints)]));
        assert_eq!(attribute_of(&diags), ["endpoints[\"rds\"]"]);
        assert!(!format!("{diags:?}").contains("hunter2"), "{diags:?}");
    }

    #[test]
    fn numbers_out_of_range_are_errors() {
        let diags = validate(&config(&[
            ("max_retries", Value::from(-1)),
            ("max_concurrent_requests", Value::from(33)),
        ]));
        assert_eq!(
            attribute_of(&diags),
            ["max_retries", "max_concurrent_requests"]
        );
        assert!(diags.0[1].detail.contains("from 1 to 32"));
        assert!(validate(&config(&[("max_concurrent_requests", Value::from(0))])).has_errors());
        let fraction = Value::Number(tfplugin::cty::Number::from(1.5));
        assert!(validate(&config(&[("max_retries", fraction)])).has_errors());
    }

    #[test]
    fn endpoint_keys_and_urls_are_checked() {
        let endpoints = |pairs: &[(&str, &str)]| {
            Value::Map(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), Value::from(*v)))
                    .collect(),
            )
        };
        let diags = validate(&config(&[(
            "endpoints",
            endpoints(&[("ecs", "https://x")]),
        )]));
        assert_eq!(attribute_of(&diags), ["endpoints[\"ecs\"]"]);
        assert!(diags.0[0].detail.contains("\"rds\" and \"iam\""));
        let diags = validate(&config(&[(
            "endpoints",
            endpoints(&[("rds", "rds.example.com")]),
        )]));
        assert_eq!(attribute_of(&diags), ["endpoints[\"rds\"]"]);
        let ok = validate(&config(&[(
            "endpoints",
            endpoints(&[("rds", "http://127.0.0.1:1"), ("iam", "https://iam")]),
        )]));
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn max_retries_is_bounded_by_the_clients_limit() {
        let diags = validate(&config(&[("max_retries", Value::from(21))]));
        assert_eq!(attribute_of(&diags), ["max_retries"]);
        assert_eq!(
            diags.0[0].detail,
            "max_retries must be a whole number from 0 to 20 (got 21)."
        );
        assert!(validate(&config(&[("max_retries", Value::from(20))])).is_empty());
        let from_env = |value: &str| {
            resolve_with(
                &config(&[]),
                &[
                    ("HW_REGION_NAME", "r"),
                    ("HW_ACCESS_KEY", "a"),
                    ("HW_SECRET_KEY", "s"),
                    ("HW_MAX_RETRIES", value),
                ],
            )
        };
        assert_eq!(from_env("20").map(|r| r.client.max_retries).ok(), Some(20));
        let diags = from_env("21").unwrap_err();
        assert_eq!(diags.0[0].summary, "Invalid HW_MAX_RETRIES");
        assert!(
            diags.0[0].detail.contains("a whole number from 0 to 20"),
            "{diags:?}"
        );
    }

    #[test]
    fn cloud_must_be_a_dns_suffix_from_the_block_or_the_environment() {
        let diags = validate(&config(&[("cloud", "evil.com/x".into())]));
        assert_eq!(attribute_of(&diags), ["cloud"]);
        assert!(diags.0[0].detail.contains("a DNS suffix"), "{diags:?}");
        assert!(!diags.0[0].detail.contains("evil.com/x"), "{diags:?}");
        let diags = resolve_with(
            &config(&[]),
            &[
                ("HW_REGION_NAME", "r"),
                ("HW_ACCESS_KEY", "a"),
                ("HW_SECRET_KEY", "s"),
                ("HW_CLOUD", "https://evil.com"),
            ],
        )
        .unwrap_err();
        assert_eq!(diags.0[0].summary, "Invalid HW_CLOUD");
        assert!(!format!("{diags:?}").contains("evil.com"), "{diags:?}");
    }

    #[test]
    fn credentials_with_whitespace_are_errors_that_never_quote_them() {
        for name in ["access_key", "secret_key", "security_token"] {
            let diags = validate(&config(&[(name, "pasted-secret\n".into())]));
            assert_eq!(attribute_of(&diags), [name]);
            let detail = &diags.0[0].detail;
            assert!(detail.contains("a line break at the end"), "{detail}");
            assert!(!format!("{diags:?}").contains("pasted-secret"), "{diags:?}");
        }
        for variable in ["HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN"] {
            let mut env = vec![
                ("HW_REGION_NAME", "r"),
                ("HW_ACCESS_KEY", "a"),
                ("HW_SECRET_KEY", "s"),
            ];
            env.retain(|(k, _)| *k != variable);
            env.push((variable, "pasted secret"));
            let diags = resolve_with(&config(&[]), &env).unwrap_err();
            assert_eq!(diags.0.len(), 1, "{diags:?}");
            assert_eq!(diags.0[0].summary, format!("Invalid {variable}"));
            assert!(diags.0[0].detail.contains("contains a space"), "{diags:?}");
            assert!(!format!("{diags:?}").contains("pasted"), "{diags:?}");
        }
    }

    /// One rule for every `HW_*` value: used exactly as set (see `process_env`), so stray
    /// whitespace is an error naming the variable whether it holds a name, a number or a flag.
    #[test]
    fn environment_values_are_never_trimmed() {
        for (variable, value) in [
            ("HW_REGION_NAME", "cn-north-4\n"),
            ("HW_PROJECT_ID", " p1"),
            ("HW_ACCESS_KEY", "AK "),
            ("HW_CLOUD", "example.com "),
            ("HW_MAX_RETRIES", " 2"),
            ("HW_INSECURE", "true\n"),
        ] {
            let mut env = vec![
                ("HW_REGION_NAME", "r"),
                ("HW_ACCESS_KEY", "a"),
                ("HW_SECRET_KEY", "s"),
            ];
            env.retain(|(k, _)| *k != variable);
            env.push((variable, value));
            let diags = resolve_with(&config(&[]), &env).unwrap_err();
            assert_eq!(diags.0.len(), 1, "{variable}: {diags:?}");
            assert_eq!(diags.0[0].summary, format!("Invalid {variable}"));
        }
    }

    /// A secret pasted into region or project_id is not printed back.
    #[test]
    fn region_and_project_errors_never_quote_the_value() {
        let pasted = "Xk9Qw2Lr7Zp4Vt8Nb3Mc6Hd1Jf5Gs0Ay2Ue7Io4/";
        let diags = validate(&config(&[
            ("region", pasted.into()),
            ("project_id", pasted.into()),
        ]));
        assert_eq!(attribute_of(&diags), ["region", "project_id"]);
        let diags_from_env = resolve_with(
            &config(&[]),
            &[
                ("HW_REGION_NAME", pasted),
                ("HW_PROJECT_ID", pasted),
                ("HW_ACCESS_KEY", "a"),
                ("HW_SECRET_KEY", "s"),
            ],
        )
        .unwrap_err();
        for diags in [diags, diags_from_env] {
            let printed = format!("{diags:?}");
            assert!(!printed.contains("Xk9Qw2"), "{printed}");
            assert!(
                printed.contains("invalid region (it contains an uppercase letter at the start)"),
                "{printed}"
            );
            assert!(
                printed.contains("invalid project id (it contains '/' at the end)"),
                "{printed}"
            );
        }
    }

    #[test]
    fn plain_http_endpoints_only_on_loopback() {
        let endpoints =
            |url: &str| Value::Map([("rds".to_owned(), Value::from(url))].into_iter().collect());
        let diags = validate(&config(&[(
            "endpoints",
            endpoints("http://rds.cn-north-4.myhuaweicloud.com"),
        )]));
        assert_eq!(attribute_of(&diags), ["endpoints[\"rds\"]"]);
        assert!(
            diags.0[0]
                .detail
                .contains("request signatures and security tokens need https"),
            "{diags:?}"
        );
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:2",
        ] {
            let diags = validate(&config(&[("endpoints", endpoints(local))]));
            assert!(diags.is_empty(), "{local}: {diags:?}");
        }
    }

    #[test]
    fn a_block_that_differs_from_the_settings_table_is_a_provider_bug() {
        let mut missing = config(&[]);
        if let Value::Object(attributes) = &mut missing {
            attributes.remove(REGION.name);
        }
        let mut extra = config(&[]);
        if let Value::Object(attributes) = &mut extra {
            attributes.insert("regoin".into(), Value::from("cn-north-4"));
        }
        for block in [missing, extra] {
            let diags = validate(&block);
            assert_eq!(diags.0.len(), 1, "{diags:?}");
            assert_eq!(diags.0[0].summary, "Provider bug");
            let diags = resolve_with(&block, &[]).expect_err("provider bug");
            assert_eq!(diags.0[0].summary, "Provider bug");
        }
    }

    #[test]
    fn unknown_values_pass_validation() {
        let diags = validate(&config(&[
            ("region", Value::Unknown),
            ("access_key", Value::Unknown),
            ("secret_key", Value::Unknown),
            ("max_retries", Value::Unknown),
            ("endpoints", Value::Unknown),
        ]));
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn boolean_environment_values_read_like_go() {
        let insecure = |value: &str| {
            resolve_with(
                &config(&[]),
                &[
                    ("HW_REGION_NAME", "r"),
                    ("HW_ACCESS_KEY", "a"),
                    ("HW_SECRET_KEY", "s"),
                    ("HW_INSECURE", value),
                ],
            )
            .map(|resolved| resolved.client.insecure)
        };
        for yes in ["1", "t", "true", "TRUE", "True"] {
            assert_eq!(insecure(yes).ok(), Some(true), "{yes}");
        }
        for no in ["0", "f", "false", "FALSE"] {
            assert_eq!(insecure(no).ok(), Some(false), "{no}");
        }
        let diags = insecure("yes").unwrap_err();
        assert!(
            diags.iter().any(|d| d.summary.contains("HW_INSECURE")),
            "{diags:?}"
        );
    }

    #[test]
    fn bad_environment_numbers_are_explained() {
        let diags = resolve_with(
            &config(&[]),
            &[
                ("HW_REGION_NAME", "r"),
                ("HW_ACCESS_KEY", "a"),
                ("HW_SECRET_KEY", "s"),
                ("HW_MAX_RETRIES", "many"),
            ],
        )
        .unwrap_err();
        assert!(
            diags.iter().any(|d| d.summary.contains("HW_MAX_RETRIES")),
            "{diags:?}"
        );
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let resolved = resolve_with(
            &config(&[]),
            &[
                ("HW_REGION_NAME", "r"),
                ("HW_ACCESS_KEY", "a"),
                ("HW_SECRET_KEY", "very-secret"),
                ("HW_SECURITY_TOKEN", "tok-secret"),
            ],
        )
        .unwrap();
        let printed = format!("{resolved:?}");
        assert!(
            !printed.contains("very-secret") && !printed.contains("tok-secret"),
            "{printed}"
        );
    }

    /// A KooCLI file with the profiles `desk` (current, AKSK with region and project) and
    /// `bare` (no keys).
    fn profile_file() -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            file.path(),
            r#"{"current": "desk", "profiles": [
                {"name": "desk", "mode": "AKSK", "accessKeyId": "AKFILE",
                 "secretAccessKey": "sk-file-secret", "region": "cn-north-4",
                 "projectId": "pfile"},
                {"name": "bare", "mode": "AKSK", "accessKeyId": "", "secretAccessKey": ""}]}"#,
        )
        .unwrap();
        file
    }

    #[test]
    fn the_profile_supplies_keys_region_and_project() {
        let file = profile_file();
        let path = file.path().to_str().unwrap();
        for resolved in [
            resolve_with(&config(&[("shared_config_file", path.into())]), &[]),
            resolve_with(&config(&[]), &[("HW_SHARED_CONFIG_FILE", path)]),
            resolve_with(
                &config(&[("profile", "desk".into())]),
                &[("HW_SHARED_CONFIG_FILE", path)],
            ),
        ] {
            let resolved = resolved.unwrap();
            assert_eq!(resolved.region, "cn-north-4");
            let client = resolved.client;
            assert_eq!(static_keys(&client).access_key, "AKFILE");
            assert_eq!(static_keys(&client).secret_key.expose(), "sk-file-secret");
            assert_eq!(
                client.project_ids.get("cn-north-4").map(String::as_str),
                Some("pfile")
            );
        }
    }

    #[test]
    fn block_wins_over_environment_wins_over_profile() {
        let file = profile_file();
        let path = file.path().to_str().unwrap();
        let env = [
            ("HW_SHARED_CONFIG_FILE", path),
            ("HW_ACCESS_KEY", "AKENV"),
            ("HW_SECRET_KEY", "SKENV"),
            ("HW_REGION_NAME", "ap-southeast-1"),
        ];
        let resolved = resolve_with(&config(&[]), &env).unwrap();
        assert_eq!(resolved.region, "ap-southeast-1");
        assert_eq!(static_keys(&resolved.client).access_key, "AKENV");
        assert_eq!(static_keys(&resolved.client).secret_key.expose(), "SKENV");
        // The profile's project belongs to its region, not to the one set explicitly.
        assert!(resolved.client.project_ids.is_empty());
        let resolved = resolve_with(
            &config(&[
                ("access_key", "AKBLOCK".into()),
                ("secret_key", "SKBLOCK".into()),
                ("region", "eu-west-101".into()),
                ("project_id", "pblock".into()),
            ]),
            &env,
        )
        .unwrap();
        assert_eq!(resolved.region, "eu-west-101");
        assert_eq!(static_keys(&resolved.client).access_key, "AKBLOCK");
        assert_eq!(static_keys(&resolved.client).secret_key.expose(), "SKBLOCK");
        assert_eq!(
            resolved
                .client
                .project_ids
                .get("eu-west-101")
                .map(String::as_str),
            Some("pblock")
        );
    }

    #[test]
    fn profile_errors_name_the_file_and_the_profile_never_a_key() {
        let file = profile_file();
        let path = file.path().to_str().unwrap();
        let diags = resolve_with(
            &config(&[
                ("shared_config_file", path.into()),
                ("profile", "prod".into()),
            ]),
            &[],
        )
        .unwrap_err();
        assert_eq!(attribute_of(&diags), ["profile"]);
        let detail = &diags.0[0].detail;
        assert!(
            detail.contains(path) && detail.contains("\"prod\""),
            "{detail}"
        );

        let diags = resolve_with(
            &config(&[]),
            &[("HW_SHARED_CONFIG_FILE", path), ("HW_PROFILE", "bare")],
        )
        .unwrap_err();
        assert!(attribute_of(&diags).is_empty(), "{diags:?}");
        let detail = &diags.0[0].detail;
        assert!(
            detail.contains(path) && detail.contains("\"bare\""),
            "{detail}"
        );
        assert!(
            detail.contains("HW_PROFILE") && detail.contains("HW_SHARED_CONFIG_FILE"),
            "{detail}"
        );

        let missing = file.path().with_extension("missing");
        let diags = resolve_with(
            &config(&[("shared_config_file", missing.to_str().unwrap().into())]),
            &[],
        )
        .unwrap_err();
        assert_eq!(attribute_of(&diags), ["shared_config_file"]);
        assert!(diags.0[0].detail.contains(missing.to_str().unwrap()));

        std::fs::write(file.path(), "ENCRYPTED:sk-file-secret").unwrap();
        let diags = resolve_with(
            &config(&[("profile", "desk".into())]),
            &[("HW_SHARED_CONFIG_FILE", path)],
        )
        .unwrap_err();
        assert_eq!(attribute_of(&diags), ["profile"]);
        assert!(diags.0[0].detail.contains("is not JSON"), "{diags:?}");
        let printed = format!("{diags:?}");
        assert!(!printed.contains("sk-file-secret") && !printed.contains("AKFILE"));
    }

    #[test]
    fn the_default_file_is_read_only_when_asked_for() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".hcloud")).unwrap();
        std::fs::copy(
            profile_file().path(),
            home.path().join(".hcloud/config.json"),
        )
        .unwrap();
        let home_path = home.path().to_str().unwrap();
        let diags = resolve_with(&config(&[]), &[("HOME", home_path)]).unwrap_err();
        assert_eq!(attribute_of(&diags), ["region", "access_key"]);
        let resolved =
            resolve_with(&config(&[]), &[("HOME", home_path), ("HW_PROFILE", "desk")]).unwrap();
        assert_eq!(static_keys(&resolved.client).access_key, "AKFILE");
    }

    const BASE_ENV: [(&str, &str); 3] = [
        ("HW_REGION_NAME", "cn-north-4"),
        ("HW_ACCESS_KEY", "AK"),
        ("HW_SECRET_KEY", "SK"),
    ];

    fn with_base(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        BASE_ENV.iter().chain(extra).copied().collect()
    }

    fn assume_role_block(pairs: &[(&str, Value)]) -> (&'static str, Value) {
        let mut attributes: BTreeMap<String, Value> = ASSUME_ROLE_SETTINGS
            .iter()
            .map(|s| (s.name.to_owned(), Value::Null))
            .collect();
        for (k, v) in pairs {
            attributes.insert(k.to_string(), v.clone());
        }
        (ASSUME_ROLE, Value::Object(attributes))
    }

    use crate::provider::setting_table::ASSUME_ROLE_SETTINGS;

    #[test]
    fn the_assume_role_block_is_applied_on_top_of_the_keys() {
        let block = assume_role_block(&[
            ("agency_name", "reader".into()),
            ("domain_name", "backup-account".into()),
            ("duration", Value::from(7200)),
        ]);
        let resolved = resolve_with(&config(&[block]), &with_base(&[])).unwrap();
        assert_eq!(static_keys(&resolved.client).access_key, "AK");
        let role = resolved.client.assume_role.expect("assume_role");
        assert_eq!(role.agency_name, "reader");
        assert!(matches!(&role.domain, hwcloud::AgencyDomain::Name(n) if n == "backup-account"));
        assert_eq!(role.duration.as_secs(), 7200);
    }

    #[test]
    fn assume_role_from_the_environment_alone_with_the_default_duration() {
        let resolved = resolve_with(
            &config(&[]),
            &with_base(&[
                ("HW_ASSUME_ROLE_AGENCY_NAME", "reader"),
                ("HW_ASSUME_ROLE_DOMAIN_ID", "d0123"),
            ]),
        )
        .unwrap();
        let role = resolved.client.assume_role.expect("assume_role");
        assert!(matches!(&role.domain, hwcloud::AgencyDomain::Id(id) if id == "d0123"));
        assert_eq!(role.duration.as_secs(), 3600);
        let none = resolve_with(&config(&[]), &with_base(&[])).unwrap();
        assert!(none.client.assume_role.is_none());
    }

    #[test]
    fn a_domain_in_the_block_ignores_the_domain_variables() {
        let block = assume_role_block(&[
            ("agency_name", "reader".into()),
            ("domain_name", "in-block".into()),
        ]);
        let resolved = resolve_with(
            &config(&[block]),
            &with_base(&[
                ("HW_ASSUME_ROLE_DOMAIN_ID", "d-env"),
                ("HW_ASSUME_ROLE_DURATION", "900"),
            ]),
        )
        .unwrap();
        let role = resolved.client.assume_role.expect("assume_role");
        assert!(matches!(&role.domain, hwcloud::AgencyDomain::Name(n) if n == "in-block"));
        assert_eq!(role.duration.as_secs(), 900);
    }

    #[test]
    fn assume_role_mistakes_are_reported_at_the_block_or_the_variable() {
        let both = assume_role_block(&[
            ("agency_name", "reader".into()),
            ("domain_name", "a".into()),
            ("domain_id", "b".into()),
        ]);
        let diags = validate(&config(&[both]));
        assert_eq!(attribute_of(&diags), ["assume_role.domain_id"]);
        for bad in [899, 43201, -1] {
            let block = assume_role_block(&[("duration", Value::from(bad))]);
            let diags = validate(&config(&[block]));
            assert_eq!(attribute_of(&diags), ["assume_role.duration"], "{bad}");
            assert!(diags.0[0].detail.contains("from 900 to 43200"), "{diags:?}");
        }
        let empty = assume_role_block(&[("agency_name", "".into())]);
        assert_eq!(
            attribute_of(&validate(&config(&[empty]))),
            ["assume_role.agency_name"]
        );

        let no_agency = assume_role_block(&[("domain_name", "a".into())]);
        let diags = resolve_with(&config(&[no_agency]), &with_base(&[])).unwrap_err();
        assert_eq!(attribute_of(&diags), ["assume_role"]);
        assert!(
            diags.0[0].detail.contains("HW_ASSUME_ROLE_AGENCY_NAME"),
            "{diags:?}"
        );

        let no_domain = assume_role_block(&[("agency_name", "reader".into())]);
        let diags = resolve_with(&config(&[no_domain]), &with_base(&[])).unwrap_err();
        assert!(
            diags.0[0].summary.contains("Missing assume_role domain"),
            "{diags:?}"
        );

        let diags = resolve_with(
            &config(&[]),
            &with_base(&[
                ("HW_ASSUME_ROLE_AGENCY_NAME", "reader"),
                ("HW_ASSUME_ROLE_DOMAIN_NAME", "a"),
                ("HW_ASSUME_ROLE_DURATION", "60"),
            ]),
        )
        .unwrap_err();
        assert_eq!(diags.0[0].summary, "Invalid HW_ASSUME_ROLE_DURATION");
    }

    #[test]
    fn the_profile_names_an_agency_to_assume() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            file.path(),
            r#"{"current": "dr", "profiles": [
                {"name": "dr", "mode": "AKSK", "accessKeyId": "AKFILE",
                 "secretAccessKey": "sk-file-secret", "region": "cn-north-4",
                 "agencyName": "reader", "agencyDomainName": "backup-account"},
                {"name": "half", "mode": "AKSK", "accessKeyId": "AKFILE",
                 "secretAccessKey": "sk-file-secret", "region": "cn-north-4",
                 "agencyName": "reader"}]}"#,
        )
        .unwrap();
        let path = file.path().to_str().unwrap();
        let resolved = resolve_with(&config(&[]), &[("HW_SHARED_CONFIG_FILE", path)]).unwrap();
        let role = resolved.client.assume_role.expect("the profile's agency");
        assert_eq!(role.agency_name, "reader");
        assert!(matches!(&role.domain, hwcloud::AgencyDomain::Name(n) if n == "backup-account"));
        let diags = resolve_with(
            &config(&[]),
            &[("HW_SHARED_CONFIG_FILE", path), ("HW_PROFILE", "half")],
        )
        .unwrap_err();
        assert!(diags.0[0].detail.contains("agencyDomainName"), "{diags:?}");
        assert!(!format!("{diags:?}").contains("sk-file-secret"));
    }

    #[test]
    fn ecs_metadata_is_used_only_when_enabled_and_last() {
        let env = [
            ("HW_REGION_NAME", "cn-north-4"),
            ("HW_USE_ECS_METADATA", "true"),
            ("HW_ECS_METADATA_ENDPOINT", "http://127.0.0.1:8787"),
        ];
        let resolved = resolve_with(&config(&[]), &env).unwrap();
        let hwcloud::CredentialSource::EcsMetadata(metadata) = &resolved.client.credentials else {
            panic!("expected metadata, got {:?}", resolved.client.credentials);
        };
        assert_eq!(metadata.endpoint, "http://127.0.0.1:8787");
        // Explicit keys come first, even with metadata enabled.
        let keys = resolve_with(
            &config(&[("use_ecs_metadata", Value::Bool(true))]),
            &with_base(&[]),
        )
        .unwrap();
        assert_eq!(static_keys(&keys.client).access_key, "AK");
        // Disabled: the error lists every source, with why metadata was not asked.
        let diags = resolve_with(
            &config(&[("use_ecs_metadata", Value::Bool(false))]),
            &[("HW_REGION_NAME", "cn-north-4")],
        )
        .unwrap_err();
        assert_eq!(diags.0[0].summary, "Missing credentials");
        assert!(
            diags.0[0]
                .detail
                .contains("use_ecs_metadata is false in the provider block"),
            "{diags:?}"
        );
        let diags = resolve_with(
            &config(&[]),
            &[
                ("HW_REGION_NAME", "cn-north-4"),
                ("HW_USE_ECS_METADATA", "yes"),
            ],
        )
        .unwrap_err();
        assert_eq!(diags.0[0].summary, "Invalid HW_USE_ECS_METADATA");
    }

    #[test]
    fn auth_url_sets_the_iam_endpoint_and_must_agree_with_endpoints_iam() {
        let resolved = resolve_with(
            &config(&[("auth_url", "http://127.0.0.1:8787/v3".into())]),
            &with_base(&[]),
        )
        .unwrap();
        assert_eq!(
            resolved.client.endpoints.iam.as_deref(),
            Some("http://127.0.0.1:8787")
        );
        let endpoints = Value::Map(BTreeMap::from([(
            "iam".to_owned(),
            Value::String("http://127.0.0.1:9999".into()),
        )]));
        let diags = validate(&config(&[
            ("auth_url", "http://127.0.0.1:8787/v3".into()),
            ("endpoints", endpoints.clone()),
        ]));
        assert_eq!(attribute_of(&diags), ["auth_url"]);
        assert_eq!(diags.0[0].summary, "Conflicting IAM endpoints");
        let same = Value::Map(BTreeMap::from([(
            "iam".to_owned(),
            Value::String("http://127.0.0.1:8787/".into()),
        )]));
        assert!(
            validate(&config(&[
                ("auth_url", "http://127.0.0.1:8787/v3".into()),
                ("endpoints", same),
            ]))
            .is_empty()
        );
        let diags = resolve_with(
            &config(&[("endpoints", endpoints)]),
            &with_base(&[("HW_AUTH_URL", "http://127.0.0.1:8787/v3")]),
        )
        .unwrap_err();
        assert!(diags.0[0].detail.contains("HW_AUTH_URL"), "{diags:?}");
        let diags = validate(&config(&[("auth_url", "iam.example.com/v3".into())]));
        assert_eq!(attribute_of(&diags), ["auth_url"]);
    }

    #[test]
    fn project_name_names_the_provider_regions_project_unless_project_id_is_set() {
        let resolved = resolve_with(
            &config(&[("project_name", "cn-north-4_backup".into())]),
            &with_base(&[]),
        )
        .unwrap();
        assert_eq!(
            resolved
                .client
                .project_names
                .get("cn-north-4")
                .map(String::as_str),
            Some("cn-north-4_backup")
        );
        let with_id = resolve_with(
            &config(&[("project_name", "cn-north-4_backup".into())]),
            &with_base(&[("HW_PROJECT_ID", "p1")]),
        )
        .unwrap();
        assert!(with_id.client.project_names.is_empty());
        let diags = validate(&config(&[("project_name", "".into())]));
        assert_eq!(attribute_of(&diags), ["project_name"]);
    }

    #[test]
    fn cacert_file_is_read_and_checked_at_the_attribute_or_the_variable() {
        let diags = validate(&config(&[("cacert_file", "/nonexistent/ca.pem".into())]));
        assert_eq!(attribute_of(&diags), ["cacert_file"]);
        assert!(
            diags.0[0].detail.contains("/nonexistent/ca.pem"),
            "{diags:?}"
        );
        let diags = resolve_with(
            &config(&[]),
            &with_base(&[("OS_CACERT", "/nonexistent/ca.pem")]),
        )
        .unwrap_err();
        assert_eq!(diags.0[0].summary, "Invalid OS_CACERT");
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = rcgen::CertificateParams::new(vec!["proxy.example".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem();
        let resolved = resolve_with(
            &config(&[("cacert_file", pem.clone().into())]),
            &with_base(&[]),
        )
        .unwrap();
        assert_eq!(
            resolved.client.ca_certificates_pem.as_deref(),
            Some(pem.as_bytes())
        );
    }

    #[test]
    fn a_profile_named_in_the_block_is_read_at_validate() {
        let file = profile_file();
        let path = file.path().to_str().unwrap();
        let diags = validate(&config(&[
            ("shared_config_file", path.into()),
            ("profile", "prod".into()),
        ]));
        assert_eq!(attribute_of(&diags), ["profile"]);
        assert!(
            diags.0[0].detail.contains("has no profile \"prod\""),
            "{diags:?}"
        );
        let diags = validate(&config(&[
            ("shared_config_file", "/nonexistent/config.json".into()),
            ("profile", "desk".into()),
        ]));
        assert_eq!(attribute_of(&diags), ["shared_config_file"]);
        assert!(
            validate(&config(&[
                ("shared_config_file", path.into()),
                ("profile", "desk".into()),
            ]))
            .is_empty()
        );
        // The profile may still come from HW_PROFILE: the file alone is read at configure.
        assert!(
            validate(&config(&[(
                "shared_config_file",
                "/nonexistent/c.json".into()
            )]))
            .is_empty()
        );
    }
}
