//! Acceptance tests, under a real Terraform, of answers that must fail a read rather than be
//! reported as a result: a 200 body that is not a page of the API, a list longer than one read
//! may list, and a state larger than one plugin protocol message may carry. Each failure says
//! what was wrong, and the last two say that begin_time/end_time narrow the query.

#[path = "support/read.rs"]
mod read_support;
mod support;

use rds_simulator::{Engine, Faults, PageBody, PageOffsets, Simulator};
use read_support::{
    arguments, configuration, dataset, flattened, page_outcomes, provider_block, scenario, start,
    try_apply,
};
use serde_json::json;
use support::{RunOutput, Workdir};

/// Backups of the simulator whose page at offset 100 is replaced: three pages.
const BACKUPS: usize = 250;
/// The most backups one read may list: 1000 pages of 100.
const MAX_BACKUPS: usize = 100_000;

/// 200 answers that are not pages of the API.
const NOT_PAGES: [&str; 7] = [
    "{}",
    "[]",
    "[null,null]",
    r#"[[{"id":"b1"}],1]"#,
    r#"{"error_code":"DBS.280001","error_msg":"internal error"}"#,
    r#"{"total_count":250}"#,
    r#"{"backups":[],"total_count":-1}"#,
];

/// `terraform apply` of one data source reading every `auto` backup from `simulator`.
fn apply_reading_all(simulator: &Simulator) -> RunOutput {
    let workdir = Workdir::new(&configuration(
        &provider_block(simulator, ""),
        &[("all", &arguments("auto", ""))],
    ));
    try_apply(&workdir)
}

async fn simulator_with_pages(backups: usize, pages: Vec<PageBody>) -> Simulator {
    start(scenario(
        dataset(Engine::MySql, backups, 0),
        Faults {
            page_bodies: pages,
            ..Faults::default()
        },
    ))
    .await
}

/// The text of the one error of a failed apply, folded to single spaces.
#[track_caller]
fn failure(apply: &RunOutput) -> String {
    apply.assert_failure();
    let message = flattened(apply);
    assert_eq!(message.matches("Error:").count(), 1, "{message}");
    assert!(!message.contains("OUT_OF_RANGE"), "{message}");
    message
}

#[tokio::test(flavor = "multi_thread")]
async fn a_200_answer_that_is_not_a_page_fails_naming_offset_status_and_body() {
    for body in NOT_PAGES {
        let simulator =
            simulator_with_pages(BACKUPS, vec![PageBody::new(PageOffsets::At(100), body)]).await;
        let message = failure(&apply_reading_all(&simulator));
        assert!(
            message.contains("Error: Huawei Cloud API error: could not decode page at offset 100"),
            "{body}: {message}"
        );
        assert!(message.contains("(HTTP 200)"), "{body}: {message}");
        assert!(
            message.contains(&format!("the body starts with: {body}")),
            "{body}: {message}"
        );
        assert!(
            page_outcomes(&simulator)
                .iter()
                .any(|outcome| *outcome == (100, 200, Some("page-body".to_owned()))),
            "{body}: {:?}",
            page_outcomes(&simulator)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn more_backups_than_one_read_may_list_fail_with_the_reported_count() {
    let simulator = simulator_with_pages(MAX_BACKUPS + 1, Vec::new()).await;
    let message = failure(&apply_reading_all(&simulator));
    assert!(
        message.contains("Error: Too many backups to list in one read"),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "The API reports {} matching backups",
            MAX_BACKUPS + 1
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!("at most {MAX_BACKUPS} backups")),
        "{message}"
    );
    assert!(
        message.contains("Narrow the query with begin_time and end_time"),
        "{message}"
    );
    // The count on the first page is enough to know: no further page is read.
    assert_eq!(page_outcomes(&simulator).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn full_pages_that_never_end_fail_at_the_page_limit() {
    // Every page is the same full page claiming 150 backups: the read may not end with a part.
    let backups: Vec<_> = (0..100)
        .map(|i| json!({"id": format!("b{i:03}"), "status": "COMPLETED"}))
        .collect();
    let body = json!({"backups": backups, "total_count": 150}).to_string();
    let simulator = simulator_with_pages(0, vec![PageBody::new(PageOffsets::Every, body)]).await;
    let message = failure(&apply_reading_all(&simulator));
    assert!(
        message.contains("Error: Too many backups to list in one read"),
        "{message}"
    );
    assert!(
        message.contains("The API reports 150 matching backups but kept returning full pages"),
        "{message}"
    );
    assert!(
        message.contains("Narrow the query with begin_time and end_time"),
        "{message}"
    );
    assert_eq!(page_outcomes(&simulator).len(), 1000);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_beyond_the_message_limit_fails_with_advice_not_a_transport_error() {
    // Pages of 100 backups without ids (so none is a duplicate of another), each with 200
    // databases of 140-character names: about 2.9 MB per page, and past the 256 MiB message
    // limit after about 90 of the 200 pages the reported 20,000 backups need.
    let databases: Vec<_> = (0..200)
        .map(|i| json!({"name": format!("{i:03}-{}", "d".repeat(136))}))
        .collect();
    let backup = json!({"status": "COMPLETED", "type": "auto", "databases": databases});
    let body = json!({"backups": vec![backup; 100], "total_count": 20_000}).to_string();
    let simulator = simulator_with_pages(0, vec![PageBody::new(PageOffsets::Every, body)]).await;
    let message = failure(&apply_reading_all(&simulator));
    assert!(
        message.contains("Error: Too many backups for one state"),
        "{message}"
    );
    assert!(
        message.contains("more than fits in one message of Terraform's plugin protocol (256 MiB)"),
        "{message}"
    );
    assert!(
        message.contains("Narrow the query with begin_time and end_time"),
        "{message}"
    );
    // The read stopped once over the limit: it did not read every page.
    assert!(
        page_outcomes(&simulator).len() < 150,
        "{}",
        page_outcomes(&simulator).len()
    );
}
