//! `ListOffSiteInstances`: the instances that have cross-region backups in a region, paged and
//! concurrent like the backup list.
//!
//! `GET /v3/backups/offsite-backup-instance?offset=..&limit=100`: no project id in the path;
//! the project of the region travels in the signed `X-Project-Id` header.

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::client::Client;
use crate::deadline::Deadline;
use crate::errors::Error;
use crate::offsite_backups::Datastore;
use crate::paged_read::{DecodedPage, ListCall, Listing, list_paged};
use crate::paging::PAGE_SIZE;
use crate::strict_json::{ObjectOnly, object_or_null, present_u64};

/// The path under the RDS endpoint.
const OFFSITE_INSTANCES_PATH: [&str; 3] = ["v3", "backups", "offsite-backup-instance"];

/// One instance with cross-region backups. Every field is optional: the API may omit any of
/// them and this client never invents values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsiteInstance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_project_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "object_or_null"
    )]
    pub datastore: Option<Datastore>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_project_id: Option<String>,
    /// Days the cross-region backups are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_days: Option<u64>,
}

/// What a streamed instance list saw; the instances themselves went to the caller one by one.
pub type OffsiteInstanceListing = Listing;

/// Body of one page, as the API documents it: an object with an `offsite_backup_instances`
/// array of objects and, optionally, a non-negative integer `total_count`. Anything else is
/// not a page and fails to decode, so that a wrong answer is never read as "no instances".
#[derive(Deserialize)]
struct PageFields {
    offsite_backup_instances: Vec<ObjectOnly<OffsiteInstance>>,
    #[serde(default, deserialize_with = "present_u64")]
    total_count: Option<u64>,
}

fn decode_page(body: &[u8]) -> Result<DecodedPage<OffsiteInstance>, serde_json::Error> {
    let ObjectOnly(fields) = serde_json::from_slice::<ObjectOnly<PageFields>>(body)?;
    Ok(DecodedPage {
        items: fields
            .offsite_backup_instances
            .into_iter()
            .map(|i| i.0)
            .collect(),
        total_count: fields.total_count,
    })
}

fn page_query(offset: u64) -> Vec<(String, String)> {
    vec![
        ("offset".to_owned(), offset.to_string()),
        ("limit".to_owned(), PAGE_SIZE.to_string()),
    ]
}

/// Lists every instance with cross-region backups in `region`, reading pages concurrently and
/// handing each instance to `each` in offset order, each id once (see [`crate::paging`]).
/// `each` may break the read off; the listing then says it is not complete.
pub(crate) async fn list_each<F>(
    client: &Client,
    region: &str,
    deadline: Option<Deadline>,
    cancel: &CancellationToken,
    each: F,
) -> Result<OffsiteInstanceListing, Error>
where
    F: FnMut(OffsiteInstance) -> ControlFlow<()>,
{
    let list = ListCall {
        items: "instances",
        path: &|_| OFFSITE_INSTANCES_PATH.map(String::from).to_vec(),
        query: &page_query,
    };
    list_paged(
        client,
        region,
        &list,
        deadline,
        cancel,
        decode_page,
        |instance: &OffsiteInstance| instance.id.as_deref(),
        each,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_documented_example() {
        let body = br#"{
            "offsite_backup_instances": [{
                "id": "a48e43ff268f4c0e879652d65e63d0fbin01",
                "name": "rds-mysql",
                "source_region": "cn-east-3",
                "source_project_id": "0503fc3b5c8b48b8b9b6b25c0c6a2d0f",
                "datastore": {"type": "MySQL", "version": "8.0"},
                "destination_region": "cn-north-4",
                "destination_project_id": "0483b6b16e954cb88930a360d2c4e663",
                "keep_days": 7
            }],
            "total_count": 1
        }"#;
        let page = decode_page(body).expect("decodes");
        assert_eq!(page.total_count, Some(1));
        let instance = &page.items[0];
        assert_eq!(instance.keep_days, Some(7));
        assert_eq!(instance.source_region.as_deref(), Some("cn-east-3"));
        assert_eq!(
            instance.datastore,
            Some(Datastore {
                engine: Some("MySQL".into()),
                version: Some("8.0".into())
            })
        );
    }

    #[test]
    fn missing_fields_stay_missing() {
        let page = decode_page(br#"{"offsite_backup_instances":[{"id":"x","extra":1}]}"#)
            .expect("decodes");
        assert_eq!(page.total_count, None);
        assert_eq!(
            page.items[0],
            OffsiteInstance {
                id: Some("x".into()),
                ..OffsiteInstance::default()
            }
        );
    }

    #[test]
    fn bodies_that_are_not_a_page_are_errors() {
        let not_pages: [&[u8]; 13] = [
            b"{}",
            b"[]",
            br#"{"backups":[],"total_count":0}"#,
            br#"{"total_count":3}"#,
            br#"{"offsite_backup_instances":null,"total_count":0}"#,
            br#"{"offsite_backup_instances":{},"total_count":0}"#,
            br#"{"offsite_backup_instances":[null],"total_count":1}"#,
            br#"{"offsite_backup_instances":[["x"]],"total_count":1}"#,
            br#"{"offsite_backup_instances":[],"total_count":null}"#,
            br#"{"offsite_backup_instances":[{"keep_days":1.5}],"total_count":1}"#,
            br#"{"offsite_backup_instances":[{"keep_days":"7"}],"total_count":1}"#,
            br#"{"offsite_backup_instances":[{"keep_days":-7}],"total_count":1}"#,
            br#"{"offsite_backup_instances":[{"datastore":["MySQL"]}],"total_count":1}"#,
        ];
        for body in not_pages {
            let shown = String::from_utf8_lossy(body);
            assert!(decode_page(body).is_err(), "{shown} was read as a page");
        }
    }

    #[test]
    fn the_query_is_only_offset_and_limit() {
        assert_eq!(
            crate::signing::canonical_query(&page_query(200)),
            "limit=100&offset=200"
        );
    }
}
