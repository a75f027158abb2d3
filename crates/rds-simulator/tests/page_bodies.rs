//! The `page_bodies` fault (`--page-body OFFSET=FILE`): chosen pages answer 200 with a raw
//! body, as a client sees it, as the request log records it, and from the command line.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::list;
use rds_simulator::{
    DEMO_MYSQL_INSTANCE_ID as MYSQL, Faults, PageBody, PageOffsets, Scenario, Simulator,
};

async fn start(page_bodies: Vec<PageBody>) -> Simulator {
    Simulator::start(Scenario {
        faults: Faults {
            page_bodies,
            ..Faults::default()
        },
        ..Scenario::default()
    })
    .await
    .expect("start")
}

async fn page_at(sim: &Simulator, offset: &str) -> common::Answer {
    list(
        sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "auto"),
            ("offset", offset),
            ("limit", "100"),
        ],
    )
    .await
}

#[tokio::test]
async fn the_chosen_page_answers_the_raw_body_and_the_others_are_real() {
    let sim = start(vec![PageBody::new(PageOffsets::At(100), r#"[[],1]"#)]).await;
    let raw = page_at(&sim, "100").await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.body, "[[],1]");
    let real = page_at(&sim, "0").await;
    assert_eq!(real.status, 200);
    assert_eq!(real.json()["backups"].as_array().map(Vec::len), Some(100));
    let labels: Vec<Option<String>> = sim.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(labels, [Some("page-body".to_owned()), None]);
}

#[tokio::test]
async fn every_page_answers_the_body_with_a_star() {
    let sim = start(vec![PageBody::new(PageOffsets::Every, "{}")]).await;
    for offset in ["0", "100", "99900"] {
        let answer = page_at(&sim, offset).await;
        assert_eq!((answer.status, answer.body.as_str()), (200, "{}"));
    }
}

#[test]
fn the_command_line_flag_serves_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("page.json");
    std::fs::write(&file, r#"{"total_count":3}"#).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rds-api-simulator"))
        .args(["--listen", "127.0.0.1:0", "--no-verify-signatures"])
        .arg("--page-body")
        .arg(format!("0={}", file.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("startup line");
    let base_url = line.trim().strip_prefix("listening on ").map(str::to_owned);
    let body = base_url.map(|base_url| {
        let url = format!(
            "{base_url}/v3/{}/offsite-backups?instance_id={MYSQL}&backup_type=auto&offset=0",
            rds_simulator::DEFAULT_PROJECT_ID
        );
        tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(async { reqwest::get(url).await?.text().await })
    });
    child.kill().expect("stop the binary");
    child.wait().expect("reap the binary");
    let body = body.expect("a startup line").expect("an answer");
    assert_eq!(body, r#"{"total_count":3}"#);

    let bad = Command::new(env!("CARGO_BIN_EXE_rds-api-simulator"))
        .args(["--page-body", "x=/nonexistent"])
        .output()
        .expect("run the binary");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("page-body"));
}
