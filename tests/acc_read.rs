//! Acceptance tests of the `rds_offsite_backups` read under a real Terraform, against the
//! in-process API simulator: the state equals the simulator's data field for field, paging
//! makes exactly the requests it needs (each one signed), times reach the API in its format,
//! the client-side filters, regions, project lookup and the deterministic `id`.

#[path = "support/read.rs"]
mod read_support;
mod support;

use rds_simulator::{
    Backup, DEFAULT_PROJECT_ID, DEFAULT_REGION, Engine, Faults, Query, Scenario, SignatureCheck,
    Simulator,
};
use read_support::{
    INSTANCE_ID, apply, arguments, assert_same_backups, configuration, dataset, expected_backup,
    expected_backups, expected_offsets, iam_lookups, listed_ids, offset_of, offsite_path,
    offsite_requests, provider_block, scenario, start,
};
use serde_json::{Value, json};
use support::Workdir;

/// Lists every `auto` backup of an instance holding `count` of them and checks the state and
/// the request log against the simulator.
async fn assert_complete_read(count: usize) {
    let simulator = start(scenario(
        dataset(Engine::MySql, count, 3),
        Faults::default(),
    ))
    .await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[("all", &arguments("auto", ""))],
    ));

    let state = &apply(&workdir)["all"];

    let expected = simulator.dataset().query(&Query::new(INSTANCE_ID, "auto"));
    assert_eq!(expected.len(), count, "the generated data");
    assert_same_backups(
        &state["backups"],
        &expected_backups(expected.iter().copied()),
    );
    assert_eq!(state["total_count"], json!(count));
    assert_eq!(state["instance_id"], json!(INSTANCE_ID));
    assert_eq!(state["backup_type"], json!("auto"));
    assert_eq!(state["region"], json!(DEFAULT_REGION));
    for unset in [
        "backup_id",
        "begin_time",
        "end_time",
        "name",
        "status",
        "most_recent",
        "timeouts",
    ] {
        assert_eq!(state[unset], Value::Null, "{unset}");
    }
    assert_request_log(&simulator, count);
}

/// The request log of one complete read of `count` backups: one IAM lookup (no project_id is
/// configured), then each page offset exactly once with limit 100, every request validly
/// signed and answered 200.
#[track_caller]
fn assert_request_log(simulator: &Simulator, count: usize) {
    let requests = simulator.requests();
    for record in &requests {
        assert_eq!(
            record.signature,
            SignatureCheck::Valid,
            "{} {}",
            record.path,
            record.raw_query
        );
        assert_eq!(record.status, 200, "{} {}", record.path, record.raw_query);
        assert_eq!(record.method, "GET");
    }
    assert_eq!(iam_lookups(simulator), [DEFAULT_REGION]);
    let pages = offsite_requests(simulator);
    assert_eq!(
        pages.len() + 1,
        requests.len(),
        "only the IAM lookup and pages"
    );
    let mut offsets: Vec<u64> = pages.iter().map(offset_of).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, expected_offsets(count), "each page exactly once");
    for page in &pages {
        assert_eq!(page.path, offsite_path());
        assert_eq!(page.query_value("limit"), Some("100"), "{}", page.raw_query);
        assert_eq!(page.query_value("instance_id"), Some(INSTANCE_ID));
        assert_eq!(page.query_value("backup_type"), Some("auto"));
        for absent in ["backup_id", "begin_time", "end_time"] {
            assert_eq!(page.query_value(absent), None, "{}", page.raw_query);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_an_instance_without_backups_with_one_request() {
    assert_complete_read(0).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_a_single_backup() {
    assert_complete_read(1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_exactly_one_full_page_with_one_request() {
    assert_complete_read(100).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_one_backup_past_the_first_page() {
    assert_complete_read(101).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_several_pages() {
    assert_complete_read(250).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_ten_thousand_backups() {
    assert_complete_read(10_000).await;
}

/// Fields the API sends for one engine only are null for the others, never invented.
#[tokio::test(flavor = "multi_thread")]
async fn engine_specific_fields_are_null_where_the_api_omits_them() {
    let engines = [
        ("mysql", Engine::MySql),
        ("postgresql", Engine::PostgreSql),
        ("sqlserver", Engine::SqlServer),
    ];
    let mut backups = Vec::new();
    for (index, (_, engine)) in engines.iter().enumerate() {
        let mut generated = dataset(*engine, 5, 0).backups;
        for backup in &mut generated {
            backup.instance_id = instance_of(index);
        }
        backups.extend(generated);
    }
    let data = rds_simulator::Dataset { backups };
    let simulator = start(scenario(data, Faults::default())).await;
    let sources: Vec<(&str, String)> = engines
        .iter()
        .enumerate()
        .map(|(index, (name, _))| {
            let arguments = format!(
                "  instance_id = \"{}\"\n  backup_type = \"auto\"\n",
                instance_of(index)
            );
            (*name, arguments)
        })
        .collect();
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, a)| (*n, a.as_str())).collect();
    let workdir = Workdir::new(&configuration(&provider_block(&simulator, ""), &sources));

    let states = apply(&workdir);

    for (index, (name, _)) in engines.iter().enumerate() {
        let expected = simulator
            .dataset()
            .query(&Query::new(instance_of(index), "auto"));
        assert_eq!(expected.len(), 5);
        let state = &states[*name];
        assert_same_backups(
            &state["backups"],
            &expected_backups(expected.iter().copied()),
        );
        for backup in state["backups"].as_array().expect("a list") {
            let object = backup.as_object().expect("an object");
            let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, read_support::BACKUP_ATTRIBUTES, "{name}");
            let (ddm, databases) = (&backup["associated_with_ddm"], &backup["databases"]);
            match *name {
                "mysql" => {
                    assert!(ddm.is_boolean(), "{backup}");
                    assert_eq!(databases, &Value::Null, "{backup}");
                    assert_eq!(backup["datastore"]["type"], json!("MySQL"));
                }
                "postgresql" => {
                    assert_eq!(ddm, &Value::Null, "{backup}");
                    assert_eq!(databases, &Value::Null, "{backup}");
                    assert_eq!(backup["datastore"]["type"], json!("PostgreSQL"));
                }
                _ => {
                    assert_eq!(ddm, &Value::Null, "{backup}");
                    let names = databases
                        .as_array()
                        .expect("databases listed for sqlserver");
                    assert!(!names.is_empty() && names.iter().all(|d| d["name"].is_string()));
                    assert_eq!(backup["datastore"]["type"], json!("sqlserver"));
                }
            }
        }
    }
}

/// A distinct instance id per engine of the engine test.
fn instance_of(index: usize) -> String {
    format!("{:032x}in0{}", index + 1, index + 1)
}

/// The raw (as sent) value of query parameter `name`.
fn raw_value<'a>(raw_query: &'a str, name: &str) -> Option<&'a str> {
    raw_query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// RFC 3339 times are converted to the API's `+hhmm` format, the `+` percent-encoded, while
/// the state keeps exactly what was written; the window selects what the API selects.
#[tokio::test(flavor = "multi_thread")]
async fn time_window_reaches_the_api_in_its_format_and_state_keeps_it_as_written() {
    // Incremental backups come every 15 minutes: a two-day window spans two pages.
    let simulator = start(scenario(
        dataset(Engine::MySql, 30, 2_000),
        Faults::default(),
    ))
    .await;
    let windows = [
        ("utc", "2026-11-20T00:00:00Z", "2026-11-22T00:00:00+08:00"),
        (
            "api_format",
            "2026-11-24T08:00:00+0800",
            "2026-11-25T06:30:00+0000",
        ),
    ];
    let sources: Vec<(&str, String)> = windows
        .iter()
        .map(|(name, begin, end)| {
            let extra = format!("  begin_time = \"{begin}\"\n  end_time   = \"{end}\"\n");
            (*name, arguments("incremental", &extra))
        })
        .collect();
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, a)| (*n, a.as_str())).collect();
    let workdir = Workdir::new(&configuration(&provider_block(&simulator, ""), &sources));

    let states = apply(&workdir);

    let sent = [
        (
            "utc",
            "2026-11-20T00%3A00%3A00%2B0000",
            "2026-11-22T00%3A00%3A00%2B0800",
        ),
        (
            "api_format",
            "2026-11-24T08%3A00%3A00%2B0800",
            "2026-11-25T06%3A30%3A00%2B0000",
        ),
    ];
    let pages = offsite_requests(&simulator);
    let mut pages_of_windows = 0;
    for ((name, begin, end), (_, raw_begin, raw_end)) in windows.iter().zip(sent) {
        let state = &states[*name];
        assert_eq!(state["begin_time"], json!(begin), "kept as written");
        assert_eq!(state["end_time"], json!(end), "kept as written");

        let mine: Vec<_> = pages
            .iter()
            .filter(|page| raw_value(&page.raw_query, "begin_time") == Some(raw_begin))
            .collect();
        assert!(!mine.is_empty(), "no page sent begin_time={raw_begin}");
        for page in &mine {
            assert_eq!(
                raw_value(&page.raw_query, "end_time"),
                Some(raw_end),
                "{}",
                page.raw_query
            );
        }
        let api_begin = mine[0].query_value("begin_time").expect("sent").to_owned();
        let api_end = mine[0].query_value("end_time").expect("sent").to_owned();
        let expected = simulator.dataset().query(&Query {
            begin_time: Some(api_begin),
            end_time: Some(api_end),
            ..Query::new(INSTANCE_ID, "incremental")
        });
        assert!(!expected.is_empty(), "{name}: the window holds backups");
        assert_same_backups(
            &state["backups"],
            &expected_backups(expected.iter().copied()),
        );
        assert_eq!(state["total_count"], json!(expected.len()));
        let mut offsets: Vec<u64> = mine.iter().map(|page| offset_of(page)).collect();
        offsets.sort_unstable();
        assert_eq!(offsets, expected_offsets(expected.len()), "{name}");
        pages_of_windows += mine.len();
    }
    assert_eq!(
        pages_of_windows,
        pages.len(),
        "every page sent one of the windows"
    );
    // The UTC window holds two days of 15-minute backups: it really pages.
    assert!(states["utc"]["backups"].as_array().map(Vec::len) > Some(100));
}

/// `name` and `status` narrow the result on the client side exactly as the simulator's data
/// says they should, `most_recent = false` keeps everything, and `total_count` stays the API's
/// count (`most_recent = true` has its own test below, with hand-computed answers).
#[tokio::test(flavor = "multi_thread")]
async fn name_status_and_most_recent_filter_the_listed_backups() {
    let simulator = start(scenario(dataset(Engine::MySql, 250, 0), Faults::default())).await;
    let all = simulator.dataset().query(&Query::new(INSTANCE_ID, "auto"));
    let named = all[137];
    let sources = [
        (
            "by_name",
            arguments("auto", &format!("  name = \"{}\"\n", named.name)),
        ),
        ("by_status", arguments("auto", "  status = \"FAILED\"\n")),
        (
            "no_match",
            arguments("auto", "  name = \"no-such-backup\"\n"),
        ),
        (
            "most_recent_false",
            arguments("auto", "  most_recent = false\n"),
        ),
    ];
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, a)| (*n, a.as_str())).collect();
    let workdir = Workdir::new(&configuration(&provider_block(&simulator, ""), &sources));

    let states = apply(&workdir);

    let with_status = |status: &str| -> Vec<&Backup> {
        all.iter().copied().filter(|b| b.status == status).collect()
    };
    let expect = |name: &str, expected: Vec<&Backup>| {
        let state = &states[name];
        assert_same_backups(&state["backups"], &expected_backups(expected));
        assert_eq!(state["total_count"], json!(all.len()), "{name}");
    };
    expect(
        "by_name",
        all.iter()
            .copied()
            .filter(|b| b.name == named.name)
            .collect(),
    );
    let failed = with_status("FAILED");
    assert!(failed.len() > 1, "the data has several failed backups");
    expect("by_status", failed);
    expect("no_match", Vec::new());
    expect("most_recent_false", all.clone());
    assert_eq!(states["by_name"]["name"], json!(named.name));
    assert_eq!(states["by_status"]["status"], json!("FAILED"));
    assert_eq!(states["most_recent_false"]["most_recent"], json!(false));
}

/// `backup_id` is sent to the API and selects one backup.
#[tokio::test(flavor = "multi_thread")]
async fn backup_id_is_sent_to_the_api() {
    let simulator = start(scenario(dataset(Engine::MySql, 150, 0), Faults::default())).await;
    let wanted = simulator.dataset().query(&Query::new(INSTANCE_ID, "auto"))[120].clone();
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[(
            "one",
            &arguments("auto", &format!("  backup_id = \"{}\"\n", wanted.id)),
        )],
    ));

    let state = &apply(&workdir)["one"];

    assert_same_backups(&state["backups"], &json!([expected_backup(&wanted)]));
    assert_eq!(state["total_count"], json!(1));
    assert_eq!(state["backup_id"], json!(wanted.id));
    let pages = offsite_requests(&simulator);
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].query_value("backup_id"), Some(wanted.id.as_str()));
}

/// `region` defaults to the provider's and can be overridden; each region's project is looked
/// up once from IAM (both regions reach the same simulator, whose endpoints are configured).
#[tokio::test(flavor = "multi_thread")]
async fn region_defaults_to_the_providers_and_can_be_overridden() {
    let simulator = start_two_regions().await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &one_data_source_per_region(),
    ));

    let states = apply(&workdir);

    assert_eq!(states["default_region"]["region"], json!(DEFAULT_REGION));
    assert_eq!(states["other_region"]["region"], json!(OTHER_REGION));
    let expected = expected_backups(simulator.dataset().query(&Query::new(INSTANCE_ID, "auto")));
    assert_same_backups(&states["default_region"]["backups"], &expected);
    assert_same_backups(&states["other_region"]["backups"], &expected);
    assert_ne!(
        states["default_region"]["id"], states["other_region"]["id"],
        "the region is part of the id"
    );
    let mut lookups = iam_lookups(&simulator);
    lookups.sort();
    assert_eq!(
        lookups,
        [OTHER_REGION, DEFAULT_REGION],
        "one lookup per region"
    );
    assert_eq!(
        project_regions_of_pages(&simulator),
        [OTHER_REGION, OTHER_REGION, DEFAULT_REGION, DEFAULT_REGION],
        "two pages per region, each in its own region's project"
    );
    for record in simulator.requests() {
        assert_eq!(record.signature, SignatureCheck::Valid, "{}", record.path);
    }
}

/// The region a data source overrides `region` with.
const OTHER_REGION: &str = "ap-southeast-1";

/// A simulator of the provider's region and [`OTHER_REGION`], each with its own project.
async fn start_two_regions() -> Simulator {
    start(Scenario {
        regions: vec![DEFAULT_REGION.to_owned(), OTHER_REGION.to_owned()],
        ..scenario(dataset(Engine::MySql, 120, 0), Faults::default())
    })
    .await
}

/// Two data sources with the same arguments: one in the provider's region, one in
/// [`OTHER_REGION`].
fn one_data_source_per_region() -> [(&'static str, String); 2] {
    [
        ("default_region", arguments("auto", "")),
        (
            "other_region",
            arguments("auto", &format!("  region = \"{OTHER_REGION}\"\n")),
        ),
    ]
}

/// The region whose project each page request's path named, sorted by name.
fn project_regions_of_pages(simulator: &Simulator) -> Vec<String> {
    let mut regions: Vec<String> = offsite_requests(simulator)
        .into_iter()
        .map(|record| record.project_region.unwrap_or_default())
        .collect();
    regions.sort();
    regions
}

/// A project belongs to one region: a configured project_id serves the provider's region, and
/// a data source reading another region gets that region's project from IAM.
#[tokio::test(flavor = "multi_thread")]
async fn configured_project_id_is_the_provider_regions_only() {
    let simulator = start_two_regions().await;
    let workdir = Workdir::new(&configuration(
        &provider_block(
            &simulator,
            &format!("  project_id = \"{DEFAULT_PROJECT_ID}\""),
        ),
        &one_data_source_per_region(),
    ));

    let states = apply(&workdir);

    let expected = expected_backups(simulator.dataset().query(&Query::new(INSTANCE_ID, "auto")));
    assert_same_backups(&states["other_region"]["backups"], &expected);
    assert_eq!(
        iam_lookups(&simulator),
        [OTHER_REGION],
        "only the other region is looked up"
    );
    assert_eq!(
        project_regions_of_pages(&simulator),
        [OTHER_REGION, OTHER_REGION, DEFAULT_REGION, DEFAULT_REGION]
    );
    assert_ne!(
        simulator.scenario().project_id_for(OTHER_REGION).as_deref(),
        Some(DEFAULT_PROJECT_ID),
        "the simulator gives the other region a project of its own"
    );
}

/// A configured project_id is used as is: no IAM lookup.
#[tokio::test(flavor = "multi_thread")]
async fn configured_project_id_skips_the_iam_lookup() {
    let simulator = start(scenario(dataset(Engine::MySql, 101, 0), Faults::default())).await;
    let workdir = Workdir::new(&configuration(
        &provider_block(
            &simulator,
            &format!("  project_id = \"{DEFAULT_PROJECT_ID}\""),
        ),
        &[("all", &arguments("auto", ""))],
    ));

    let state = &apply(&workdir)["all"];

    let expected = simulator.dataset().query(&Query::new(INSTANCE_ID, "auto"));
    assert_same_backups(&state["backups"], &expected_backups(expected));
    assert_eq!(iam_lookups(&simulator), Vec::<String>::new());
    let requests = simulator.requests();
    assert_eq!(requests.len(), 2, "two pages and nothing else");
    for record in &requests {
        assert_eq!(record.path, offsite_path());
        assert_eq!(record.signature, SignatureCheck::Valid);
    }
}

/// The same arguments give the same `id` on every read; another argument another `id`.
#[tokio::test(flavor = "multi_thread")]
async fn id_is_the_same_for_the_same_query_and_differs_for_another() {
    let simulator = start(scenario(dataset(Engine::MySql, 20, 20), Faults::default())).await;
    let write = |extra: &str| configuration(&provider_block(&simulator, ""), &[("q", extra)]);
    let workdir = Workdir::new(&write(&arguments("auto", "")));

    let first = apply(&workdir)["q"]["id"].clone();
    let second = apply(&workdir)["q"]["id"].clone();
    workdir.write(
        "main.tf",
        &write(&arguments("auto", "  status = \"COMPLETED\"\n")),
    );
    let filtered = apply(&workdir)["q"]["id"].clone();
    workdir.write("main.tf", &write(&arguments("incremental", "")));
    let incremental = apply(&workdir)["q"]["id"].clone();

    let id = first.as_str().expect("id is a string");
    assert!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(first, second, "two reads of the same query");
    assert_ne!(first, filtered, "a status filter");
    assert_ne!(first, incremental, "another backup type");
    assert_ne!(filtered, incremental);
    // Four applies, four reads: the second apply really read again.
    assert_eq!(offsite_requests(&simulator).len(), 4);
    let listed = listed_ids(&apply(&workdir)["q"]);
    let expected: Vec<String> = simulator
        .dataset()
        .query(&Query::new(INSTANCE_ID, "incremental"))
        .iter()
        .map(|b| b.id.clone())
        .collect();
    assert_eq!(listed, expected);
}

/// `most_recent` compares start instants across UTC offsets, not strings, and takes the first
/// in API order on ties; `status` applies before it. The expected ids are worked out by hand
/// from the data below (the instant of each start in UTC is in its comment), independently of
/// the provider's code.
#[tokio::test(flavor = "multi_thread")]
async fn most_recent_compares_instants_across_offsets_and_keeps_the_first_of_a_tie() {
    let backup = |id: &str, status: &str, begin: &str| {
        json!({
            "id": id, "name": format!("name-{id}"), "type": "auto", "size": 1024,
            "status": status, "begin_time": begin, "end_time": begin,
            "datastore": {"type": "MySQL", "version": "8.0"}, "instance_id": INSTANCE_ID,
        })
    };
    // The candidates, in API order, spread over three pages of older backups (2025, every
    // status but DELETING), so that the newest must be found across pages.
    let candidates = [
        (10, backup("bk-a", "COMPLETED", "2026-11-27T10:00:00+0800")), // 02:00Z
        (120, backup("bk-e", "FAILED", "2026-11-27T01:00:00+0000")),   // 01:00Z
        (150, backup("bk-b", "COMPLETED", "2026-11-27T02:30:00+0000")), // 02:30Z: newest, first of a tie
        (160, backup("bk-c", "COMPLETED", "2026-11-26T21:30:00-0500")), // 02:30Z: ties with bk-b
        (210, backup("bk-g", "BUILDING", "2026-11-27T03:00:00+0100")),  // 02:00Z: first of a tie
        (240, backup("bk-d", "BUILDING", "2026-11-27T11:00:00+0900")), // 02:00Z: the greatest string
    ];
    let statuses = ["COMPLETED", "FAILED", "BUILDING"];
    let mut backups: Vec<Value> = (0..250)
        .map(|i| {
            let begin = format!("2025-01-01T{:02}:{:02}:00+0800", i / 60, i % 60);
            backup(&format!("old-{i}"), statuses[i % 3], &begin)
        })
        .collect();
    for (index, candidate) in candidates {
        backups.insert(index, candidate);
    }
    let total = backups.len();
    assert_eq!(total, 256, "three pages");
    let dataset = rds_simulator::Dataset::from_json_str(
        &json!({ "backups": backups, "total_count": total }).to_string(),
    )
    .expect("the hand-written dataset");
    let simulator = start(scenario(dataset, Faults::default())).await;
    let sources = [
        ("newest", arguments("auto", "  most_recent = true\n")),
        (
            "newest_building",
            arguments("auto", "  status = \"BUILDING\"\n  most_recent = true\n"),
        ),
        (
            "newest_failed",
            arguments("auto", "  status = \"FAILED\"\n  most_recent = true\n"),
        ),
        (
            "newest_deleting",
            arguments("auto", "  status = \"DELETING\"\n  most_recent = true\n"),
        ),
    ];
    let sources: Vec<(&str, &str)> = sources.iter().map(|(n, a)| (*n, a.as_str())).collect();
    let workdir = Workdir::new(&configuration(&provider_block(&simulator, ""), &sources));

    let states = apply(&workdir);

    let ids = |name: &str| -> Vec<String> { listed_ids(&states[name]) };
    assert_eq!(ids("newest"), ["bk-b"]);
    assert_eq!(states["newest"]["most_recent"], json!(true));
    assert_eq!(ids("newest_building"), ["bk-g"]);
    assert_eq!(ids("newest_failed"), ["bk-e"]);
    assert_eq!(ids("newest_deleting"), Vec::<String>::new());
    for name in [
        "newest",
        "newest_building",
        "newest_failed",
        "newest_deleting",
    ] {
        assert_eq!(states[name]["total_count"], json!(256), "{name}");
    }
}

/// One list in which some backups have `databases` (a list, possibly empty) and others do not
/// (null) is one value of one type: Terraform 1.0 panicked on it ("inconsistent list element
/// types") while computed nested data went as protocol-6 nested attributes. Elements are
/// indexed (`backups[0]`, which 1.0 also rejected) and `timeouts`, the nested attribute users
/// write, is set, so every Terraform the project supports reads this configuration.
#[tokio::test(flavor = "multi_thread")]
async fn backups_with_and_without_databases_in_one_list_are_indexed() {
    let mut data = dataset(Engine::SqlServer, 6, 0);
    for (index, backup) in data.backups.iter_mut().enumerate() {
        match index % 3 {
            0 => {}
            1 => backup.databases = None,
            _ => backup.databases = Some(Vec::new()),
        }
    }
    let simulator = start(scenario(data, Faults::default())).await;
    let mut text = configuration(
        &provider_block(&simulator, ""),
        &[(
            "mixed",
            arguments("auto", "  timeouts = {\n    read = \"5m\"\n  }\n"),
        )],
    );
    text.push_str(
        r#"
output "first" {
  value = data.rds_offsite_backups.mixed.backups[0]
}

output "second_databases" {
  value = data.rds_offsite_backups.mixed.backups[1].databases
}

output "database_names" {
  value = [for backup in data.rds_offsite_backups.mixed.backups : length(coalesce(backup.databases, []))]
}
"#,
    );
    let workdir = Workdir::new(&text);

    let outputs = read_support::blocking(|| workdir.apply_outputs());

    let expected = simulator.dataset().query(&Query::new(INSTANCE_ID, "auto"));
    assert_eq!(expected.len(), 6);
    let state = &outputs["mixed"]["value"];
    assert_same_backups(
        &state["backups"],
        &expected_backups(expected.iter().copied()),
    );
    assert_eq!(state["timeouts"], json!({"read": "5m"}));
    let databases: Vec<Value> = expected
        .iter()
        .map(|backup| serde_json::to_value(&backup.databases).expect("serializes"))
        .collect();
    assert!(databases.iter().any(Value::is_null), "{databases:?}");
    assert!(databases.contains(&json!([])), "{databases:?}");
    assert!(
        databases
            .iter()
            .any(|names| names.as_array().is_some_and(|names| !names.is_empty())),
        "{databases:?}"
    );
    assert_eq!(outputs["first"]["value"], expected_backup(expected[0]));
    assert_eq!(outputs["second_databases"]["value"], databases[1]);
    let counts: Vec<Value> = databases
        .iter()
        .map(|names| json!(names.as_array().map_or(0, Vec::len)))
        .collect();
    assert_eq!(outputs["database_names"]["value"], Value::Array(counts));
}
