//! Text a server sent is untrusted: error codes, messages, request ids and raw bodies reach
//! diagnostics and logs only through [`Redactor::clean`].
//!
//! Two dangers, two steps, in this order:
//! 1. A proxy or server that echoes request headers in an error body would show the security
//!    token and the request's signature: every secret the client holds for the request is
//!    replaced by [`REDACTED`] wherever the text contains it (also JSON- and percent-escaped).
//! 2. Control characters (ESC, BEL, CR, LF, other C0 and C1, and the Unicode bidi overrides)
//!    would let a server paint a fake "Apply complete!" or a second "Error:" block into a
//!    terminal or CI log: each is shown as a visible escape (`\x1b`, `\u{202e}`), and the text
//!    is cut at [`MAX_UNTRUSTED_CHARS`] characters with the cut marked.
//!
//! Redaction runs before the cut, so a cut can never leave the first half of a secret behind.

use std::fmt::Write as _;

/// What a secret is replaced with.
pub const REDACTED: &str = "***";

/// Characters of server text kept in one message; the rest is cut and the cut marked.
pub const MAX_UNTRUSTED_CHARS: usize = 300;

/// Secrets shorter than this are not searched for: replacing every `a` of a message would
/// destroy it while protecting nothing (no real key, token or signature is that short).
const MIN_SECRET_LEN: usize = 4;

/// The secrets of one request, to be removed from anything the server answered to it.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// Each secret with its escaped forms, longest first (so a whole `Authorization` value is
    /// replaced before the signature inside it).
    needles: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} needles)", self.needles.len())
    }
}

impl Redactor {
    /// A redactor for `secrets` (the secret key, the security token, the request's signature
    /// and whole `Authorization` value, ...); empty and very short values are ignored.
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut needles: Vec<String> = Vec::new();
        for secret in secrets {
            if secret.len() < MIN_SECRET_LEN {
                continue;
            }
            for form in escaped_forms(secret) {
                if !needles.contains(&form) {
                    needles.push(form);
                }
            }
        }
        needles.sort_by_key(|needle| std::cmp::Reverse(needle.len()));
        Redactor { needles }
    }

    /// `text` with every secret replaced, control characters escaped, and cut at
    /// [`MAX_UNTRUSTED_CHARS`] characters (the cut marked with how much was left out).
    pub(crate) fn clean(&self, text: &str) -> String {
        // Only the start is ever shown: redact a prefix long enough that no secret reaching
        // into the shown part is missed, rather than the whole (possibly huge) body.
        let longest = self.needles.first().map_or(0, String::len);
        let (prefix, rest_chars) = split_chars(text, MAX_UNTRUSTED_CHARS + longest);
        let mut redacted = prefix.to_owned();
        for needle in &self.needles {
            if redacted.contains(needle.as_str()) {
                redacted = redacted.replace(needle.as_str(), REDACTED);
            }
        }
        let (shown, cut_chars) = split_chars(&redacted, MAX_UNTRUSTED_CHARS);
        let mut out = escape_controls(shown);
        let omitted = cut_chars + rest_chars;
        if omitted > 0 {
            let _ = write!(out, "… [cut: {omitted} more characters]");
        }
        out
    }
}

/// [`Redactor::clean`] for text that relates to no request's secrets (e.g. a header of a
/// response whose request carried none).
pub fn sanitize(text: &str) -> String {
    Redactor::default().clean(text)
}

/// The forms a secret may take when a server echoes it: as is, JSON-escaped (`/` as `\/`,
/// `"` as `\"`) and percent-encoded.
fn escaped_forms(secret: &str) -> Vec<String> {
    let json_escaped = serde_json::to_string(secret)
        .map(|quoted| quoted[1..quoted.len() - 1].to_owned())
        .unwrap_or_else(|_| secret.to_owned());
    let mut forms = vec![
        secret.to_owned(),
        json_escaped.clone(),
        json_escaped.replace('/', "\\/"),
        crate::signing::encode(secret),
    ];
    forms.dedup();
    forms
}

/// The first `n` characters of `text` and how many characters follow them.
fn split_chars(text: &str, n: usize) -> (&str, usize) {
    match text.char_indices().nth(n) {
        Some((end, _)) => (&text[..end], text[end..].chars().count()),
        None => (text, 0),
    }
}

/// True for characters that move the cursor, change colours, ring a bell or reorder text.
fn is_dangerous(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c, '\u{2028}' | '\u{2029}') // line and paragraph separators
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') // bidi controls
}

/// Each dangerous character as a visible escape, everything else unchanged.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !is_dangerous(c) {
            out.push(c);
        } else if (c as u32) <= 0xff {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        let text = "bad\x1b[2J\x07\r\nApply complete!\u{9b}31m\u{202e}x\ty";
        assert_eq!(
            sanitize(text),
            "bad\\x1b[2J\\x07\\x0d\\x0aApply complete!\\x9b31m\\u{202e}x\\x09y"
        );
    }

    #[test]
    fn long_text_is_cut_and_the_cut_marked() {
        let text = "é".repeat(MAX_UNTRUSTED_CHARS + 25);
        let cleaned = sanitize(&text);
        assert!(cleaned.starts_with(&"é".repeat(MAX_UNTRUSTED_CHARS)));
        assert!(
            cleaned.ends_with("… [cut: 25 more characters]"),
            "{cleaned}"
        );
        let short = "é".repeat(MAX_UNTRUSTED_CHARS);
        assert_eq!(sanitize(&short), short);
    }

    #[test]
    fn secrets_are_redacted_in_every_echoed_form() {
        let token = "tok/en+with=chars";
        let redactor = Redactor::new(["SECRETKEY123", token, "", "abc"]);
        let body = format!(
            r#"{{"echo":"X-Security-Token: {}","sk":"SECRETKEY123","q":"{}","short":"abc"}}"#,
            token.replace('/', "\\/"),
            crate::signing::encode(token)
        );
        let cleaned = redactor.clean(&body);
        assert!(!cleaned.contains("SECRETKEY123"), "{cleaned}");
        assert!(!cleaned.contains("tok"), "{cleaned}");
        assert!(cleaned.contains("X-Security-Token: ***"), "{cleaned}");
        assert!(
            cleaned.contains(r#""short":"abc""#),
            "short values are not searched"
        );
    }

    #[test]
    fn a_secret_across_the_cut_is_still_redacted() {
        let secret = "S".repeat(40);
        let text = format!("{}{secret}", "a".repeat(MAX_UNTRUSTED_CHARS - 10));
        let cleaned = Redactor::new([secret.as_str()]).clean(&text);
        assert!(!cleaned.contains("SSSS"), "{cleaned}");
    }

    #[test]
    fn the_whole_authorization_value_goes_before_its_parts() {
        let signature = "0123456789abcdef";
        let authorization =
            format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature={signature}");
        let redactor = Redactor::new([signature, authorization.as_str()]);
        assert_eq!(
            redactor.clean(&format!("got Authorization: {authorization}!")),
            "got Authorization: ***!"
        );
        assert_eq!(redactor.clean(signature), "***");
    }
}
