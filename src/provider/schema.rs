//! The provider block's schema. Descriptions are the single source of the settings'
//! documentation: `terraform providers schema -json` shows them and `docs/index.md` is generated
//! from them.

use tfplugin::{Attribute, Schema, Type};

/// Keys accepted in `endpoints`.
pub const ENDPOINT_KEYS: [&str; 2] = ["rds", "iam"];

pub fn provider_schema() -> Schema {
    Schema::new(
        "The `rds` provider reads Huawei Cloud RDS data. It signs every request with an access \
         key and secret key (AK/SK, SDK-HMAC-SHA256). The region, the \
         credentials and most other settings can also come from `HW_*` environment variables, so \
         a configuration can hold no secret at all.",
        vec![
            Attribute::string("region").optional().description(
                "The Huawei Cloud region, e.g. `cn-north-4`: the default region of every data \
                 source. Falls back to `HW_REGION_NAME`; one of the two is required.",
            ),
            Attribute::string("project_id").optional().description(
                "The project ID used in API paths. Falls back to `HW_PROJECT_ID`; when neither is \
                 set it is looked up once per region from IAM (`GET /v3/projects?name={region}`).",
            ),
            Attribute::string("access_key").optional().description(
                "The access key (AK). Falls back to `HW_ACCESS_KEY`. Required together with \
                 `secret_key`.",
            ),
            Attribute::string("secret_key").optional().sensitive().description(
                "The secret key (SK) that signs requests; never logged. Falls back to \
                 `HW_SECRET_KEY`. Required together with `access_key`.",
            ),
            Attribute::string("security_token").optional().sensitive().description(
                "The security token of temporary credentials, sent as `X-Security-Token`. Falls \
                 back to `HW_SECURITY_TOKEN`.",
            ),
            Attribute::string("cloud").optional().description(
                "The cloud domain that endpoints are built from (`https://rds.{region}.{cloud}`): \
                 a DNS suffix, i.e. labels of letters, digits and `-` joined by dots, without a \
                 scheme, slash or port. Falls back to `HW_CLOUD`; defaults to \
                 `myhuaweicloud.com` (`myhuaweicloud.eu` for regions starting with `eu-west-1`).",
            ),
            Attribute::map_of("endpoints", Type::String).optional().description(
                "Full base URLs that replace the default endpoints, keyed by service: `rds` and \
                 `iam`, e.g. `{ rds = \"https://rds.cn-north-4.myhuaweicloud.com\" }`. \
                 `http://` is accepted only for a loopback host (127.0.0.0/8, `::1` or \
                 `localhost`, e.g. a local simulator): request signatures and security tokens \
                 need https.",
            ),
            Attribute::bool("insecure").optional().description(
                "Skip verification of the API's TLS certificate. Falls back to `HW_INSECURE`; \
                 defaults to `false`. Only for test environments.",
            ),
            Attribute::number("max_retries").optional().description(format!(
                "How many times a request is retried after HTTP 429, 500, 502, 503, 504, a \
                 connection reset or a timeout, with capped exponential backoff that honours \
                 `Retry-After`. Falls back to `HW_MAX_RETRIES`; defaults to {}; from 0 to {} \
                 (more would only keep a failing run waiting).",
                hwcloud::DEFAULT_MAX_RETRIES,
                hwcloud::MAX_RETRIES_LIMIT
            )),
            Attribute::number("max_concurrent_requests").optional().description(format!(
                "How many page requests one read keeps in flight once the total is known. \
                 Defaults to {}; from {} to {}.",
                hwcloud::DEFAULT_MAX_CONCURRENT_REQUESTS,
                hwcloud::MAX_CONCURRENT_REQUESTS_RANGE.start(),
                hwcloud::MAX_CONCURRENT_REQUESTS_RANGE.end()
            )),
        ],
    )
}
