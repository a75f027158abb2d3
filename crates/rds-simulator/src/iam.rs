//! `GET /v3/projects?name={region}`: the IAM lookup of a region's project id.

use serde_json::{Value, json};

use crate::scenario::Scenario;

/// The simulated account's domain id (IAM sends it with every project).
pub const DOMAIN_ID: &str = "9b0e4e1a0f6c4d2c8f7a5e3b1d9c7a52";

/// The JSON body of a project listing; an unknown region gives an empty list.
/// Every known region maps to its own project ([`Scenario::project_id_for`]).
pub(crate) fn projects_body(scenario: &Scenario, name: Option<&str>) -> Value {
    let projects: Vec<Value> = scenario
        .known_regions()
        .filter(|region| name.is_none_or(|wanted| wanted == *region))
        .filter_map(|region| Some((region, scenario.project_id_for(region)?)))
        .map(|(region, id)| {
            json!({
                "id": id,
                "name": region,
                "domain_id": DOMAIN_ID,
                "description": "",
                "enabled": true,
                "is_domain": false,
                "parent_id": DOMAIN_ID,
                "links": {
                    "self": format!("https://iam.myhuaweicloud.com/v3/projects/{id}")
                }
            })
        })
        .collect();
    let query = name.map(|n| format!("?name={n}")).unwrap_or_default();
    json!({
        "projects": projects,
        "links": {
            "self": format!("https://iam.myhuaweicloud.com/v3/projects{query}"),
            "previous": null,
            "next": null
        }
    })
}
