//! `ListOffSiteBackups`: models and the paged, concurrent list call.
//!
//! `GET /v3/{project_id}/offsite-backups?instance_id=..&backup_type=..[&backup_id=..]
//! [&begin_time=..&end_time=..]&offset=..&limit=100`

use std::sync::atomic::{AtomicU32, Ordering};

use futures::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::client::Client;
use crate::deadline::Deadline;
use crate::endpoints::Service;
use crate::errors::{DecodeError, Error};
use crate::http::ApiRequest;
use crate::paging::{PAGE_SIZE, Pager, Step};
use crate::warning::Warning;

/// Filters of one list call. Values are sent verbatim (times already in the API format, e.g.
/// `2018-08-06T10:41:14+0800`); empty optional values are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsiteBackupQuery {
    pub instance_id: String,
    /// `auto` or `incremental`.
    pub backup_type: String,
    pub backup_id: Option<String>,
    pub begin_time: Option<String>,
    pub end_time: Option<String>,
}

impl OffsiteBackupQuery {
    fn validate(&self) -> Result<(), Error> {
        if self.instance_id.trim().is_empty() {
            return Err(Error::InvalidArgument(
                "instance_id must not be empty".into(),
            ));
        }
        if self.backup_type.trim().is_empty() {
            return Err(Error::InvalidArgument(
                "backup_type must not be empty".into(),
            ));
        }
        Ok(())
    }

    /// Query parameters of the page at `offset`.
    fn pairs(&self, offset: u64) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("instance_id".to_owned(), self.instance_id.clone()),
            ("backup_type".to_owned(), self.backup_type.clone()),
        ];
        let optional = [
            ("backup_id", &self.backup_id),
            ("begin_time", &self.begin_time),
            ("end_time", &self.end_time),
        ];
        for (key, value) in optional {
            if let Some(value) = value.as_ref().filter(|value| !value.is_empty()) {
                pairs.push((key.to_owned(), value.clone()));
            }
        }
        pairs.push(("offset".to_owned(), offset.to_string()));
        pairs.push(("limit".to_owned(), PAGE_SIZE.to_string()));
        pairs
    }
}

/// Result of a list call.
#[derive(Clone, Debug, PartialEq)]
pub struct OffsiteBackupList {
    pub project_id: String,
    /// `total_count` reported by the first page; `None` when it had none (never replaced by a
    /// count of our own; a [`Warning`] then says it was missing).
    pub total_count: Option<u64>,
    /// Backups in API order, each id once.
    pub backups: Vec<OffsiteBackup>,
    /// Irregularities met while paging (total changed, duplicates dropped, ...), each with a
    /// summary naming its kind (the `Warning::*` constants) and a specific detail.
    pub warnings: Vec<Warning>,
    /// HTTP requests made, retries and any IAM project lookup included.
    pub requests: u32,
}

/// One cross-region backup. Every field is optional: the API may omit any of them and this
/// client never invents values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsiteBackup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `auto` or `incremental`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub backup_type: Option<String>,
    /// Size in KB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// `BUILDING`, `COMPLETED`, `FAILED` or `DELETING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_with_ddm: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub databases: Option<Vec<BackupDatabase>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datastore: Option<Datastore>,
}

/// A self-built database included in the backup (RDS for SQL Server only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupDatabase {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Database engine and version of the backed-up instance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datastore {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Body of one page.
#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    backups: Option<Vec<OffsiteBackup>>,
    #[serde(default)]
    total_count: Option<u64>,
}

fn decode_page(body: &[u8]) -> Result<Page, serde_json::Error> {
    serde_json::from_slice(body)
}

/// Lists all backups matching `query`, reading pages concurrently and assembling them in
/// offset order (see [`crate::paging`] for the rules).
pub(crate) async fn list(
    client: &Client,
    region: &str,
    query: &OffsiteBackupQuery,
    deadline: Option<Deadline>,
    cancel: &CancellationToken,
) -> Result<OffsiteBackupList, Error> {
    query.validate()?;
    let attempts = AtomicU32::new(0);
    let project_id = client
        .project_id_counting(region, &attempts, deadline, cancel)
        .await?;
    let (base, endpoint) = client.base_url(Service::Rds, region)?;
    let segments = ["v3", project_id.as_str(), "offsite-backups"];

    let (base, endpoint, segments, attempts) = (&base, endpoint.as_str(), &segments, &attempts);
    let project_id_ref = project_id.as_str();
    let fetch_page = |offset: u64| {
        let pairs = query.pairs(offset);
        async move {
            let request = ApiRequest {
                service: Service::Rds,
                base,
                endpoint,
                segments,
                query: &pairs,
                project_id: Some(project_id_ref),
                offset: Some(offset),
                deadline,
            };
            let response = client.http().get(&request, attempts, cancel).await?;
            let page = decode_page(&response.body).map_err(|e| {
                Error::Decode(Box::new(DecodeError {
                    what: format!("page at offset {offset}"),
                    reason: format!("{e}; the body starts with: {}", response.body_excerpt()),
                    status: response.status,
                    request_id: response.request_id.clone(),
                    request: response.request.clone(),
                }))
            })?;
            Ok::<_, Error>((offset, page))
        }
    };

    let mut pager = Pager::new();
    loop {
        let batch = pager.next_batch();
        if batch.is_empty() {
            break;
        }
        // `buffered` keeps at most N requests in flight and yields answers in offset order;
        // dropping the stream (Stop or error) abandons the requests still in flight.
        let mut pages = stream::iter(batch)
            .map(fetch_page)
            .buffered(client.max_concurrent_requests());
        while let Some((offset, page)) = pages.try_next().await? {
            let backups = page.backups.unwrap_or_default();
            let step = pager.accept(offset, page.total_count, backups, |backup| {
                backup.id.as_deref()
            });
            if step == Step::Stop {
                break;
            }
        }
    }
    let paged = pager.finish();
    let requests = attempts.load(Ordering::Relaxed);
    debug!(
        region,
        pages = paged.pages,
        requests,
        backups = paged.items.len(),
        warnings = paged.warnings.len(),
        "listed offsite backups"
    );
    Ok(OffsiteBackupList {
        project_id,
        total_count: paged.total_count,
        backups: paged.items,
        warnings: paged.warnings,
        requests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_include_only_given_filters() {
        let query = OffsiteBackupQuery {
            instance_id: "inst".into(),
            backup_type: "auto".into(),
            backup_id: Some(String::new()),
            begin_time: Some("2018-08-06T10:41:14+0800".into()),
            end_time: Some("2018-08-16T10:41:14+0800".into()),
        };
        let encoded = crate::signing::canonical_query(&query.pairs(200));
        assert_eq!(
            encoded,
            "backup_type=auto&begin_time=2018-08-06T10%3A41%3A14%2B0800\
             &end_time=2018-08-16T10%3A41%3A14%2B0800&instance_id=inst&limit=100&offset=200"
        );
    }

    #[test]
    fn empty_required_filters_are_rejected() {
        assert!(OffsiteBackupQuery::default().validate().is_err());
    }

    #[test]
    fn decodes_the_documented_example() {
        let body = br#"{
            "backups": [{
                "id": "43e4feaab48f11e89039fa163ebaa7e4br01",
                "name": "xxxx.xxx",
                "type": "auto",
                "size": 2803,
                "status": "COMPLETED",
                "begin_time": "2018-08-06T12:41:14+0800",
                "end_time": "2018-08-06T12:43:14+0800",
                "datastore": {"type": "MySQL", "version": "5.6"},
                "instance_id": "a48e43ff268f4c0e879652d65e63d0fbin01",
                "associated_with_ddm": false,
                "databases": [{"name": "db1"}]
            }],
            "total_count": 1
        }"#;
        let page = decode_page(body).expect("decodes");
        assert_eq!(page.total_count, Some(1));
        let backups = page.backups.expect("backups");
        let backup = &backups[0];
        assert_eq!(backup.backup_type.as_deref(), Some("auto"));
        assert_eq!(backup.size, Some(2803));
        assert_eq!(backup.associated_with_ddm, Some(false));
        assert_eq!(
            backup.datastore,
            Some(Datastore {
                engine: Some("MySQL".into()),
                version: Some("5.6".into())
            })
        );
        assert_eq!(
            backup.databases,
            Some(vec![BackupDatabase {
                name: Some("db1".into())
            }])
        );
    }

    #[test]
    fn missing_fields_stay_missing() {
        let page = decode_page(br#"{"backups":[{"id":"x","extra":1}]}"#).expect("decodes");
        assert_eq!(page.total_count, None);
        let backup = &page.backups.expect("backups")[0];
        assert_eq!(
            backup,
            &OffsiteBackup {
                id: Some("x".into()),
                ..OffsiteBackup::default()
            }
        );
        assert_eq!(
            serde_json::to_string(backup).expect("serializes"),
            r#"{"id":"x"}"#
        );
    }

    #[test]
    fn serializes_with_api_field_names() {
        let backup = OffsiteBackup {
            backup_type: Some("incremental".into()),
            datastore: Some(Datastore {
                engine: Some("sqlserver".into()),
                version: None,
            }),
            ..OffsiteBackup::default()
        };
        assert_eq!(
            serde_json::to_string(&backup).expect("serializes"),
            r#"{"type":"incremental","datastore":{"type":"sqlserver"}}"#
        );
    }

    #[test]
    fn truncated_page_is_an_error() {
        assert!(decode_page(br#"{"backups":[{"id":"x"#).is_err());
        assert!(decode_page(br#"{"total_count":-1}"#).is_err());
    }
}
