//! The DB engines the simulator generates backups for, and how the API spells them.

use std::fmt;
use std::str::FromStr;

/// A DB engine of an RDS instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    MySql,
    PostgreSql,
    SqlServer,
}

impl Engine {
    /// `datastore.type` as the API sends it (note the lowercase `sqlserver`).
    pub fn datastore_type(self) -> &'static str {
        match self {
            Engine::MySql => "MySQL",
            Engine::PostgreSql => "PostgreSQL",
            Engine::SqlServer => "sqlserver",
        }
    }

    /// Engine versions seen in the API's `datastore.version`.
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            Engine::MySql => &["5.7", "8.0"],
            Engine::PostgreSql => &["12", "14", "16"],
            Engine::SqlServer => &["2017_EE", "2019_SE", "2022_SE"],
        }
    }

    /// Prefix of automated backup names, e.g. `mysql` in `mysql-rds-7f3a-20261127021500123`.
    pub fn name_prefix(self) -> &'static str {
        match self {
            Engine::MySql => "mysql",
            Engine::PostgreSql => "pg",
            Engine::SqlServer => "sqlserver",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::MySql => "mysql",
            Engine::PostgreSql => "postgresql",
            Engine::SqlServer => "sqlserver",
        })
    }
}

impl FromStr for Engine {
    type Err = String;

    /// Accepts `mysql`, `postgresql` (or `postgres`, `pg`) and `sqlserver` (or `mssql`),
    /// case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "mysql" => Ok(Engine::MySql),
            "postgresql" | "postgres" | "pg" => Ok(Engine::PostgreSql),
            "sqlserver" | "mssql" => Ok(Engine::SqlServer),
            other => Err(format!(
                "unknown engine {other:?} (expected mysql, postgresql or sqlserver)"
            )),
        }
    }
}
