//! Validation rules of the client's inputs, public so that a caller (the Terraform provider) can
//! report a problem at the offending attribute before any request: the one source of the rules.
//!
//! Messages never quote a region, project id, cloud domain, credential or ID: any of them may be
//! a secret pasted into the wrong place, so they say what is wrong (e.g. "contains a space at
//! the end") and what is accepted instead. Endpoint URLs are quoted, with their user information
//! (`user:password@`) replaced by `***`.

use crate::endpoints::BaseUrl;

/// Longest project id accepted (real ones are 32 hex digits).
const MAX_PROJECT_ID_LEN: usize = 64;
/// Longest region name accepted (it becomes a DNS label).
const MAX_REGION_LEN: usize = 63;
/// Longest cloud domain accepted: a DNS name has at most 253 characters, and `rds.{region}.`
/// is put in front of the cloud domain.
const MAX_CLOUD_LEN: usize = 253;
/// Longest label (the part between dots) of a DNS name.
const MAX_DNS_LABEL_LEN: usize = 63;
/// Longest instance or backup ID accepted. RDS IDs are 36 characters: 32 hex digits and a
/// 4-character suffix naming the kind of resource (`in01` for an instance, `br01` for a
/// backup). 64 leaves room for other suffixes without letting an argument grow until the
/// request URL is too long for any server (a 70,000-character ID is a mistake, not an ID).
pub const MAX_RESOURCE_ID_LEN: usize = 64;
/// Longest rejected value quoted in a message.
const MAX_QUOTED_CHARS: usize = 80;

/// A region name such as `cn-north-4`: it ends up in host names and IAM queries, so only ASCII
/// lowercase letters, digits and `-` are accepted, at most 63 characters. Lowercase, as every
/// Huawei Cloud region is named: a mixed-case access or secret key pasted into the wrong
/// setting is then refused here instead of being sent out as a host name.
pub fn validate_region(region: &str) -> Result<(), String> {
    let problem = length_problem(region, MAX_REGION_LEN).or_else(|| {
        first_rejected(region, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
        })
        .map(|found| format!("it contains {found}"))
    });
    match problem {
        None => Ok(()),
        Some(problem) => Err(format!(
            "invalid region ({problem}): expected a name such as \"cn-north-4\" (lowercase \
             letters, digits and '-', at most {MAX_REGION_LEN} characters)"
        )),
    }
}

/// An endpoint override: `http(s)://host[:port][/prefix]`, without query, fragment or user
/// information, and `http` only for a loopback host; surrounding blanks and trailing slashes
/// are tolerated (they are removed).
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
    let problem = length_problem(id, MAX_PROJECT_ID_LEN).or_else(|| {
        first_rejected(id, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            .map(|found| format!("it contains {found}"))
    });
    match problem {
        None => Ok(()),
        Some(problem) => Err(format!(
            "invalid project id ({problem}): expected 1 to {MAX_PROJECT_ID_LEN} letters, \
             digits, '-' or '_', such as \"0483b6b16e954cb88930a360d2c4e663\""
        )),
    }
}

/// The cloud domain that default endpoints are built from (`https://rds.{region}.{cloud}`): a
/// DNS suffix such as `myhuaweicloud.com`, i.e. labels of ASCII letters, digits and `-` (not at
/// a label's start or end) joined by single dots. Anything else, a scheme, path, port or
/// `user@`, would move requests, and the credentials they carry, to another host.
pub fn validate_cloud(cloud: &str) -> Result<(), String> {
    let problem = length_problem(cloud, MAX_CLOUD_LEN)
        .or_else(|| {
            first_rejected(cloud, |c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                .map(|found| format!("it contains {found}"))
        })
        .or_else(|| {
            cloud.split('.').find_map(|label| {
                if label.is_empty() {
                    Some("it has an empty label: a dot at the start or end, or two in a row".into())
                } else if label.len() > MAX_DNS_LABEL_LEN {
                    Some(format!(
                        "it has a label longer than {MAX_DNS_LABEL_LEN} characters"
                    ))
                } else if label.starts_with('-') || label.ends_with('-') {
                    Some("a label starts or ends with '-'".into())
                } else {
                    None
                }
            })
        });
    match problem {
        None => Ok(()),
        Some(problem) => Err(format!(
            "invalid cloud domain ({problem}): expected a DNS suffix such as \
             \"myhuaweicloud.com\", i.e. labels of letters, digits and '-' joined by dots, \
             without a scheme, slash, port or user information"
        )),
    }
}

/// An access key, secret key or security token: printable ASCII without whitespace, as every
/// credential Huawei Cloud issues is. They are sent in headers and signed byte for byte, so a
/// stray space or line break from copying would otherwise surface only as a signature failure
/// (and repeated failures lock the access key for minutes).
pub fn validate_credential(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".into());
    }
    match first_rejected(value, |c| c.is_ascii_graphic()) {
        None => Ok(()),
        Some(found) => Err(format!(
            "it contains {found}; credentials are printable ASCII characters without \
             whitespace or control characters (check for a stray space or line break from \
             copying)"
        )),
    }
}

/// An instance or backup ID, sent as a query parameter: 1 to [`MAX_RESOURCE_ID_LEN`]
/// characters without whitespace or control characters.
pub fn validate_resource_id(id: &str) -> Result<(), String> {
    let problem = length_problem(id, MAX_RESOURCE_ID_LEN).or_else(|| {
        first_rejected(id, |c| !c.is_whitespace() && !c.is_control())
            .map(|found| format!("it contains {found}"))
    });
    match problem {
        None => Ok(()),
        Some(problem) => Err(format!(
            "{problem}; IDs have at most {MAX_RESOURCE_ID_LEN} characters and no whitespace \
             (RDS IDs have 36: 32 hex digits and a suffix such as \"in01\" or \"br01\")"
        )),
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

/// "it is empty" or "it has N characters" when `value` is not 1 to `max` characters long.
fn length_problem(value: &str, max: usize) -> Option<String> {
    let length = value.chars().count();
    if length == 0 {
        Some("it is empty".into())
    } else if length > max {
        Some(format!("it has {length} characters"))
    } else {
        None
    }
}

/// The first character of `value` that `allowed` rejects, described without quoting the
/// value: "a space at the end", "'/'", "a line break"...
fn first_rejected(value: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    let (index, found) = value.char_indices().find(|&(_, c)| !allowed(c))?;
    let place = if index == 0 {
        " at the start"
    } else if index + found.len_utf8() == value.len() {
        " at the end"
    } else {
        ""
    };
    Some(format!("{}{place}", describe_char(found)))
}

/// A character as a message names it: ASCII punctuation is shown (`'/'`, `':'`), everything
/// else by kind, so that no letter or digit of a value that may be a secret, and no control
/// character, reaches a message.
fn describe_char(c: char) -> String {
    match c {
        c if c.is_ascii_uppercase() => "an uppercase letter".into(),
        c if c.is_ascii_alphanumeric() => "a letter or digit".into(),
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        '\n' | '\r' => "a line break".into(),
        c if c.is_control() => "a control character".into(),
        c if c.is_whitespace() => "a whitespace character".into(),
        c if c.is_ascii_graphic() => format!("{c:?}"),
        _ => "a non-ASCII character".into(),
    }
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
            "CN-NORTH-4",
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
    fn plain_http_only_for_loopback_hosts() {
        for loopback in [
            "http://127.0.0.1:8080",
            "http://127.255.0.9",
            "http://[::1]:8080/prefix",
            "http://localhost:9000",
            "http://LOCALHOST",
        ] {
            assert!(validate_endpoint_url(loopback).is_ok(), "{loopback}");
        }
        for remote in [
            "http://rds.cn-north-4.myhuaweicloud.com",
            "http://10.0.0.1:8080",
            "http://128.0.0.1",
            "http://[::2]",
            "http://[::ffff:127.0.0.1]",
            "http://localhost.evil.example",
            "http://0.0.0.0:8080",
        ] {
            let err = validate_endpoint_url(remote).expect_err(remote);
            assert!(
                err.contains("http:// is accepted only for a loopback host")
                    && err.contains("signatures and security tokens need https"),
                "{remote}: {err}"
            );
        }
        assert!(validate_endpoint_url("https://10.0.0.1:8443").is_ok());
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

    /// A secret pasted into the region or project id must not come back in the message.
    #[test]
    fn region_and_project_messages_never_quote_the_value() {
        let pasted = "Xk9Qw2Lr7Zp4Vt8Nb3Mc6Hd1Jf5Gs0Ay2Ue7Io4 ";
        let err = validate_region(pasted).expect_err("region");
        assert!(!err.contains("Xk9Qw2"), "{err}");
        assert!(err.contains("an uppercase letter at the start"), "{err}");
        let err = validate_project_id(pasted).expect_err("project");
        assert!(!err.contains("Xk9Qw2"), "{err}");
        assert!(err.contains("a space at the end"), "{err}");
        let err = validate_region("QTWAOYTTINDUT2QVKYUC").expect_err("access key");
        assert!(!err.contains('Q'), "{err}");
        let err = validate_region(&"a".repeat(70)).expect_err("long");
        assert!(err.contains("it has 70 characters"), "{err}");
        assert!(!err.contains("aaaa"), "{err}");
    }

    #[test]
    fn clouds_are_dns_suffixes() {
        for good in [
            "myhuaweicloud.com",
            "myhuaweicloud.eu",
            "example",
            "a-1.b2.example.org",
        ] {
            assert!(validate_cloud(good).is_ok(), "{good}");
        }
        for (bad, problem) in [
            ("", "it is empty"),
            ("evil.com/x", "it contains '/'"),
            ("https://evil.com", "it contains ':'"),
            ("evil.com:8443", "it contains ':'"),
            ("user@evil.com", "it contains '@'"),
            ("evil.com?x", "it contains '?'"),
            ("evil com", "it contains a space"),
            ("evil.com\n", "it contains a line break at the end"),
            ("evil..com", "empty label"),
            (".evil.com", "empty label"),
            ("evil.com.", "empty label"),
            ("-evil.com", "starts or ends with '-'"),
            ("evil-.com", "starts or ends with '-'"),
            (&format!("{}.com", "a".repeat(64)), "longer than 63"),
            (&"a.".repeat(127), "it has 254 characters"),
        ] {
            let err = validate_cloud(bad).expect_err(bad);
            assert!(
                err.contains(problem) && err.contains("expected a DNS suffix"),
                "{bad:?}: {err}"
            );
            if bad.len() > 1 {
                assert!(!err.contains(bad), "quotes the value: {err}");
            }
        }
    }

    #[test]
    fn credentials_are_printable_without_whitespace() {
        for good in ["AK", "QTWAOYTTINDUT2QVKYUC", "tok/en+with=base64_-."] {
            assert!(validate_credential(good).is_ok(), "{good}");
        }
        for (bad, problem) in [
            ("", "it is empty"),
            ("SECRET\n", "a line break at the end"),
            (" SECRET", "a space at the start"),
            ("SEC RET", "contains a space;"),
            ("SEC\tRET", "a tab"),
            ("SEC\u{1b}[2JRET", "a control character"),
            ("SEC\u{a0}RET", "a whitespace character"),
            ("SECRÉT", "a non-ASCII character"),
        ] {
            let err = validate_credential(bad).expect_err(bad);
            assert!(err.contains(problem), "{bad:?}: {err}");
            assert!(!err.contains("SEC"), "quotes the value: {err}");
        }
    }

    #[test]
    fn resource_ids_are_bounded() {
        assert!(validate_resource_id("0c2e0c9f5f8d4b3a9a3c6e1f2d4b5a60in01").is_ok());
        assert!(validate_resource_id(&"a".repeat(MAX_RESOURCE_ID_LEN)).is_ok());
        let err = validate_resource_id(&"a".repeat(70_000)).expect_err("long");
        assert!(err.starts_with("it has 70000 characters;"), "{err}");
        assert!(err.contains("at most 64 characters"), "{err}");
        assert!(err.len() < 300, "{err}");
        let err = validate_resource_id(&"a".repeat(MAX_RESOURCE_ID_LEN + 1)).expect_err("65");
        assert!(err.contains("65 characters"), "{err}");
        let err = validate_resource_id("in01\n").expect_err("newline");
        assert!(err.contains("a line break at the end"), "{err}");
        assert!(validate_resource_id("").is_err());
    }
}
