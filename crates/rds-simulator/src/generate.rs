//! Deterministic generation of realistic backup data.
//!
//! A seeded ChaCha PRNG (stable across platforms and releases) drives every choice, so the same
//! [`GenerateSpec`] always yields the same backups: tests can rely on exact data.

use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::engine::Engine;
use crate::model::{Backup, BackupDatabase, Datastore};
use crate::time_format::{format_api_time, parse_api_time};

/// What to generate: backups for each instance, from one seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSpec {
    pub instances: Vec<InstanceSpec>,
    pub seed: u64,
}

/// One instance and how many backups of each type it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSpec {
    pub instance_id: String,
    pub engine: Engine,
    /// Number of `auto` backups (one a day, newest first).
    pub auto: usize,
    /// Number of `incremental` backups (one every 15 minutes, newest first).
    pub incremental: usize,
}

/// Default counts of `ID[:ENGINE[:AUTO[:INCREMENTAL]]]` when parts are left out.
pub const DEFAULT_AUTO: usize = 120;
pub const DEFAULT_INCREMENTAL: usize = 30;

impl FromStr for InstanceSpec {
    type Err = String;

    /// Parses `ID[:ENGINE[:AUTO[:INCREMENTAL]]]`, e.g. `abc…in01:sqlserver:40:10`.
    /// Defaults: engine mysql, 120 auto (`DEFAULT_AUTO`) and 30 incremental (`DEFAULT_INCREMENTAL`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        let instance_id = parts.next().unwrap_or_default().trim();
        if instance_id.is_empty() {
            return Err(format!("instance spec {s:?}: the instance id is empty"));
        }
        let engine = match parts.next() {
            Some(engine) => engine.parse()?,
            None => Engine::MySql,
        };
        let count = |part: Option<&str>, what: &str, default: usize| match part {
            Some(n) => n
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("instance spec {s:?}: {what} count {n:?} is not a number")),
            None => Ok(default),
        };
        let auto = count(parts.next(), "auto", DEFAULT_AUTO)?;
        let incremental = count(parts.next(), "incremental", DEFAULT_INCREMENTAL)?;
        if parts.next().is_some() {
            return Err(format!(
                "instance spec {s:?}: expected ID[:ENGINE[:AUTO[:INCREMENTAL]]]"
            ));
        }
        Ok(InstanceSpec {
            instance_id: instance_id.to_owned(),
            engine,
            auto,
            incremental,
        })
    }
}

/// The newest generated backup starts around this instant; older ones go back from it.
/// Fixed (not "now") so that generated data never depends on the clock.
const NEWEST_BACKUP: OffsetDateTime = datetime!(2026-11-27 02:15:00 UTC);

const BEIJING: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

const SQLSERVER_DATABASES: &[&str] = &["db_sales", "db_hr", "db_inventory", "reporting", "audit"];

/// Generates the backups of `spec`, newest first across all instances.
pub fn generate_backups(spec: &GenerateSpec) -> Vec<Backup> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut backups = Vec::new();
    for instance in &spec.instances {
        generate_instance(&mut rng, instance, &mut backups);
    }
    sort_newest_first(&mut backups);
    backups
}

/// Sorts by begin time as an instant, newest first (the API's order); ties by id.
pub(crate) fn sort_newest_first(backups: &mut [Backup]) {
    backups.sort_by(|a, b| {
        let a_time = parse_api_time(&a.begin_time);
        let b_time = parse_api_time(&b.begin_time);
        b_time.cmp(&a_time).then_with(|| a.id.cmp(&b.id))
    });
}

/// What stays the same for every backup of one instance.
struct InstanceProfile<'a> {
    spec: &'a InstanceSpec,
    version: &'static str,
    /// Four hex digits in automated backup names (`mysql-rds-7f3a-…`).
    name_tag: String,
    associated_with_ddm: Option<bool>,
    databases: Option<Vec<BackupDatabase>>,
}

fn generate_instance(rng: &mut ChaCha8Rng, spec: &InstanceSpec, out: &mut Vec<Backup>) {
    let versions = spec.engine.versions();
    let profile = InstanceProfile {
        spec,
        version: versions[rng.random_range(0..versions.len())],
        name_tag: format!("{:04x}", rng.random::<u16>()),
        associated_with_ddm: (spec.engine == Engine::MySql).then(|| rng.random_bool(0.2)),
        databases: (spec.engine == Engine::SqlServer).then(|| {
            let count = rng.random_range(1..=3);
            SQLSERVER_DATABASES[..count]
                .iter()
                .map(|name| BackupDatabase {
                    name: (*name).to_owned(),
                })
                .collect()
        }),
    };
    for day in 0..spec.auto {
        let jitter = Duration::seconds(rng.random_range(0..600));
        let begin = NEWEST_BACKUP - Duration::days(day as i64) - jitter;
        let duration = Duration::seconds(rng.random_range(60..1200));
        let size = rng.random_range(2_000..8_000_000);
        // Manual backups can only be copied cross-region for SQL Server.
        let manual = spec.engine == Engine::SqlServer && rng.random_bool(0.15);
        out.push(make_backup(
            rng, &profile, "auto", begin, duration, size, manual,
        ));
    }
    for step in 0..spec.incremental {
        let jitter = Duration::seconds(rng.random_range(0..30));
        let begin = NEWEST_BACKUP - Duration::minutes(15 * step as i64) - jitter;
        let duration = Duration::seconds(rng.random_range(1..300));
        let size = rng.random_range(1..64_000);
        out.push(make_backup(
            rng,
            &profile,
            "incremental",
            begin,
            duration,
            size,
            false,
        ));
    }
}

fn make_backup(
    rng: &mut ChaCha8Rng,
    profile: &InstanceProfile<'_>,
    backup_type: &str,
    begin: OffsetDateTime,
    duration: Duration,
    size: i64,
    manual: bool,
) -> Backup {
    let status = random_status(rng);
    let end = if status == "BUILDING" {
        begin
    } else {
        begin + duration
    };
    let offset = if rng.random_bool(0.5) {
        BEIJING
    } else {
        UtcOffset::UTC
    };
    let name = if manual {
        format!("backup-{:04x}", rng.random::<u16>())
    } else {
        format!(
            "{}-rds-{}-{}",
            profile.spec.engine.name_prefix(),
            profile.name_tag,
            compact_timestamp(begin)
        )
    };
    Backup {
        id: format!("{:032x}br01", rng.random::<u128>()),
        name,
        r#type: backup_type.to_owned(),
        size: if status == "FAILED" { 0 } else { size },
        status: status.to_owned(),
        databases: profile.databases.clone(),
        begin_time: format_api_time(begin, offset),
        end_time: format_api_time(end, offset),
        datastore: Datastore {
            r#type: profile.spec.engine.datastore_type().to_owned(),
            version: profile.version.to_owned(),
        },
        instance_id: profile.spec.instance_id.clone(),
        associated_with_ddm: profile.associated_with_ddm,
    }
}

/// Mostly `COMPLETED`, some `FAILED`, `BUILDING` and `DELETING`.
fn random_status(rng: &mut ChaCha8Rng) -> &'static str {
    match rng.random_range(0..100) {
        0..90 => "COMPLETED",
        90..95 => "FAILED",
        95..98 => "BUILDING",
        _ => "DELETING",
    }
}

/// `yyyymmddhhmmssSSS` in UTC, as in automated backup names.
fn compact_timestamp(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}{:03}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Ids of the built-in demo instances (see `demo_spec`).
pub const DEMO_MYSQL_INSTANCE_ID: &str = "0c2e0c9f5f8d4b3a9a3c6e1f2d4b5a60in01";
pub const DEMO_POSTGRESQL_INSTANCE_ID: &str = "5b7d1e3c9a2f4e6b8c0d2f4a6b8c0e13in03";
pub const DEMO_SQLSERVER_INSTANCE_ID: &str = "9e8f7a6b5c4d4e3f8a1b2c3d4e5f6a70in04";

/// The demo data: a MySQL, a PostgreSQL and a SQL Server instance with 120 auto and 30
/// incremental backups each.
pub fn demo_spec() -> GenerateSpec {
    let instance = |id: &str, engine| InstanceSpec {
        instance_id: id.to_owned(),
        engine,
        auto: DEFAULT_AUTO,
        incremental: DEFAULT_INCREMENTAL,
    };
    GenerateSpec {
        instances: vec![
            instance(DEMO_MYSQL_INSTANCE_ID, Engine::MySql),
            instance(DEMO_POSTGRESQL_INSTANCE_ID, Engine::PostgreSql),
            instance(DEMO_SQLSERVER_INSTANCE_ID, Engine::SqlServer),
        ],
        seed: 20261127,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(seed: u64) -> GenerateSpec {
        GenerateSpec {
            instances: vec![
                InstanceSpec {
                    instance_id: "a".repeat(32) + "in01",
                    engine: Engine::MySql,
                    auto: 20,
                    incremental: 10,
                },
                InstanceSpec {
                    instance_id: "b".repeat(32) + "in04",
                    engine: Engine::SqlServer,
                    auto: 20,
                    incremental: 0,
                },
            ],
            seed,
        }
    }

    #[test]
    fn same_spec_same_data_and_other_seed_other_data() {
        assert_eq!(generate_backups(&spec(7)), generate_backups(&spec(7)));
        assert_ne!(generate_backups(&spec(7)), generate_backups(&spec(8)));
    }

    #[test]
    fn counts_fields_and_order_are_realistic() {
        let backups = generate_backups(&spec(1));
        assert_eq!(backups.len(), 50);
        let mysql_auto = backups
            .iter()
            .filter(|b| b.instance_id.ends_with("in01") && b.r#type == "auto")
            .count();
        assert_eq!(mysql_auto, 20);
        for b in &backups {
            assert_eq!(b.id.len(), 36);
            assert!(b.id.ends_with("br01"));
            assert!(b.id[..32].chars().all(|c| c.is_ascii_hexdigit()));
            let begin = parse_api_time(&b.begin_time).expect("begin_time in API format");
            let end = parse_api_time(&b.end_time).expect("end_time in API format");
            assert!(end >= begin);
            assert!(["COMPLETED", "FAILED", "BUILDING", "DELETING"].contains(&b.status.as_str()));
            match b.datastore.r#type.as_str() {
                "MySQL" => {
                    assert!(b.associated_with_ddm.is_some() && b.databases.is_none());
                    assert!(b.name.starts_with("mysql-rds-"));
                }
                "sqlserver" => assert!(b.databases.is_some() && b.associated_with_ddm.is_none()),
                other => panic!("unexpected engine {other}"),
            }
        }
        let times: Vec<_> = backups
            .iter()
            .filter_map(|b| parse_api_time(&b.begin_time))
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
        assert!(backups.iter().any(|b| b.begin_time.ends_with("+0800")));
        assert!(backups.iter().any(|b| b.begin_time.ends_with("+0000")));
    }

    #[test]
    fn parses_instance_specs() {
        let full: InstanceSpec = "abc:sqlserver:5:2".parse().expect("valid spec");
        assert_eq!(
            full,
            InstanceSpec {
                instance_id: "abc".into(),
                engine: Engine::SqlServer,
                auto: 5,
                incremental: 2
            }
        );
        let short: InstanceSpec = "abc".parse().expect("valid spec");
        assert_eq!(short.engine, Engine::MySql);
        assert_eq!(short.auto, DEFAULT_AUTO);
        assert!("".parse::<InstanceSpec>().is_err());
        assert!("abc:oracle".parse::<InstanceSpec>().is_err());
        assert!("abc:mysql:x".parse::<InstanceSpec>().is_err());
        assert!("abc:mysql:1:2:3".parse::<InstanceSpec>().is_err());
    }
}
