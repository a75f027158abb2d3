//! `ShowOffSiteBackupPolicy`: the cross-region backup policy of one instance, read in the
//! instance's own (source) region.
//!
//! `GET /v3/{project_id}/instances/{instance_id}/backups/offsite-policy`

use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::client::Client;
use crate::deadline::Deadline;
use crate::endpoints::Service;
use crate::errors::{DecodeError, Error};
use crate::http::ApiRequest;
use crate::strict_json::ObjectOnly;
use crate::validate::validate_resource_id;

/// What the call is named in decode errors.
const WHAT: &str = "the offsite backup policy (ShowOffSiteBackupPolicy)";

/// One entry of `policy_para`. Every field is optional: the API may omit any of them and this
/// client never invents values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsiteBackupPolicy {
    /// `auto` (automated full backups), `incremental` (automated incremental backups) or
    /// `manual` (manual backups, RDS for SQL Server only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_type: Option<String>,
    /// Days the backup files are kept in the destination region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_days: Option<u64>,
    /// The region the backups are copied to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_region: Option<String>,
    /// The project of the destination region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_project_id: Option<String>,
}

/// Result of a policy call.
#[derive(Clone, Debug, PartialEq)]
pub struct OffsiteBackupPolicies {
    /// The project of the region the policy was read in.
    pub project_id: String,
    /// The entries of `policy_para`, in API order (empty when the instance has no policy).
    pub policies: Vec<OffsiteBackupPolicy>,
    /// HTTP requests made, retries and any IAM project lookup included.
    pub requests: u32,
}

/// The body as the API documents it: an object with a `policy_para` array of objects.
/// Anything else (`{}`, an array, an error object, `"policy_para": null`) is an error, so that
/// a wrong answer is never read as "no policy".
#[derive(Deserialize)]
struct Answer {
    policy_para: Vec<ObjectOnly<OffsiteBackupPolicy>>,
}

fn decode(body: &[u8]) -> Result<Vec<OffsiteBackupPolicy>, serde_json::Error> {
    let ObjectOnly(answer) = serde_json::from_slice::<ObjectOnly<Answer>>(body)?;
    Ok(answer.policy_para.into_iter().map(|p| p.0).collect())
}

/// Reads the offsite backup policy of `instance_id` in `region` (its source region).
pub(crate) async fn show(
    client: &Client,
    region: &str,
    instance_id: &str,
    deadline: Option<Deadline>,
    cancel: &CancellationToken,
) -> Result<OffsiteBackupPolicies, Error> {
    validate_resource_id(instance_id)
        .map_err(|reason| Error::InvalidArgument(format!("instance_id: {reason}")))?;
    let attempts = AtomicU32::new(0);
    let project_id = client
        .project_id_counting(region, &attempts, deadline, cancel)
        .await?;
    let (base, endpoint) = client.base_url(Service::Rds, region)?;
    let segments = [
        "v3",
        project_id.as_str(),
        "instances",
        instance_id,
        "backups",
        "offsite-policy",
    ];
    let request = ApiRequest {
        service: Service::Rds,
        method: http::Method::GET,
        region,
        body: b"",
        base: &base,
        endpoint: &endpoint,
        segments: &segments,
        query: &[],
        project_id: Some(project_id.as_str()),
        offset: None,
        deadline,
    };
    let response = client.http().send(&request, &attempts, cancel).await?;
    let policies = decode(&response.body).map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            what: WHAT.to_owned(),
            // serde's messages quote the values they could not use: server text.
            reason: format!(
                "{}; the body starts with: {}",
                response.redactor.clean(&e.to_string()),
                response.body_excerpt()
            ),
            status: response.status,
            request_id: response.request_id.clone(),
            request: response.request.clone(),
        }))
    })?;
    let requests = attempts.load(Ordering::Relaxed);
    debug!(
        region,
        requests,
        policies = policies.len(),
        "read offsite backup policy"
    );
    Ok(OffsiteBackupPolicies {
        project_id,
        policies,
        requests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_documented_example() {
        let body = br#"{"policy_para":[
            {"backup_type":"auto","keep_days":7,"destination_region":"cn-north-4",
             "destination_project_id":"0483b6b16e954cb88930a360d2c4e663"},
            {"backup_type":"incremental","keep_days":7,"destination_region":"cn-north-4",
             "destination_project_id":"0483b6b16e954cb88930a360d2c4e663"}]}"#;
        let policies = decode(body).expect("decodes");
        assert_eq!(policies.len(), 2);
        assert_eq!(
            policies[1],
            OffsiteBackupPolicy {
                backup_type: Some("incremental".into()),
                keep_days: Some(7),
                destination_region: Some("cn-north-4".into()),
                destination_project_id: Some("0483b6b16e954cb88930a360d2c4e663".into()),
            }
        );
    }

    #[test]
    fn missing_fields_stay_missing_and_empty_lists_are_answers() {
        let policies = decode(br#"{"policy_para":[{"backup_type":"auto","keep_days":0,"x":1}]}"#)
            .expect("decodes");
        assert_eq!(
            policies,
            [OffsiteBackupPolicy {
                backup_type: Some("auto".into()),
                keep_days: Some(0),
                ..OffsiteBackupPolicy::default()
            }]
        );
        assert_eq!(decode(br#"{"policy_para":[]}"#).expect("decodes"), []);
    }

    #[test]
    fn bodies_that_are_not_a_policy_answer_are_errors() {
        let not_answers: [&[u8]; 11] = [
            b"{}",
            b"[]",
            b"null",
            br#"[[{"backup_type":"auto"}]]"#,
            br#"{"error_code":"DBS.200002","error_msg":"The DB instance does not exist."}"#,
            br#"{"policy_para":null}"#,
            br#"{"policy_para":{}}"#,
            br#"{"policy_para":[null]}"#,
            br#"{"policy_para":[["auto",7]]}"#,
            br#"{"policy_para":[{"keep_days":"7"}]}"#,
            br#"{"policy_para":[{"backup_type":1}]}"#,
        ];
        for body in not_answers {
            let shown = String::from_utf8_lossy(body);
            assert!(decode(body).is_err(), "{shown} was read as a policy");
        }
        assert!(decode(br#"{"policy_para":[{"keep_days":1.5}]}"#).is_err());
        // keep_days is a number of days: never negative.
        assert!(decode(br#"{"policy_para":[{"keep_days":-1}]}"#).is_err());
        assert!(decode(br#"{"policy_para":[{"backup_type":"au"#).is_err());
    }
}
