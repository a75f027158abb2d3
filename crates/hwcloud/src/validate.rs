//! Validation rules of the client's inputs, public so that a caller (the Terraform provider) can
//! report a problem at the offending attribute before any request: the one source of the rules.
//!
//! Messages quote the rejected value, except the user information (`user:password@`) of a URL,
//! which is replaced by `***` before quoting.

use crate::endpoints::BaseUrl;

/// Longest project id accepted (real ones are 32 hex digits).
const MAX_PROJECT_ID_LEN: usize = 64;
/// Longest region name accepted (it becomes a DNS label).
const MAX_REGION_LEN: usize = 63;
/// Longest rejected value quoted in a message.
const MAX_QUOTED_CHARS: usize = 80;

/// A region name such as `cn-north-4`: it ends up in host names and IAM queries, so only ASCII
/// letters, digits and `-` are accepted, at most 63 characters.
pub fn validate_region(region: &str) -> Result<(), String> {
    let valid = !region.is_empty()
        && region.len() <= MAX_REGION_LEN
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid region {}: expected a name such as \"cn-north-4\" (letters, digits and \
             '-', at most {MAX_REGION_LEN} characters)",
            quote(region)
        ))
    }
}

/// An endpoint override: `http(s)://host[:port][/prefix]`, without query, fragment or user
/// information; surrounding blanks and trailing slashes are tolerated (they are removed).
pub fn validate_endpoint_url(url: &str) -> Result<(), String> {
    BaseUrl::parse(normalize_endpoint(url))
        .map(drop)
        .map_err(|reason| {
            format!(
                "invalid endpoint URL {}: {reason}",
                quote(&redact_userinfo(url))
            )
        })
}

/// A project id: 1 to 64 ASCII letters, digits, `-` or `_` (in practice 32 hex digits). It
/// becomes a URL path segment, where anything else (`..`, `/`) would change the request.
pub fn validate_project_id(id: &str) -> Result<(), String> {
    let valid = !id.is_empty()
        && id.len() <= MAX_PROJECT_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid project id {}: expected 1 to {MAX_PROJECT_ID_LEN} letters, digits, '-' or \
             '_', such as \"0483b6b16e954cb88930a360d2c4e663\"",
            quote(id)
        ))
    }
}

/// The form of an endpoint override that is used: trimmed, without trailing slashes.
pub(crate) fn normalize_endpoint(url: &str) -> &str {
    url.trim().trim_end_matches('/')
}

/// `value` with everything between the scheme (or the start) and the last `@` replaced by
/// `***`, so that a password written into a URL never reaches a message. Over-redacts a URL
/// whose path contains `@`, which is harmless.
pub(crate) fn redact_userinfo(value: &str) -> String {
    let Some(at) = value.rfind('@') else {
        return value.to_owned();
    };
    let start = match value.find("://") {
        Some(i) if i + 3 <= at => i + 3,
        _ => 0,
    };
    format!("{}***{}", &value[..start], &value[at..])
}

/// `value` as a quoted string for a message, shortened when long.
fn quote(value: &str) -> String {
    if value.chars().count() <= MAX_QUOTED_CHARS {
        format!("{value:?}")
    } else {
        let short: String = value.chars().take(MAX_QUOTED_CHARS).collect();
        format!("{short:?}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        assert!(validate_region("cn-north-4").is_ok());
        assert!(validate_region("eu-west-101").is_ok());
        for bad in [
            "",
            "cn-north-4.evil.com",
            "cn north",
            "cn/north",
            &"a".repeat(64),
        ] {
            let err = validate_region(bad).expect_err(bad);
            assert!(err.contains("invalid region"), "{err}");
        }
    }

    #[test]
    fn endpoint_urls() {
        for good in [
            "https://rds.example.com",
            "https://rds.example.com/",
            " http://127.0.0.1:8080/prefix/ ",
        ] {
            assert!(validate_endpoint_url(good).is_ok(), "{good}");
        }
        for (bad, reason) in [
            ("ftp://rds.example.com", "scheme"),
            ("rds.example.com", "not a valid URL"),
            ("https://rds.example.com/?a=b", "query"),
            ("https://rds.example.com/#x", "fragment"),
            ("https://u:p@rds.example.com", "user information"),
            ("https://u@rds.example.com", "user information"),
        ] {
            let err = validate_endpoint_url(bad).expect_err(bad);
            assert!(err.contains(reason), "{bad}: {err}");
        }
    }

    #[test]
    fn endpoint_messages_never_echo_userinfo() {
        for bad in [
            "https://admin:hunter2@rds.example.com",
            "https://admin:hunter2@rds.example.com/p?q=1",
            "http:/admin:hunter2@rds.example.com",
            "admin:hunter2@rds.example.com",
            "ftp://admin:hunter2@rds.example.com",
            "https://admin:hun@ter2@rds.example.com",
            "https://admin:hunter2@",
            "admin:hunter2@rds.example.com://x",
        ] {
            let err = validate_endpoint_url(bad).expect_err(bad);
            assert!(!err.contains("hunter2"), "{bad}: {err}");
            assert!(!err.contains("admin"), "{bad}: {err}");
            assert!(!err.contains("ter2"), "{bad}: {err}");
        }
        let err = validate_endpoint_url("https://admin:hunter2@rds.example.com").expect_err("bad");
        assert!(err.contains("\"https://***@rds.example.com\""), "{err}");
        assert_eq!(
            redact_userinfo("https://rds.example.com"),
            "https://rds.example.com"
        );
    }

    #[test]
    fn project_ids() {
        assert!(validate_project_id("0483b6b16e954cb88930a360d2c4e663").is_ok());
        assert!(validate_project_id("a_b-C").is_ok());
        assert!(validate_project_id(&"a".repeat(64)).is_ok());
        for bad in ["", "..", "a/b", "a b", "a.b", "p%2F", "é", &"a".repeat(65)] {
            let err = validate_project_id(bad).expect_err(bad);
            assert!(err.contains("invalid project id"), "{err}");
        }
    }
}
