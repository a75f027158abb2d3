//! `auth_url`, the official provider's spelling of the IAM endpoint
//! (`https://iam.{region}.{cloud}/v3`): the same base as `endpoints.iam`, which has no `/v3`.

/// The IAM base URL that `auth_url` names: the URL without a final `/v3` (and slashes), checked
/// by the client's endpoint rule. The reason never quotes the value.
pub fn iam_base(auth_url: &str) -> Result<String, String> {
    let trimmed = auth_url.trim_end_matches('/');
    let base = trimmed.strip_suffix("/v3").unwrap_or(trimmed);
    hwcloud::validate_endpoint_url(base)?;
    Ok(base.to_owned())
}

/// Whether two IAM bases are the same, ignoring a final slash.
pub fn same_base(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v3_suffix_is_dropped() {
        for url in [
            "https://iam.cn-north-4.myhuaweicloud.com/v3",
            "https://iam.cn-north-4.myhuaweicloud.com/v3/",
            "https://iam.cn-north-4.myhuaweicloud.com",
        ] {
            assert_eq!(
                iam_base(url).as_deref(),
                Ok("https://iam.cn-north-4.myhuaweicloud.com"),
                "{url}"
            );
        }
        assert_eq!(
            iam_base("http://127.0.0.1:8787/v3").as_deref(),
            Ok("http://127.0.0.1:8787")
        );
    }

    #[test]
    fn bad_urls_follow_the_endpoint_rule() {
        assert!(iam_base("iam.cn-north-4.myhuaweicloud.com/v3").is_err());
        assert!(
            iam_base("http://iam.example.com/v3").is_err(),
            "http only on loopback"
        );
    }

    #[test]
    fn bases_compare_without_a_final_slash() {
        assert!(same_base("https://a.example.com/", "https://a.example.com"));
        assert!(!same_base("https://a.example.com", "https://b.example.com"));
    }
}
