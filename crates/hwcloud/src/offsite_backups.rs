//! `ListOffSiteBackups`: models and the paged, concurrent list call.
//!
//! `GET /v3/{project_id}/offsite-backups?instance_id=..&backup_type=..[&backup_id=..]
//! [&begin_time=..&end_time=..]&offset=..&limit=100`

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::client::Client;
use crate::deadline::Deadline;
use crate::errors::Error;
use crate::paged_read::{DecodedPage, ListCall, Listing, list_paged};
use crate::paging::PAGE_SIZE;
use crate::strict_json::{ObjectOnly, object_or_null, objects_or_null, present_u64};
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

/// What a streamed backup list saw; the backups themselves went to the caller one by one.
pub type OffsiteBackupListing = Listing;

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
    /// [`crate::WarningKind`] and a specific detail.
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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "objects_or_null"
    )]
    pub databases: Option<Vec<BackupDatabase>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "object_or_null"
    )]
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

/// Body of one page, as the API documents it: an object with a `backups` array (each backup
/// an object) and, optionally, a non-negative integer `total_count`. Anything else (`{}`, an
/// array, an error object, `"total_count": null`) is not a page and fails to decode, so that a
/// wrong answer is never read as "no backups".
#[derive(Deserialize)]
struct PageFields {
    backups: Vec<ObjectOnly<OffsiteBackup>>,
    #[serde(default, deserialize_with = "present_u64")]
    total_count: Option<u64>,
}

struct Page {
    backups: Vec<OffsiteBackup>,
    total_count: Option<u64>,
}

fn decode_page(body: &[u8]) -> Result<Page, serde_json::Error> {
    let ObjectOnly(fields) = serde_json::from_slice::<ObjectOnly<PageFields>>(body)?;
    Ok(Page {
        backups: fields.backups.into_iter().map(|b| b.0).collect(),
        total_count: fields.total_count,
    })
}

/// Lists all backups matching `query` into one list (see [`list_each`]).
pub(crate) async fn list(
    client: &Client,
    region: &str,
    query: &OffsiteBackupQuery,
    deadline: Option<Deadline>,
    cancel: &CancellationToken,
) -> Result<OffsiteBackupList, Error> {
    let mut backups = Vec::new();
    let listing = list_each(client, region, query, deadline, cancel, |backup| {
        backups.push(backup);
        ControlFlow::Continue(())
    })
    .await?;
    Ok(OffsiteBackupList {
        project_id: listing.project_id,
        total_count: listing.total_count,
        backups,
        warnings: listing.warnings,
        requests: listing.requests,
    })
}

/// Lists all backups matching `query`, reading pages concurrently and handing each backup to
/// `each` in offset order, each id once (see [`crate::paging`] for the rules). Only the pages
/// in flight are held here, so memory does not grow with the list. `each` may break the read
/// off; the listing then says it is not complete.
pub(crate) async fn list_each<F>(
    client: &Client,
    region: &str,
    query: &OffsiteBackupQuery,
    deadline: Option<Deadline>,
    cancel: &CancellationToken,
    each: F,
) -> Result<OffsiteBackupListing, Error>
where
    F: FnMut(OffsiteBackup) -> ControlFlow<()>,
{
    query.validate()?;
    let list = ListCall {
        items: "backups",
        path: &|project_id| vec!["v3".into(), project_id.into(), "offsite-backups".into()],
        query: &|offset| query.pairs(offset),
    };
    let decode = |body: &[u8]| {
        decode_page(body).map(|page| DecodedPage {
            items: page.backups,
            total_count: page.total_count,
        })
    };
    list_paged(
        client,
        region,
        &list,
        deadline,
        cancel,
        decode,
        |backup: &OffsiteBackup| backup.id.as_deref(),
        each,
    )
    .await
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
        let backups = page.backups;
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
        let backup = &page.backups[0];
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
    fn bodies_that_are_not_a_page_are_errors() {
        let not_pages: [&[u8]; 14] = [
            b"{}",
            b"[]",
            b"[null,null]",
            br#"[[{"id":"x"}],1]"#,
            br#"{"error_code":"DBS.280001","error_msg":"internal"}"#,
            br#"{"total_count":3}"#,
            br#"{"backups":null,"total_count":0}"#,
            br#"{"backups":{},"total_count":0}"#,
            br#"{"backups":[["x","name"]],"total_count":1}"#,
            br#"{"backups":[null],"total_count":1}"#,
            br#"{"backups":[],"total_count":null}"#,
            br#"{"backups":[],"total_count":1.5}"#,
            br#"{"backups":[],"total_count":"3"}"#,
            br#"{"backups":[{"datastore":["MySQL","5.6"]}],"total_count":1}"#,
        ];
        for body in not_pages {
            let shown = String::from_utf8_lossy(body);
            assert!(decode_page(body).is_err(), "{shown} was read as a page");
        }
        let nested = br#"{"backups":[{"databases":[["db1"]]}],"total_count":1}"#;
        assert!(decode_page(nested).is_err());
    }

    #[test]
    fn empty_pages_and_missing_total_are_pages() {
        let page = decode_page(br#"{"backups":[],"total_count":0}"#).expect("a page");
        assert!(page.backups.is_empty());
        assert_eq!(page.total_count, Some(0));
        let page = decode_page(br#"{"backups":[{"id":"x","databases":null}]}"#).expect("a page");
        assert_eq!(page.backups.len(), 1);
        assert_eq!(page.total_count, None);
    }

    #[test]
    fn truncated_page_is_an_error() {
        assert!(decode_page(br#"{"backups":[{"id":"x"#).is_err());
        assert!(decode_page(br#"{"total_count":-1}"#).is_err());
    }
}
