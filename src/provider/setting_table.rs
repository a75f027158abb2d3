//! The provider's settings, declared once: name, type, environment fallback, sensitivity,
//! default, accepted range and wording. The schema (`schema.rs`), the resolver (`settings.rs`)
//! and the environment table of `docs/index.md` (`docs/environment.rs`) all read this table, so
//! a setting's fallback variable, default and range cannot disagree between code, schema and
//! docs.

use hwcloud::{
    DEFAULT_CLOUD, DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_MAX_RETRIES,
    MAX_CONCURRENT_REQUESTS_RANGE, MAX_RETRIES_LIMIT,
};

/// The Terraform type of a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    String,
    Bool,
    Number,
    /// A map of strings.
    StringMap,
}

/// The value a setting takes when neither the block nor the environment gives one, as the docs
/// show it. The resolver gets the same values from the client's constants, which this table
/// quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingDefault {
    Bool(bool),
    Number(u64),
    /// A literal, shown as code.
    Text(&'static str),
}

/// One provider setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingSpec {
    /// The attribute name in the provider block.
    pub name: &'static str,
    pub kind: SettingKind,
    /// The environment variable read when the block does not set the setting.
    pub env: Option<&'static str>,
    pub sensitive: bool,
    pub default: Option<SettingDefault>,
    /// The accepted whole numbers, both ends included.
    pub range: Option<(u64, u64)>,
    /// What the setting is: the first sentence(s) of its description.
    pub summary: &'static str,
    /// The end of the description, after the fallback, default and range clauses (starting
    /// with its own punctuation, e.g. `"."` or `"; one of the two is required."`).
    pub note: &'static str,
}

impl SettingSpec {
    /// The schema description: the summary, then "Falls back to `VAR`", the default, the range
    /// and the note.
    pub fn description(&self) -> String {
        let mut text = self.summary.to_owned();
        if let Some(variable) = self.env {
            text.push_str(&format!(" Falls back to `{variable}`"));
        }
        if let Some(default) = self.default {
            text.push_str(if self.env.is_some() {
                "; defaults to "
            } else {
                " Defaults to "
            });
            text.push_str(&default.to_string());
        }
        if let Some((low, high)) = self.range {
            text.push_str(&format!("; from {low} to {high}"));
        }
        text.push_str(self.note);
        text
    }
}

impl std::fmt::Display for SettingDefault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingDefault::Bool(b) => write!(f, "`{b}`"),
            SettingDefault::Number(n) => write!(f, "{n}"),
            SettingDefault::Text(text) => write!(f, "`{text}`"),
        }
    }
}

/// A string setting without fallback, default or range: the common shape.
const fn string(name: &'static str, env: &'static str, summary: &'static str) -> SettingSpec {
    SettingSpec {
        name,
        kind: SettingKind::String,
        env: Some(env),
        sensitive: false,
        default: None,
        range: None,
        summary,
        note: ".",
    }
}

pub const REGION: SettingSpec = SettingSpec {
    note: "; one of the two is required.",
    ..string(
        "region",
        "HW_REGION_NAME",
        "The Huawei Cloud region, e.g. `cn-north-4`: the default region of every data source.",
    )
};

pub const PROJECT_ID: SettingSpec = SettingSpec {
    note: "; when neither is set it is looked up once per region from IAM \
           (`GET /v3/projects?name={region}`).",
    ..string(
        "project_id",
        "HW_PROJECT_ID",
        "The project ID used in API paths.",
    )
};

pub const ACCESS_KEY: SettingSpec = SettingSpec {
    note: ". Required together with `secret_key`.",
    ..string("access_key", "HW_ACCESS_KEY", "The access key (AK).")
};

pub const SECRET_KEY: SettingSpec = SettingSpec {
    sensitive: true,
    note: ". Required together with `access_key`.",
    ..string(
        "secret_key",
        "HW_SECRET_KEY",
        "The secret key (SK) that signs requests; never logged.",
    )
};

pub const SECURITY_TOKEN: SettingSpec = SettingSpec {
    sensitive: true,
    ..string(
        "security_token",
        "HW_SECURITY_TOKEN",
        "The security token of temporary credentials, sent as `X-Security-Token`.",
    )
};

pub const SHARED_CONFIG_FILE: SettingSpec = SettingSpec {
    default: Some(SettingDefault::Text("~/.hcloud/config.json")),
    note: "; read only when it or `profile` is set. Access key, secret key, security token, \
           region and project_id set in the provider block or their own variables win over \
           the profile's. The file must be stored unencrypted \
           (`hcloud configure set --cli-auth-encrypt=false`).",
    ..string(
        "shared_config_file",
        "HW_SHARED_CONFIG_FILE",
        "The KooCLI (`hcloud`) profile file, JSON, to take credentials, region and project_id \
         from: a profile of mode `AKSK` gives `accessKeyId`, `secretAccessKey` and \
         `securityToken`, one of mode `SSO` the same keys under `ssoAuth.stsToken`.",
    )
};

pub const PROFILE: SettingSpec = SettingSpec {
    note: "; defaults to the file's `current` profile. Setting it makes the provider read \
           `shared_config_file`.",
    ..string(
        "profile",
        "HW_PROFILE",
        "The profile of the KooCLI file `shared_config_file` to use.",
    )
};

pub const CLOUD: SettingSpec = SettingSpec {
    default: Some(SettingDefault::Text(DEFAULT_CLOUD)),
    note: " (`myhuaweicloud.eu` for regions starting with `eu-west-1`).",
    ..string(
        "cloud",
        "HW_CLOUD",
        "The cloud domain that endpoints are built from (`https://rds.{region}.{cloud}`): a DNS \
         suffix, i.e. labels of letters, digits and `-` joined by dots, without a scheme, slash \
         or port.",
    )
};

/// Keys accepted in `endpoints`.
pub const ENDPOINT_KEYS: [&str; 2] = ["rds", "iam"];

pub const ENDPOINTS: SettingSpec = SettingSpec {
    name: "endpoints",
    kind: SettingKind::StringMap,
    env: None,
    sensitive: false,
    default: None,
    range: None,
    summary: "Full base URLs that replace the default endpoints, keyed by service: `rds` and \
              `iam`, e.g. `{ rds = \"https://rds.cn-north-4.myhuaweicloud.com\" }`. `http://` \
              is accepted only for a loopback host (127.0.0.0/8, `::1` or `localhost`, e.g. a \
              local simulator): request signatures and security tokens need https.",
    note: "",
};

pub const INSECURE: SettingSpec = SettingSpec {
    name: "insecure",
    kind: SettingKind::Bool,
    env: Some("HW_INSECURE"),
    sensitive: false,
    default: Some(SettingDefault::Bool(false)),
    range: None,
    summary: "Skip verification of the API's TLS certificate.",
    note: ". Only for test environments.",
};

pub const MAX_RETRIES: SettingSpec = SettingSpec {
    name: "max_retries",
    kind: SettingKind::Number,
    env: Some("HW_MAX_RETRIES"),
    sensitive: false,
    default: Some(SettingDefault::Number(DEFAULT_MAX_RETRIES as u64)),
    range: Some((0, MAX_RETRIES_LIMIT as u64)),
    summary: "How many times a request is retried after HTTP 429, 500, 502, 503, 504, a \
              connection reset or a timeout, with capped exponential backoff that honours \
              `Retry-After`.",
    note: " (more would only keep a failing run waiting).",
};

pub const MAX_CONCURRENT_REQUESTS: SettingSpec = SettingSpec {
    name: "max_concurrent_requests",
    kind: SettingKind::Number,
    env: None,
    sensitive: false,
    default: Some(SettingDefault::Number(
        DEFAULT_MAX_CONCURRENT_REQUESTS as u64,
    )),
    range: Some((
        *MAX_CONCURRENT_REQUESTS_RANGE.start() as u64,
        *MAX_CONCURRENT_REQUESTS_RANGE.end() as u64,
    )),
    summary: "How many page requests one read keeps in flight once the total is known.",
    note: ".",
};

pub const PROJECT_NAME: SettingSpec = SettingSpec {
    note: "; defaults to the region's own project (the one named after the region). Ignored \
           when `project_id` is set.",
    ..string(
        "project_name",
        "HW_PROJECT_NAME",
        "The IAM project of the provider's region to look up instead of the region's default \
         project, e.g. a sub-project such as `cn-north-4_backup`.",
    )
};

pub const USE_ECS_METADATA: SettingSpec = SettingSpec {
    name: "use_ecs_metadata",
    kind: SettingKind::Bool,
    env: Some("HW_USE_ECS_METADATA"),
    sensitive: false,
    default: Some(SettingDefault::Bool(false)),
    range: None,
    summary: "Take temporary credentials of the ECS's agency from the instance's metadata \
              service (`HW_ECS_METADATA_ENDPOINT`, default `http://169.254.169.254`) when no \
              access key is set explicitly or by a profile. They are refreshed before they \
              expire.",
    note: ". The metadata service is never contacted unless this is true.",
};

pub const AUTH_URL: SettingSpec = SettingSpec {
    note: "; the same as `endpoints.iam` without `/v3` (setting both to different bases is an \
           error).",
    ..string(
        "auth_url",
        "HW_AUTH_URL",
        "The IAM endpoint as the official provider spells it, e.g. \
         `https://iam.cn-north-4.myhuaweicloud.com/v3`.",
    )
};

pub const CACERT_FILE: SettingSpec = SettingSpec {
    note: ". Added to the system's trusted roots, e.g. for a TLS-intercepting proxy.",
    ..string(
        "cacert_file",
        "OS_CACERT",
        "A PEM file of extra CA certificates to trust, or the PEM text itself.",
    )
};

/// Every setting, in schema (and docs) order.
pub const SETTINGS: &[SettingSpec] = &[
    REGION,
    PROJECT_ID,
    PROJECT_NAME,
    ACCESS_KEY,
    SECRET_KEY,
    SECURITY_TOKEN,
    SHARED_CONFIG_FILE,
    PROFILE,
    USE_ECS_METADATA,
    CLOUD,
    AUTH_URL,
    ENDPOINTS,
    INSECURE,
    CACERT_FILE,
    MAX_RETRIES,
    MAX_CONCURRENT_REQUESTS,
];

/// The environment variable that points the ECS metadata client somewhere else than the
/// link-local metadata address (tests point it at the simulator). Environment only, like the
/// core SDK's: it is a property of the machine, not of a configuration.
pub const ECS_METADATA_ENDPOINT_ENV: &str = "HW_ECS_METADATA_ENDPOINT";

/// The name of the `assume_role { ... }` block, as in the official provider.
pub const ASSUME_ROLE: &str = "assume_role";

pub const ASSUME_ROLE_AGENCY_NAME: SettingSpec = SettingSpec {
    note: "; required in the block or the environment when the block is written.",
    ..string(
        "agency_name",
        "HW_ASSUME_ROLE_AGENCY_NAME",
        "The agency to assume: its temporary credentials sign every request.",
    )
};

pub const ASSUME_ROLE_DOMAIN_NAME: SettingSpec = SettingSpec {
    note: "; exactly one of `domain_name` and `domain_id` is required.",
    ..string(
        "domain_name",
        "HW_ASSUME_ROLE_DOMAIN_NAME",
        "The account (domain) name that owns the agency.",
    )
};

pub const ASSUME_ROLE_DOMAIN_ID: SettingSpec = SettingSpec {
    note: "; exactly one of `domain_name` and `domain_id` is required.",
    ..string(
        "domain_id",
        "HW_ASSUME_ROLE_DOMAIN_ID",
        "The account (domain) ID that owns the agency.",
    )
};

pub const ASSUME_ROLE_DURATION: SettingSpec = SettingSpec {
    name: "duration",
    kind: SettingKind::Number,
    env: Some("HW_ASSUME_ROLE_DURATION"),
    sensitive: false,
    default: Some(SettingDefault::Number(
        hwcloud::DEFAULT_ASSUME_ROLE_DURATION.as_secs(),
    )),
    range: Some((
        *hwcloud::ASSUME_ROLE_DURATION_RANGE.start(),
        *hwcloud::ASSUME_ROLE_DURATION_RANGE.end(),
    )),
    summary: "How long, in seconds, the assumed credentials last; always sent (IAM's own \
              default would be 900).",
    note: ". They are refreshed before they expire while the provider runs.",
};

/// The attributes of the `assume_role` block, in schema order.
pub const ASSUME_ROLE_SETTINGS: &[SettingSpec] = &[
    ASSUME_ROLE_AGENCY_NAME,
    ASSUME_ROLE_DOMAIN_NAME,
    ASSUME_ROLE_DOMAIN_ID,
    ASSUME_ROLE_DURATION,
];

/// The settings that hold credentials.
pub const CREDENTIALS: [SettingSpec; 3] = [ACCESS_KEY, SECRET_KEY, SECURITY_TOKEN];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_reads_summary_fallback_default_range_note() {
        let spec = SettingSpec {
            name: "n",
            kind: SettingKind::Number,
            env: Some("HW_N"),
            sensitive: false,
            default: Some(SettingDefault::Number(3)),
            range: Some((1, 9)),
            summary: "Some number.",
            note: " (or so).",
        };
        assert_eq!(
            spec.description(),
            "Some number. Falls back to `HW_N`; defaults to 3; from 1 to 9 (or so)."
        );
        let without_env = SettingSpec { env: None, ..spec };
        assert_eq!(
            without_env.description(),
            "Some number. Defaults to 3; from 1 to 9 (or so)."
        );
        let bare = SettingSpec {
            default: None,
            range: None,
            note: "",
            ..without_env
        };
        assert_eq!(bare.description(), "Some number.");
    }

    #[test]
    fn defaults_are_shown_as_in_the_docs() {
        assert_eq!(SettingDefault::Bool(false).to_string(), "`false`");
        assert_eq!(SettingDefault::Number(8).to_string(), "8");
        assert_eq!(SettingDefault::Text("x.com").to_string(), "`x.com`");
    }

    #[test]
    fn names_and_variables_are_unique() {
        let mut names: Vec<_> = SETTINGS.iter().map(|s| s.name).collect();
        let mut variables: Vec<_> = SETTINGS
            .iter()
            .chain(ASSUME_ROLE_SETTINGS)
            .filter_map(|s| s.env)
            .chain([ECS_METADATA_ENDPOINT_ENV])
            .collect();
        let (settings, fallbacks) = (names.len(), variables.len());
        names.sort_unstable();
        names.dedup();
        variables.sort_unstable();
        variables.dedup();
        assert_eq!((names.len(), variables.len()), (settings, fallbacks));
    }

    /// Every description is a sentence, however its clauses combine.
    #[test]
    fn descriptions_end_with_a_full_stop() {
        for spec in SETTINGS.iter().chain(ASSUME_ROLE_SETTINGS) {
            assert!(spec.description().ends_with('.'), "{}", spec.name);
        }
    }

    #[test]
    fn only_credentials_are_sensitive() {
        let sensitive: Vec<_> = SETTINGS
            .iter()
            .filter(|s| s.sensitive)
            .map(|s| s.name)
            .collect();
        assert_eq!(sensitive, ["secret_key", "security_token"]);
    }
}
