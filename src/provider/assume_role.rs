//! The `assume_role { ... }` block (as in the official provider), its `HW_ASSUME_ROLE_*`
//! variables and the profile's agency: which agency the base credentials assume.
//!
//! Precedence, as for the other settings: the block's attributes, each falling back to its
//! variable; without the block the variables alone (agency name set) enable it; without
//! either, a KooCLI profile's `agencyName` with its `agencyDomainName`. The domain is taken
//! whole from one place: when the block names a domain, the domain variables are ignored, so
//! a `domain_name` in the block and a `HW_ASSUME_ROLE_DOMAIN_ID` in the environment never
//! combine into "both".

use std::time::Duration;

use tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use crate::config_value::{self, Setting};
use crate::provider::profile::LoadedProfile;
use crate::provider::setting_table::{
    ASSUME_ROLE, ASSUME_ROLE_AGENCY_NAME, ASSUME_ROLE_DOMAIN_ID, ASSUME_ROLE_DOMAIN_NAME,
    ASSUME_ROLE_DURATION, ASSUME_ROLE_SETTINGS, SettingSpec,
};
use crate::provider::settings::Env;
use crate::typed_config::ConfigObject;

/// The block as the configuration holds it: `None` when it is not written.
fn block<'a>(config: &ConfigObject<'a>) -> Result<Option<ConfigObject<'a>>, Diagnostic> {
    match config.value(ASSUME_ROLE)? {
        Value::Null => Ok(None),
        value => {
            let names: Vec<&str> = ASSUME_ROLE_SETTINGS.iter().map(|s| s.name).collect();
            ConfigObject::strict("assume_role block", value, &names).map(Some)
        }
    }
}

fn path(spec: SettingSpec) -> AttributePath {
    AttributePath::root(ASSUME_ROLE).attribute(spec.name)
}

/// A string attribute of the block: a non-empty string, reported at `assume_role.NAME`.
fn string(block: &ConfigObject<'_>, spec: SettingSpec) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(block, spec.name).map_err(|d| d.at(path(spec)))?;
    if let Setting::Known(value) = &setting
        && value.trim().is_empty()
    {
        return Err(Diagnostic::error(
            format!("Empty {ASSUME_ROLE}.{}", spec.name),
            format!(
                "{ASSUME_ROLE}.{} must not be empty: remove it or give a value.",
                spec.name
            ),
        )
        .at(path(spec)));
    }
    Ok(setting)
}

/// The accepted durations, as the docs say them.
fn duration_rule() -> String {
    format!(
        "a whole number of seconds from {} to {} (15 minutes to 12 hours)",
        hwcloud::ASSUME_ROLE_DURATION_RANGE.start(),
        hwcloud::ASSUME_ROLE_DURATION_RANGE.end()
    )
}

fn duration(block: &ConfigObject<'_>) -> Result<Setting<u64>, Diagnostic> {
    let spec = ASSUME_ROLE_DURATION;
    match config_value::integer(block, spec.name).map_err(|d| d.at(path(spec)))? {
        Setting::Known(n) => match u64::try_from(n) {
            Ok(n) if hwcloud::ASSUME_ROLE_DURATION_RANGE.contains(&n) => Ok(Setting::Known(n)),
            _ => Err(Diagnostic::error(
                "Invalid assume_role.duration",
                format!(
                    "assume_role.duration must be {} (got {n}).",
                    duration_rule()
                ),
            )
            .at(path(spec))),
        },
        Setting::Unknown => Ok(Setting::Unknown),
        Setting::Unset => Ok(Setting::Unset),
    }
}

/// Checks what the block says that is known: non-empty names, one domain, the duration range.
pub fn validate(config: &ConfigObject<'_>) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let block = match block(config) {
        Ok(Some(block)) => block,
        Ok(None) => return diags,
        Err(d) => {
            diags.push(d);
            return diags;
        }
    };
    let mut keep = |result: Result<(), Diagnostic>| {
        if let Err(d) = result {
            diags.push(d);
        }
    };
    keep(string(&block, ASSUME_ROLE_AGENCY_NAME).map(drop));
    let name = string(&block, ASSUME_ROLE_DOMAIN_NAME);
    let id = string(&block, ASSUME_ROLE_DOMAIN_ID);
    if let (Ok(Setting::Known(_)), Ok(Setting::Known(_))) = (&name, &id) {
        keep(Err(both_domains().at(path(ASSUME_ROLE_DOMAIN_ID))));
    }
    keep(name.map(drop));
    keep(id.map(drop));
    keep(duration(&block).map(drop));
    diags
}

fn both_domains() -> Diagnostic {
    Diagnostic::error(
        "Conflicting assume_role domain",
        "assume_role names the agency's account twice: set exactly one of domain_name and \
         domain_id.",
    )
}

/// A value of the block, else of its variable (when `use_env`).
fn block_or_env(
    block: Option<&ConfigObject<'_>>,
    spec: SettingSpec,
    env: Env<'_>,
    use_env: bool,
) -> Option<String> {
    if let Some(Ok(Setting::Known(value))) = block.map(|b| string(b, spec)) {
        return Some(value);
    }
    if !use_env {
        return None;
    }
    spec.env.and_then(env)
}

/// The agency to assume, if any. Problems that only the environment or the profile can cause
/// (a missing agency name, two domains, a bad duration variable) are reported here, naming
/// the variable or the profile.
pub fn resolve(
    config: &ConfigObject<'_>,
    env: Env<'_>,
    profile: Option<&LoadedProfile>,
) -> Result<Option<hwcloud::AssumeRole>, Diagnostic> {
    let block = block(config)?;
    let agency_var = ASSUME_ROLE_AGENCY_NAME.env.unwrap_or_default();
    if block.is_none() && env(agency_var).is_none() {
        return from_profile(profile);
    }
    let block = block.as_ref();
    let Some(agency_name) = block_or_env(block, ASSUME_ROLE_AGENCY_NAME, env, true) else {
        return Err(Diagnostic::error(
            "Missing assume_role.agency_name",
            format!(
                "The assume_role block needs the agency to assume: set agency_name in it or \
                 the environment variable {agency_var}."
            ),
        )
        .at(AttributePath::root(ASSUME_ROLE)));
    };
    let domain_in_block = block.is_some_and(|b| {
        [ASSUME_ROLE_DOMAIN_NAME, ASSUME_ROLE_DOMAIN_ID]
            .into_iter()
            .any(|spec| matches!(string(b, spec), Ok(Setting::Known(_))))
    });
    let domain_name = block_or_env(block, ASSUME_ROLE_DOMAIN_NAME, env, !domain_in_block);
    let domain_id = block_or_env(block, ASSUME_ROLE_DOMAIN_ID, env, !domain_in_block);
    let name_var = ASSUME_ROLE_DOMAIN_NAME.env.unwrap_or_default();
    let id_var = ASSUME_ROLE_DOMAIN_ID.env.unwrap_or_default();
    let domain = match (domain_name, domain_id) {
        (Some(name), None) => hwcloud::AgencyDomain::Name(name),
        (None, Some(id)) => hwcloud::AgencyDomain::Id(id),
        (Some(_), Some(_)) => {
            return Err(Diagnostic::error(
                "Conflicting assume_role domain",
                format!(
                    "{name_var} and {id_var} are both set: set exactly one of them (or \
                     domain_name or domain_id in the assume_role block)."
                ),
            ));
        }
        (None, None) => {
            return Err(Diagnostic::error(
                "Missing assume_role domain",
                format!(
                    "assume_role needs the account that owns agency {agency_name:?}: set \
                     domain_name or domain_id in the assume_role block, or {name_var} or \
                     {id_var}."
                ),
            )
            .at(AttributePath::root(ASSUME_ROLE)));
        }
    };
    let duration_var = ASSUME_ROLE_DURATION.env.unwrap_or_default();
    let seconds = match block.map(duration).transpose()? {
        Some(Setting::Known(seconds)) => seconds,
        _ => match env(duration_var) {
            None => hwcloud::DEFAULT_ASSUME_ROLE_DURATION.as_secs(),
            Some(text) => match text.parse::<u64>() {
                Ok(n) if hwcloud::ASSUME_ROLE_DURATION_RANGE.contains(&n) => n,
                _ => {
                    return Err(Diagnostic::error(
                        format!("Invalid {duration_var}"),
                        format!(
                            "The environment variable {duration_var} must be {}; got {text:?}.",
                            duration_rule()
                        ),
                    ));
                }
            },
        },
    };
    Ok(Some(hwcloud::AssumeRole {
        agency_name,
        domain,
        duration: Duration::from_secs(seconds),
    }))
}

/// The agency a KooCLI profile names (`agencyName` in the account `agencyDomainName`), with the
/// default duration.
fn from_profile(
    profile: Option<&LoadedProfile>,
) -> Result<Option<hwcloud::AssumeRole>, Diagnostic> {
    let Some(profile) = profile else {
        return Ok(None);
    };
    let keys = &profile.credentials;
    let Some(agency_name) = keys.agency_name.clone() else {
        return Ok(None);
    };
    let Some(domain_name) = keys.agency_domain_name.clone() else {
        return Err(Diagnostic::error(
            "Unusable profile",
            format!(
                "The KooCLI profile {:?} of {} names an agency (agencyName) but not the account \
                 that owns it (agencyDomainName).",
                keys.profile,
                profile.path.display()
            ),
        ));
    };
    Ok(Some(hwcloud::AssumeRole {
        agency_name,
        domain: hwcloud::AgencyDomain::Name(domain_name),
        duration: hwcloud::DEFAULT_ASSUME_ROLE_DURATION,
    }))
}
