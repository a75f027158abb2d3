//! The KooCLI profile file as a source of settings: which file and profile the block or the
//! environment name, reading it (through `hwcloud::read_profile`, which knows the format), and
//! diagnostics that name the file, the profile and the attribute or variable that chose them,
//! never a value read from the file.

use std::path::PathBuf;

use tfplugin::{AttributePath, Diagnostic, Diagnostics};

use crate::config_value::Setting;
use crate::provider::setting_table::{PROFILE, SHARED_CONFIG_FILE, SettingSpec};
use crate::provider::settings::{Env, Rule, non_empty_string};
use crate::typed_config::ConfigObject;

/// A profile that was read, and where from (to re-read it when its keys are temporary).
#[derive(Debug)]
pub struct LoadedProfile {
    pub path: PathBuf,
    /// The profile asked for; `None` means the file's `current` one.
    pub requested: Option<String>,
    pub credentials: hwcloud::ProfileCredentials,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Block,
    Env(&'static str),
}

/// A string setting from the block, else its variable, with where it came from (no rule: a
/// path or a profile name is checked by reading the file).
fn with_origin(
    config: &ConfigObject<'_>,
    spec: SettingSpec,
    env: Env<'_>,
) -> Option<(String, Origin)> {
    if let Ok(Setting::Known(value)) = non_empty_string(config, spec.name) {
        return Some((value, Origin::Block));
    }
    let var = spec.env?;
    env(var).map(|value| (value, Origin::Env(var)))
}

/// At `terraform validate`: when the block names both the file (by a path that needs no home
/// directory) and the profile, the profile is read then, so an unreadable file, a missing
/// profile or one without keys is reported at its attribute before any plan. Otherwise the
/// environment may still choose (`HW_PROFILE`, `HOME`), and the file is read at configure.
pub fn validate(config: &ConfigObject<'_>) -> Result<(), Diagnostic> {
    let (Ok(Setting::Known(path)), Ok(Setting::Known(_))) = (
        non_empty_string(config, SHARED_CONFIG_FILE.name),
        non_empty_string(config, PROFILE.name),
    ) else {
        return Ok(());
    };
    if path.starts_with("~/") {
        return Ok(());
    }
    read_profile(config, &|_| None).map(drop)
}

/// The KooCLI profile, read only when `shared_config_file` or `profile` is set (block or
/// environment). `None` when neither is set.
pub fn read_profile(
    config: &ConfigObject<'_>,
    env: Env<'_>,
) -> Result<Option<LoadedProfile>, Diagnostic> {
    let file = with_origin(config, SHARED_CONFIG_FILE, env);
    let profile = with_origin(config, PROFILE, env);
    if file.is_none() && profile.is_none() {
        return Ok(None);
    }
    let home = env("HOME");
    let path = match &file {
        Some((path, _)) => match (path.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => std::path::Path::new(home).join(rest),
            _ => std::path::PathBuf::from(path),
        },
        None => match &home {
            Some(home) => std::path::Path::new(home).join(hwcloud::DEFAULT_PROFILE_FILE),
            None => {
                return Err(profile_diagnostic(
                    "HOME is not set, so the default profile file \
                     ~/.hcloud/config.json cannot be found"
                        .to_owned(),
                    false,
                    &file,
                    &profile,
                ));
            }
        },
    };
    let requested = profile.as_ref().map(|(name, _)| name.clone());
    hwcloud::read_profile(&path, requested.as_deref())
        .map(|credentials| {
            Some(LoadedProfile {
                path: path.clone(),
                requested: requested.clone(),
                credentials,
            })
        })
        .map_err(|error| {
            let about_profile = error.profile().is_some();
            profile_diagnostic(error.to_string(), about_profile, &file, &profile)
        })
}

/// A problem with the profile file, at the attribute it is about when the block set it (the
/// file's for file problems, `profile`'s for a missing profile or keys), else naming the
/// variables that chose the file and the profile. `reason` names the file and the profile,
/// never a value read from the file.
fn profile_diagnostic(
    reason: String,
    about_profile: bool,
    file: &Option<(String, Origin)>,
    profile: &Option<(String, Origin)>,
) -> Diagnostic {
    let (first, second) = if about_profile {
        ((PROFILE, profile), (SHARED_CONFIG_FILE, file))
    } else {
        ((SHARED_CONFIG_FILE, file), (PROFILE, profile))
    };
    let mut origins = Vec::new();
    for (spec, value) in [first, second] {
        match value {
            Some((_, Origin::Env(var))) => origins.push(format!("{} is set by {var}", spec.name)),
            Some((_, Origin::Block)) => {}
            None => {}
        }
    }
    let mut detail = format!("Cannot take credentials from the KooCLI profile: {reason}.");
    if !origins.is_empty() {
        detail.push_str(&format!(" ({}.)", origins.join("; ")));
    }
    let diagnostic = Diagnostic::error("Unusable profile", detail);
    match [first, second]
        .into_iter()
        .find(|(_, value)| matches!(value, Some((_, Origin::Block))))
    {
        Some((spec, _)) => diagnostic.at(AttributePath::root(spec.name)),
        None => diagnostic,
    }
}

/// A value from the profile that must pass one of the client's rules, else an error naming
/// the file's profile and the field (never the value).
pub fn profile_value(
    value: Option<&String>,
    field: &str,
    profile: &hwcloud::ProfileCredentials,
    rule: Rule,
    diags: &mut Diagnostics,
) -> Option<String> {
    let value = value?;
    if let Err(reason) = rule(value) {
        diags.push(Diagnostic::error(
            "Unusable profile",
            format!(
                "The {field} of the KooCLI profile {:?} is not valid: {reason}.",
                profile.profile
            ),
        ));
    }
    Some(value.clone())
}
