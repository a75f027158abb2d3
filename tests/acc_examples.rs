//! The example configurations under `examples/` are what newcomers copy first, and the
//! Registry pages quote them: every one must validate, and every runnable one must apply
//! against the simulator and output exactly what the simulator's data says.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use rds_simulator::{
    Backup, DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, DEMO_MYSQL_INSTANCE_ID,
    DEMO_SQLSERVER_INSTANCE_ID, Dataset, Query, Scenario, Simulator, offsite_instances,
    parse_api_time, restore_windows,
};
use serde_json::{Value, json};
use support::Workdir;

/// Directories that are whole root modules, runnable against the simulator. `restore-point`
/// also has `terraform test` files (`tests/*.tftest.hcl`, not copied here: they are run by
/// `tests/acc_terraform_test.rs`).
const RUNNABLE_EXAMPLES: [&str; 6] = [
    "demo",
    "disaster-recovery",
    "filter-by-name",
    "latest-completed-backup",
    "restore-point",
    "time-window",
];

/// What a snippet without its own `required_providers` needs to be a valid configuration.
const REQUIRED_PROVIDERS: &str = r#"
terraform {
  required_providers {
    rds = {
      source = "tfrds/rds"
    }
  }
}
"#;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The `.tf` files of one directory, by name, sorted.
fn tf_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("read {}: {err}", dir.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?.to_owned();
            if !name.ends_with(".tf") {
                return None;
            }
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|err| panic!("read {}: {err}", path.display()));
            Some((name, text))
        })
        .collect();
    files.sort();
    files
}

/// Every directory under `examples/` that holds `.tf` files, relative to `examples/`.
fn example_dirs() -> Vec<String> {
    let root = examples_dir();
    let mut found = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("read an examples directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            }
        }
        if !tf_files(&dir).is_empty() {
            let relative = dir.strip_prefix(&root).expect("under examples/");
            found.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    found.sort();
    found
}

/// A workdir holding a copy of `examples/<name>`, plus the `required_providers` block when
/// the example is a snippet without one.
fn workdir_with_example(name: &str) -> Workdir {
    let files = tf_files(&examples_dir().join(name));
    let workdir = Workdir::new("");
    std::fs::remove_file(workdir.path().join("main.tf")).expect("remove the empty main.tf");
    for (file, text) in &files {
        workdir.write(file, text);
    }
    if !files
        .iter()
        .any(|(_, text)| text.contains("required_providers"))
    {
        workdir.write("required_providers.tf", REQUIRED_PROVIDERS);
    }
    workdir
}

#[test]
fn every_example_directory_is_covered() {
    let dirs = example_dirs();
    let mut expected: Vec<String> = RUNNABLE_EXAMPLES.iter().map(|s| (*s).to_owned()).collect();
    expected.push("data-sources/rds_offsite_backups".to_owned());
    expected.push("data-sources/rds_offsite_restore_times".to_owned());
    expected.push("data-sources/rds_offsite_backup_policy".to_owned());
    expected.push("data-sources/rds_offsite_backup_instances".to_owned());
    expected.push("provider".to_owned());
    expected.sort();
    assert_eq!(
        dirs, expected,
        "a new example needs a check in this file (and RUNNABLE_EXAMPLES when it is runnable)"
    );
}

#[test]
fn every_example_validates() {
    for name in example_dirs() {
        let report = workdir_with_example(&name).validate_json();
        assert_eq!(report["valid"], json!(true), "examples/{name}: {report:#}");
        assert_eq!(
            report["error_count"],
            json!(0),
            "examples/{name}: {report:#}"
        );
    }
}

/// The runnable examples share one provider set-up; a fix to one must reach all.
#[test]
fn runnable_examples_share_the_same_providers_file() {
    let read = |name: &str| {
        let path = examples_dir().join(name).join("providers.tf");
        fs::read_to_string(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()))
    };
    let reference = read(RUNNABLE_EXAMPLES[0]);
    for name in &RUNNABLE_EXAMPLES[1..] {
        assert_eq!(
            read(name),
            reference,
            "examples/{name}/providers.tf differs from examples/{}/providers.tf",
            RUNNABLE_EXAMPLES[0]
        );
    }
}

/// An in-process simulator serving the demo data, and the runtime that drives it.
struct Running {
    simulator: Simulator,
    dataset: Dataset,
    _runtime: tokio::runtime::Runtime,
}

fn start_simulator() -> Running {
    let runtime = tokio::runtime::Runtime::new().expect("start a tokio runtime");
    let config = Scenario::default();
    let dataset = config.dataset.clone();
    let simulator = runtime
        .block_on(Simulator::start(config))
        .expect("start the simulator");
    Running {
        simulator,
        dataset,
        _runtime: runtime,
    }
}

/// A workdir for a runnable example, pointed at the simulator with the simulator's
/// credentials, given as a user would: `HW_*` and `TF_VAR_*` environment variables.
fn runnable_example_without_instance(name: &str, running: &Running) -> Workdir {
    let mut workdir = workdir_with_example(name);
    workdir
        .env("HW_REGION_NAME", DEFAULT_REGION)
        .env("HW_ACCESS_KEY", DEFAULT_ACCESS_KEY)
        .env("HW_SECRET_KEY", DEFAULT_SECRET_KEY)
        .env("TF_VAR_rds_endpoint", running.simulator.base_url());
    workdir
}

/// [`runnable_example_without_instance`] for an example that reads one instance.
fn runnable_example(name: &str, running: &Running, instance_id: &str) -> Workdir {
    let mut workdir = runnable_example_without_instance(name, running);
    workdir.env("TF_VAR_instance_id", instance_id);
    workdir
}

/// The newest backup by start instant, as `most_recent = true` picks it.
fn newest<'a>(backups: impl IntoIterator<Item = &'a Backup>) -> &'a Backup {
    backups
        .into_iter()
        .max_by_key(|b| parse_api_time(&b.begin_time).expect("simulator times parse"))
        .expect("the demo data has backups")
}

fn output<'a>(outputs: &'a Value, name: &str) -> &'a Value {
    &outputs[name]["value"]
}

#[test]
fn demo_lists_every_backup_and_the_newest_completed_one() {
    let running = start_simulator();
    let outputs = runnable_example("demo", &running, DEMO_MYSQL_INSTANCE_ID).apply_outputs();

    let expected = running
        .dataset
        .query(&Query::new(DEMO_MYSQL_INSTANCE_ID, "auto"));
    assert!(
        expected.len() > 100,
        "the demo data pages: {}",
        expected.len()
    );
    assert_eq!(output(&outputs, "total_count"), &json!(expected.len()));
    let listed = output(&outputs, "backups")
        .as_array()
        .expect("backups is a list");
    let listed_ids: Vec<&str> = listed.iter().filter_map(|b| b["id"].as_str()).collect();
    let expected_ids: Vec<&str> = expected.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(listed_ids, expected_ids, "every backup, in the API's order");
    let first = expected[0];
    assert_eq!(
        listed[0],
        json!({
            "id": first.id,
            "name": first.name,
            "status": first.status,
            "engine": format!("{} {}", first.datastore.r#type, first.datastore.version),
            "size_kb": first.size,
            "begin_time": first.begin_time,
        })
    );

    let completed = newest(expected.iter().copied().filter(|b| b.status == "COMPLETED"));
    let chosen = output(&outputs, "most_recent_completed");
    assert_eq!(chosen["id"], json!(completed.id), "{chosen:#}");
    assert_eq!(chosen["name"], json!(completed.name));
    assert_eq!(chosen["end_time"], json!(completed.end_time));

    // The disaster-recovery view: every instance of the world, in its order, each with a
    // latest restorable time (exact values are checked by the disaster-recovery example).
    let instances = output(&outputs, "instances")
        .as_array()
        .expect("instances is a list");
    let expected_instances = rds_simulator::offsite_instances(&rds_simulator::Scenario::default());
    let listed: Vec<&str> = instances.iter().filter_map(|i| i["id"].as_str()).collect();
    let expected: Vec<&str> = expected_instances.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(listed, expected);
    for (instance, world) in instances.iter().zip(&expected_instances) {
        assert_eq!(instance["name"], json!(world.name));
        assert_eq!(instance["keep_days"], json!(world.keep_days));
        let latest = instance["latest_restorable_time"]
            .as_str()
            .unwrap_or_default();
        assert!(latest.ends_with('Z'), "{instance:#}");
    }
}

#[test]
fn latest_completed_backup_feeds_its_id_to_the_restore_stand_in() {
    let running = start_simulator();
    let outputs = runnable_example("latest-completed-backup", &running, DEMO_MYSQL_INSTANCE_ID)
        .apply_outputs();

    let candidates = running
        .dataset
        .query(&Query::new(DEMO_MYSQL_INSTANCE_ID, "auto"));
    let completed = newest(candidates.into_iter().filter(|b| b.status == "COMPLETED"));
    assert_eq!(output(&outputs, "latest_backup_id"), &json!(completed.id));
    let details = output(&outputs, "latest_backup");
    assert_eq!(details["name"], json!(completed.name));
    assert_eq!(details["begin_time"], json!(completed.begin_time));
    assert_eq!(details["size_kb"], json!(completed.size));
    assert_eq!(
        details["engine"],
        json!(format!("MySQL {}", completed.datastore.version))
    );
}

#[test]
fn restore_point_outputs_the_newest_completed_backup_or_null() {
    let running = start_simulator();
    let outputs =
        runnable_example("restore-point", &running, DEMO_MYSQL_INSTANCE_ID).apply_outputs();

    let candidates = running
        .dataset
        .query(&Query::new(DEMO_MYSQL_INSTANCE_ID, "auto"));
    let completed = newest(candidates.into_iter().filter(|b| b.status == "COMPLETED"));
    assert_eq!(output(&outputs, "backup_id"), &json!(completed.id));
    assert_eq!(
        output(&outputs, "backup_time"),
        &json!(completed.begin_time)
    );

    let without = "00000000000000000000000000000000in01";
    assert!(
        running
            .dataset
            .query(&Query::new(without, "auto"))
            .is_empty(),
        "an instance without backups"
    );
    let outputs = runnable_example("restore-point", &running, without).apply_outputs();
    // Terraform leaves null outputs out of `terraform output -json`.
    for name in ["backup_id", "backup_time"] {
        assert!(
            outputs.get(name).is_none_or(|o| o["value"].is_null()),
            "{name}: {outputs:#}"
        );
    }
}

#[test]
fn time_window_lists_the_backups_that_started_within_it() {
    let running = start_simulator();
    let mut workdir = runnable_example("time-window", &running, DEMO_MYSQL_INSTANCE_ID);
    // A fixed end keeps the expectation independent of the clock; the demo data is fixed too.
    workdir
        .env("TF_VAR_window_end", "2026-11-27T03:00:00Z")
        .env("TF_VAR_lookback", "72h");
    let outputs = workdir.apply_outputs();

    assert_eq!(
        output(&outputs, "window"),
        &json!({"begin_time": "2026-11-24T03:00:00Z", "end_time": "2026-11-27T03:00:00Z"})
    );
    let expected = running.dataset.query(&Query {
        begin_time: Some("2026-11-24T03:00:00+0000".to_owned()),
        end_time: Some("2026-11-27T03:00:00+0000".to_owned()),
        ..Query::new(DEMO_MYSQL_INSTANCE_ID, "auto")
    });
    assert!(
        (2..10).contains(&expected.len()),
        "one automated backup a day: {}",
        expected.len()
    );
    assert_eq!(output(&outputs, "backup_count"), &json!(expected.len()));
    let listed: Vec<&str> = output(&outputs, "backups")
        .as_array()
        .expect("backups is a list")
        .iter()
        .filter_map(|b| b["id"].as_str())
        .collect();
    let expected_ids: Vec<&str> = expected.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(listed, expected_ids);
    let total: i64 = expected.iter().map(|b| b.size).sum();
    assert_eq!(output(&outputs, "total_size_kb"), &json!(total));
}

#[test]
fn filter_by_name_finds_the_named_backup_and_its_databases() {
    let running = start_simulator();
    let all = running
        .dataset
        .query(&Query::new(DEMO_SQLSERVER_INSTANCE_ID, "auto"));
    // A manual backup (`backup-xxxx`) when the data has one, which is the realistic case.
    let wanted = all
        .iter()
        .find(|b| b.name.starts_with("backup-"))
        .unwrap_or(&all[all.len() / 2]);
    let mut workdir = runnable_example("filter-by-name", &running, DEMO_SQLSERVER_INSTANCE_ID);
    workdir.env("TF_VAR_backup_name", &wanted.name);
    let outputs = workdir.apply_outputs();

    let same_name: Vec<&&Backup> = all.iter().filter(|b| b.name == wanted.name).collect();
    assert_eq!(output(&outputs, "matching_count"), &json!(same_name.len()));
    let found = output(&outputs, "backup");
    let databases: Vec<&str> = wanted
        .databases
        .iter()
        .flatten()
        .map(|d| d.name.as_str())
        .collect();
    assert!(!databases.is_empty(), "SQL Server backups list databases");
    assert_eq!(
        found,
        &json!({
            "id": same_name[0].id,
            "status": same_name[0].status,
            "begin_time": same_name[0].begin_time,
            "size_kb": same_name[0].size,
            "engine": "sqlserver",
            "databases": databases,
        })
    );
}

#[test]
fn filter_by_name_explains_when_no_backup_has_the_name() {
    let running = start_simulator();
    let mut workdir = runnable_example("filter-by-name", &running, DEMO_SQLSERVER_INSTANCE_ID);
    workdir.env("TF_VAR_backup_name", "no-such-backup");

    let apply = workdir.run(&["apply", "-auto-approve", "-input=false"]);

    apply.assert_failure();
    let message = apply
        .combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        message.contains(&format!(
            "Instance {DEMO_SQLSERVER_INSTANCE_ID} has no auto backup named \"no-such-backup\""
        )),
        "{}",
        apply.combined()
    );
}

/// Milliseconds since the epoch as RFC 3339 in UTC with `Z`, milliseconds shown only when not
/// zero. Written here from the civil calendar (days to year/month/day, H. Hinnant's
/// algorithm), not taken from the provider.
fn rfc3339_utc_millis(ms: i64) -> String {
    let (days, in_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (secs, millis) = (in_day / 1000, in_day % 1000);
    let clock = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    let fraction = if millis == 0 {
        String::new()
    } else {
        format!(".{millis:03}")
    };
    format!("{year:04}-{month:02}-{day:02}T{clock}{fraction}Z")
}

#[test]
fn rfc3339_utc_millis_writes_known_instants() {
    // `date -u -d @1795564800` = Wed Nov 25 00:00:00 UTC 2026.
    assert_eq!(
        rfc3339_utc_millis(1_795_564_800_000),
        "2026-11-25T00:00:00Z"
    );
    assert_eq!(
        rfc3339_utc_millis(1_795_651_199_999),
        "2026-11-25T23:59:59.999Z"
    );
    assert_eq!(rfc3339_utc_millis(951_782_400_000), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339_utc_millis(0), "1970-01-01T00:00:00Z");
}

#[test]
fn disaster_recovery_maps_every_instance_to_its_recovery_point() {
    let running = start_simulator();
    let outputs = runnable_example_without_instance("disaster-recovery", &running).apply_outputs();

    // What the simulator's world serves, computed from its dataset and scenario.
    let instances = offsite_instances(&Scenario::default());
    assert_eq!(instances.len(), 3, "the demo world has three instances");
    let mut expected = serde_json::Map::new();
    for instance in &instances {
        let backups = running.dataset.query(&Query::new(&instance.id, "auto"));
        let completed = newest(backups.into_iter().filter(|b| b.status == "COMPLETED"));
        let windows = restore_windows(&running.dataset, &instance.id, None)
            .expect("every listed instance has backups here");
        let latest = windows
            .iter()
            .map(|window| window.end_time)
            .max()
            .expect("the demo instances have restore windows");
        expected.insert(
            instance.name.clone(),
            json!({
                "instance_id": instance.id,
                "engine": format!("{} {}", instance.datastore.r#type, instance.datastore.version),
                "backup_id": completed.id,
                "backup_end_time": completed.end_time,
                "latest_restorable_time": rfc3339_utc_millis(latest),
            }),
        );
    }
    assert_eq!(
        output(&outputs, "recovery_points"),
        &Value::Object(expected)
    );
}
