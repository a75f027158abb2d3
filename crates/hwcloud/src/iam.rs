//! Project id lookup through IAM: `GET {iam}/v3/projects?name={name}`, the name being the
//! region's own, or the project name configured for it (`ClientOptions::project_names`).
//!
//! RDS URLs need the project id of the region (a project belongs to one region); for a region
//! without a configured id (`ClientOptions::project_ids`), the official tooling asks IAM for the
//! project named after the region, as done here. The id IAM returns is validated like a
//! configured one before it is used in a path.

use std::sync::atomic::AtomicU32;

use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use crate::deadline::Deadline;
use crate::endpoints::{BaseUrl, Service};
use crate::errors::{DecodeError, Error};
use crate::http::{ApiRequest, SignedHttp};
use crate::validate::validate_project_id;

/// Path of the project list, below the IAM endpoint.
const PROJECTS_SEGMENTS: [&str; 2] = ["v3", "projects"];
/// The same path as shown in messages.
pub(crate) const PROJECTS_PATH: &str = "/v3/projects";

#[derive(Deserialize)]
struct ProjectList {
    #[serde(default)]
    projects: Option<Vec<Project>>,
}

#[derive(Deserialize)]
struct Project {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// The id of the first project named exactly `name` in an IAM project list body.
pub(crate) fn project_id_from_body(
    body: &[u8],
    name: &str,
) -> Result<Option<String>, serde_json::Error> {
    let list: ProjectList = serde_json::from_slice(body)?;
    Ok(list
        .projects
        .unwrap_or_default()
        .into_iter()
        .find(|project| project.name.as_deref() == Some(name))
        .and_then(|project| project.id)
        .filter(|id| !id.is_empty()))
}

/// Asks IAM for the project named `name` of `region` (signed without `X-Project-Id`).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn lookup_project_id(
    http: &SignedHttp,
    base: &BaseUrl,
    endpoint: &str,
    region: &str,
    name: &str,
    attempts: &AtomicU32,
    deadline: Option<Deadline>,
    cancel: &CancellationToken,
) -> Result<String, Error> {
    let query = [("name".to_owned(), name.to_owned())];
    let request = ApiRequest {
        service: Service::Iam,
        method: http::Method::GET,
        region,
        body: b"",
        base,
        endpoint,
        segments: &PROJECTS_SEGMENTS,
        query: &query,
        project_id: None,
        offset: None,
        deadline,
    };
    let response = http.send(&request, attempts, cancel).await?;
    match project_id_from_body(&response.body, name) {
        // The id becomes a path segment of every RDS request: a malformed one (`..`) would
        // make the path sent differ from the path signed.
        Ok(Some(id)) => match validate_project_id(&id) {
            Ok(()) => Ok(id),
            Err(reason) => Err(Error::Decode(Box::new(DecodeError {
                what: "the IAM project list".into(),
                // The reason quotes the id IAM sent.
                reason: response.redactor.clean(&format!(
                    "IAM returned an unusable project for region {region}: {reason}"
                )),
                status: response.status,
                request_id: response.request_id,
                request: response.request,
            }))),
        },
        Ok(None) if name == region => Err(Error::ProjectNotFound {
            region: region.to_owned(),
            endpoint: endpoint.to_owned(),
        }),
        Ok(None) => Err(Error::ProjectNameNotFound {
            region: region.to_owned(),
            name: name.to_owned(),
            endpoint: endpoint.to_owned(),
        }),
        Err(e) => Err(Error::Decode(Box::new(DecodeError {
            what: "the IAM project list".into(),
            // serde's messages quote the values they could not use.
            reason: response.redactor.clean(&e.to_string()),
            status: response.status,
            request_id: response.request_id,
            request: response.request,
        }))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_project_named_after_the_region() {
        let body = br#"{"projects":[
            {"id":"sub","name":"cn-north-4_sub"},
            {"id":"main","name":"cn-north-4","enabled":true}
        ],"links":{}}"#;
        assert_eq!(
            project_id_from_body(body, "cn-north-4").expect("decodes"),
            Some("main".into())
        );
    }

    #[test]
    fn no_matching_project() {
        assert_eq!(
            project_id_from_body(br#"{"projects":[]}"#, "cn-north-4").expect("decodes"),
            None
        );
        assert_eq!(
            project_id_from_body(b"{}", "cn-north-4").expect("decodes"),
            None
        );
    }

    #[test]
    fn malformed_body_is_an_error() {
        assert!(project_id_from_body(b"{\"projects\":[", "cn-north-4").is_err());
    }
}
