//! `scripts/demo_report.py`, the demo's printout (tests/acc_examples.rs applies the demo's
//! configuration itself): its "newest first" table shows every time in UTC, so that backups
//! made with different UTC offsets appear in an order that visibly is newest first.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

#[test]
fn backups_are_listed_newest_first_with_every_time_in_utc() {
    let backup = |name: &str, begin: &str| {
        json!({"name": name, "status": "COMPLETED", "engine": "MySQL", "size_kb": 2048,
               "begin_time": begin, "end_time": begin})
    };
    // 02:15Z, 02:00Z and 02:30Z, written with three different offsets.
    let outputs = json!({
        "backups": {"value": [
            backup("beijing", "2026-11-27T10:15:00+0800"),
            backup("paris", "2026-11-27T03:00:00+0100"),
            backup("london", "2026-11-27T02:30:00+0000"),
        ]},
        "total_count": {"value": 3},
        "most_recent_completed": {"value": backup("london", "2026-11-27T02:30:00+0000")},
    });
    let mut child = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/demo_report.py"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs the report");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(outputs.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().expect("the report ends");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );

    assert!(report.contains("BEGIN TIME (UTC)"), "{report}");
    let rows: Vec<&str> = report
        .lines()
        .filter(|line| line.contains("  COMPLETED  "))
        .collect();
    let expected = [
        ("london", "2026-11-27 02:30:00"),
        ("beijing", "2026-11-27 02:15:00"),
        ("paris", "2026-11-27 02:00:00"),
    ];
    assert_eq!(rows.len(), expected.len(), "{report}");
    for (row, (name, time)) in rows.iter().zip(expected) {
        assert!(
            row.starts_with(name) && row.ends_with(time),
            "expected {name} at {time}, got {row:?}\n{report}"
        );
    }
    assert!(
        report.contains("began       2026-11-27 02:30:00 UTC"),
        "{report}"
    );
    assert!(
        !report.contains("+0800"),
        "an offset is still shown: {report}"
    );
}
