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

/// Every setting, in schema (and docs) order.
pub const SETTINGS: &[SettingSpec] = &[
    REGION,
    PROJECT_ID,
    ACCESS_KEY,
    SECRET_KEY,
    SECURITY_TOKEN,
    SHARED_CONFIG_FILE,
    PROFILE,
    CLOUD,
    ENDPOINTS,
    INSECURE,
    MAX_RETRIES,
    MAX_CONCURRENT_REQUESTS,
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
        let mut variables: Vec<_> = SETTINGS.iter().filter_map(|s| s.env).collect();
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
        for spec in SETTINGS {
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
