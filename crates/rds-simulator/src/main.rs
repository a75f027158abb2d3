//! `rds-api-simulator`: runs the RDS offsite-backups API simulator from the command line.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use rds_simulator::{
    Agency, DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_REGION, DEFAULT_SECRET_KEY,
    DEFAULT_SOURCE_REGION, Dataset, FailSpec, Faults, GenerateSpec, InstanceSpec, MetadataTokenApi,
    PageBody, Scenario, Simulator, TotalCountChange, parse_error_status, parse_fail_fraction_spec,
    parse_offset_times, parse_page_body,
};

/// Local simulator of the Huawei Cloud RDS disaster-recovery read API, the IAM calls a client
/// makes (project lookup, assuming an agency) and the ECS metadata service, all served on one
/// address, from one consistent world: the instances of the dataset run in --source-region and
/// copy their backups to the default region.
///
/// Default credentials: access key SIMULATORAK, secret key simulator-secret-key (see
/// --access-key, --secret-key). The temporary keys it issues (assumed agencies, metadata) are
/// accepted on every signed route too, with their X-Security-Token (signed), until they
/// expire; then they answer 401 APIGW.0301.
///
/// - GET /v3/projects?name={region} (IAM): the project of a known region.
///
/// - POST /v3.0/OS-CREDENTIAL/securitytokens (IAM, CreateTemporaryAccessKeyByAgency): body
///   {"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":..,
///   "domain_name" or "domain_id":..,"duration_seconds":900..43200 (default 900)}}}}, signed;
///   answers 201 {"credential":{"access","secret","securitytoken","expires_at"}} (expires_at
///   like 2026-12-08T12:00:00.000000Z). A bad body answers 400 IAM.0007 naming the field, an
///   agency not given by --agency (or not assumable by the caller) 403 IAM.0002. Default
///   agency: rds_dr_reader of domain backup-account (id 5f0c1b2a3d4e4f6a8b9c0d1e2f3a4b5c).
///
/// - PUT /meta-data/latest/api/token with X-Metadata-Token-Ttl-Seconds (1..21600), then
///   GET /openstack/latest/securitykey with X-Metadata-Token (ECS metadata, not signed):
///   the instance agency's temporary credentials,
///   {"credential":{"access","secret","securitytoken","expires_at"}}. See --no-metadata,
///   --metadata-token-api and --metadata-credential-lifetime; point clients' metadata
///   endpoint at this address (never at 169.254.169.254).
///
/// - GET /v3/{project_id}/offsite-backups (ListOffSiteBackups): the backups, paged.
///
/// - GET /v3/backups/offsite-backup-instance (ListOffSiteInstances; project in the
///   X-Project-Id header): one instance per instance of the dataset, paged; an empty list in
///   any region but the default (backup) region.
///
/// - GET /v3/{project_id}/instances/{instance_id}/offsite-restore-time[?date=yyyy-mm-dd]
///   (ListOffSiteRestoreTimes) answers {"restore_time":[{"start_time":MS,"end_time":MS}]}
///   (milliseconds since the epoch, UTC): the restore windows of the instance, built from its
///   COMPLETED backups (a window opens at the end of a full backup and grows while the next
///   backup begins within 26 hours); with date, only their parts within that UTC day. An
///   instance without backups answers 404 DBS.200002, a date that is not a real yyyy-mm-dd day
///   400 DBS.280001. Only the default (backup) region has restore windows: elsewhere every
///   instance answers 404 DBS.200002.
///
/// - GET /v3/{project_id}/instances/{instance_id}/backups/offsite-policy
///   (ShowOffSiteBackupPolicy): served for the source region's project only; an unknown
///   instance answers 404 DBS.200002.
///
/// Every fault option applies to every RDS route (a route that is not paged counts as the
/// page at offset 0), except --grow-total-after-first-page, which changes the backup list
/// only; IAM and the metadata service are never faulted (--latency-ms delays them too).
///
/// Like the real cloud, each region has its own project: the first --region (the default
/// region) has --project-id, every other region a fixed id derived from its name (the first
/// 32 hex digits of sha256("project:REGION")), which IAM answers for ?name=REGION. The
/// offsite-backups endpoint accepts the project of any known region (all regions serve the
/// same data); a path project must match the X-Project-Id header.
///
/// Requests (but the metadata service's) must be signed with SDK-HMAC-SHA256 using the
/// configured access/secret key or a temporary key it issued (unless --no-verify-signatures). Query strings are decoded like the real server: a literal
/// '+' is a space, so times must carry '%2B0800'.
///
/// Without --data or --instance, a demo dataset is served: MySQL instance
/// 0c2e0c9f5f8d4b3a9a3c6e1f2d4b5a60in01, PostgreSQL instance
/// 5b7d1e3c9a2f4e6b8c0d2f4a6b8c0e13in03 and SQL Server instance
/// 9e8f7a6b5c4d4e3f8a1b2c3d4e5f6a70in04, with 120 auto and 30 incremental backups each.
///
/// Prints one line `listening on http://HOST:PORT` on stdout once ready. Stops on SIGINT or
/// SIGTERM.
#[derive(Debug, Parser)]
#[command(name = "rds-api-simulator", version)]
struct Cli {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,

    /// Access key clients must sign with (the provider's access_key or HW_ACCESS_KEY).
    #[arg(long, default_value = DEFAULT_ACCESS_KEY)]
    access_key: String,

    /// Secret key clients must sign with (the provider's secret_key or HW_SECRET_KEY). The
    /// default is a public test value, shown so that the simulator can be used by hand; a key
    /// given here is never printed or logged.
    #[arg(long, default_value = DEFAULT_SECRET_KEY)]
    secret_key: String,

    /// Project id of the first (default) region, accepted in /v3/{project_id}/... and
    /// returned by IAM for that region; other regions get their own derived project ids.
    #[arg(long, default_value = DEFAULT_PROJECT_ID)]
    project_id: String,

    /// Region name IAM knows (repeatable), each with its own project; the first one is the
    /// default region, whose project is --project-id [default: cn-north-4].
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,

    /// Region the instances of the dataset run in (their offsite backup policies are read
    /// there; their backups are copied to the default region). IAM knows its project, derived
    /// like any other region's. GET /v3/backups/offsite-backup-instance (X-Project-Id header)
    /// lists one instance per instance of the dataset with this source region.
    #[arg(long, value_name = "REGION", default_value = DEFAULT_SOURCE_REGION)]
    source_region: String,

    /// Serve the backups of FILE, JSON in the API's response format
    /// {"backups":[...],"total_count":N}.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["instances", "seed"])]
    data: Option<PathBuf>,

    /// Generate backups for an instance (repeatable): `ID[:ENGINE[:AUTO[:INCREMENTAL]]]`,
    /// ENGINE one of mysql, postgresql, sqlserver (default mysql), AUTO and INCREMENTAL
    /// backup counts (default 120 and 30).
    #[arg(long = "instance", value_name = "SPEC")]
    instances: Vec<InstanceSpec>,

    /// Seed of the data generator (same seed, same data).
    #[arg(long, requires = "instances")]
    seed: Option<u64>,

    /// Accept requests without checking their signature.
    #[arg(long)]
    no_verify_signatures: bool,

    /// Delay added to every request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,

    /// The first COUNT list requests answer STATUS (e.g. 429, 500, 503), with
    /// `Retry-After: RETRY_AFTER` seconds if given. Repeatable; applied in order.
    #[arg(long, value_name = "STATUS:COUNT[:RETRY_AFTER]")]
    fail_first: Vec<FailSpec>,

    /// A random FRACTION (0..1, seeded by --fault-seed) of list requests answer STATUS,
    /// with `Retry-After: RETRY_AFTER` seconds if given.
    #[arg(
        long,
        value_name = "FRACTION:STATUS[:RETRY_AFTER]",
        value_parser = parse_fail_fraction_spec
    )]
    fail_fraction: Option<(f64, u16, Option<u32>)>,

    /// Seed of the --fail-fraction draws.
    #[arg(long, value_name = "SEED", default_value_t = 0)]
    fault_seed: u64,

    /// The page at OFFSET answers 200 with truncated JSON (every time).
    #[arg(long, value_name = "OFFSET")]
    malformed_json_at: Option<u64>,

    /// With --malformed-json-at: only the first request for that page is malformed.
    #[arg(long, requires = "malformed_json_at")]
    malformed_json_once: bool,

    /// Close the connection without any response for the page at OFFSET, TIMES times
    /// (default 1).
    #[arg(long, value_name = "OFFSET[:TIMES]", value_parser = parse_offset_times)]
    drop_connection_at: Option<(u64, u32)>,

    /// After the first page is served, N new backups appear at the head of every listing
    /// (total_count grows), as if backups were created while a client pages.
    #[arg(long, value_name = "N")]
    grow_total_after_first_page: Option<usize>,

    /// Every list request answers STATUS with a hostile error body: terminal escape
    /// sequences, BEL, CR, a fake "Apply complete!" line and a fake second "Error:" block in
    /// error_code and error_msg (to test that clients show server text safely).
    #[arg(long, value_name = "STATUS", value_parser = parse_error_status)]
    hostile_error_status: Option<u16>,

    /// Every list request answers STATUS with an error_msg that echoes the request's
    /// Authorization and X-Security-Token headers, as some proxies do (to test that clients
    /// redact them).
    #[arg(long, value_name = "STATUS", value_parser = parse_error_status)]
    echo_headers_status: Option<u16>,

    /// Send every page body one byte per MS milliseconds (the headers at once), so that an
    /// answer takes minutes (to test per-attempt and overall time limits).
    #[arg(long, value_name = "MS")]
    trickle_ms: Option<u64>,

    /// Pad every page body with spaces (still valid JSON) to at least BYTES bytes (to test
    /// clients' response size limits).
    #[arg(long, value_name = "BYTES")]
    pad_pages_to: Option<usize>,

    /// The page at OFFSET (every page with `*`) answers 200 with the contents of FILE as they
    /// are, e.g. `{}` or a page without `backups`. Repeatable; the first match wins.
    #[arg(long, value_name = "OFFSET=FILE", value_parser = parse_page_body)]
    page_body: Vec<PageBody>,
    /// An instance of the source region (--source-region) without an offsite backup policy
    /// (repeatable): GET /v3/{project_id}/instances/{ID}/backups/offsite-policy, with the
    /// source region's project, answers {"policy_para":[]}. Every instance of the dataset has
    /// a policy there (one entry per backup type it has, naming the default region as the
    /// destination); any other instance, or another region's project, answers 404 DBS.200002.
    #[arg(long, value_name = "ID")]
    without_offsite_policy: Vec<String>,

    /// An agency POST /v3.0/OS-CREDENTIAL/securitytokens lets callers assume (repeatable;
    /// replaces the default agency): DOMAIN_NAME:DOMAIN_ID:AGENCY_NAME, optionally followed by
    /// :WHO[,WHO...] naming who may assume it: access keys (the permanent key at the root of
    /// temporary keys counts) or ecs-metadata (keys from the metadata service); without WHO,
    /// every authenticated caller.
    #[arg(
        long = "agency",
        value_name = "DOMAIN_NAME:DOMAIN_ID:AGENCY_NAME[:WHO[,WHO...]]"
    )]
    agencies: Vec<Agency>,

    /// Every assumed credential lives SECONDS, whatever duration_seconds asks for (which is
    /// still validated), e.g. 5 to watch clients refresh.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    assumed_credential_lifetime: Option<u64>,

    /// Do not serve the ECS metadata service: both of its routes answer 404.
    #[arg(long)]
    no_metadata: bool,

    /// How PUT /meta-data/latest/api/token answers: required (a token, which the GET then
    /// requires: 401 without it or with a wrong or expired one), 404, 405 or 503 (as a service
    /// without the token API: the GET works without a token), or 500 (an error; the GET
    /// answers 401).
    #[arg(long, value_name = "MODE", default_value = "required")]
    metadata_token_api: MetadataTokenApi,

    /// Lifetime of each credential GET /openstack/latest/securitykey hands out.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..))]
    metadata_credential_lifetime: u64,

    /// Print one line per request on stderr.
    #[arg(long)]
    request_log: bool,
}

impl Cli {
    fn dataset(&self) -> Result<Dataset, String> {
        if let Some(path) = &self.data {
            return Dataset::from_json_file(path).map_err(|e| e.to_string());
        }
        if self.instances.is_empty() {
            return Ok(Dataset::demo());
        }
        Ok(Dataset::generate(&GenerateSpec {
            instances: self.instances.clone(),
            seed: self.seed.unwrap_or(1),
        }))
    }

    fn faults(&self) -> Faults {
        Faults {
            latency: Duration::from_millis(self.latency_ms),
            fail_first: self.fail_first.clone(),
            fail_fraction: self
                .fail_fraction
                .map(|(fraction, status, _)| (fraction, status)),
            fail_fraction_retry_after: self
                .fail_fraction
                .and_then(|(_, _, retry_after)| retry_after),
            malformed_json_at_offset: self.malformed_json_at,
            malformed_json_once: self.malformed_json_once,
            drop_connection_at_offset: self.drop_connection_at,
            total_count_change: self
                .grow_total_after_first_page
                .map(|inserted| TotalCountChange { inserted }),
            hostile_error_status: self.hostile_error_status,
            echo_headers_status: self.echo_headers_status,
            trickle: self.trickle_ms.map(Duration::from_millis),
            pad_pages_to: self.pad_pages_to,
            seed: self.fault_seed,
            page_bodies: self.page_body.clone(),
        }
    }

    fn scenario(&self) -> Result<Scenario, String> {
        Ok(Scenario {
            access_key: self.access_key.clone(),
            secret_key: self.secret_key.clone(),
            project_id: self.project_id.clone(),
            regions: if self.regions.is_empty() {
                vec![DEFAULT_REGION.to_owned()]
            } else {
                self.regions.clone()
            },
            dataset: self.dataset()?,
            source_region: self.source_region.clone(),
            faults: self.faults(),
            check_signatures: !self.no_verify_signatures,
            instances_without_offsite_policy: self.without_offsite_policy.clone(),
            agencies: if self.agencies.is_empty() {
                vec![Agency::default()]
            } else {
                self.agencies.clone()
            },
            assumed_credential_lifetime: self.assumed_credential_lifetime.map(Duration::from_secs),
            metadata_enabled: !self.no_metadata,
            metadata_token_api: self.metadata_token_api,
            metadata_credential_lifetime: Duration::from_secs(self.metadata_credential_lifetime),
            ..Scenario::default()
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = if cli.request_log {
        "warn,rds_simulator::requests=info"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(false)
        .without_time()
        .init();
    let scenario = match cli.scenario() {
        Ok(scenario) => scenario,
        Err(message) => {
            eprintln!("rds-api-simulator: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("rds-api-simulator: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(scenario, cli.listen)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rds-api-simulator: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(scenario: Scenario, listen: SocketAddr) -> Result<(), String> {
    let simulator = Simulator::start_on(scenario, listen)
        .await
        .map_err(|error| format!("cannot listen on {listen}: {error}"))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {}", simulator.base_url())
        .and_then(|()| stdout.flush())
        .map_err(|error| format!("cannot write to stdout: {error}"))?;
    drop(stdout);
    wait_for_stop_signal().await?;
    simulator.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_stop_signal() -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())
        .map_err(|error| format!("cannot watch SIGTERM: {error}"))?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.map_err(|error| format!("cannot watch SIGINT: {error}")),
        _ = terminate.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_stop_signal() -> Result<(), String> {
    tokio::signal::ctrl_c()
        .await
        .map_err(|error| format!("cannot watch Ctrl-C: {error}"))
}
