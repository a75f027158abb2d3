//! The schema pieces every data source shares: the `region`, `id` and `timeouts` attributes
//! (each data source words its own descriptions) and the helpers descriptions are written
//! with, so that accepted values and limits come from the constants the code uses.

use tfplugin::Attribute;

use crate::data_source::names::{ID, REGION};
use crate::data_source::timeouts;

/// `region`: optional, computed (the provider's region when unset).
pub fn region(description: &str) -> Attribute {
    Attribute::string(REGION)
        .optional()
        .computed()
        .description(description)
}

/// `id`: computed, deterministic (see `data_source::id`).
pub fn id(description: &str) -> Attribute {
    Attribute::string(ID).computed().description(description)
}

/// `timeouts` with `read` (see `data_source::timeouts`).
pub fn timeouts() -> Attribute {
    timeouts::attribute()
}

/// `values` as Markdown code spans joined like prose: "`a`, `b` or `c`".
pub fn one_of(values: &[&str]) -> String {
    one_of_noted(values, |_| None)
}

/// [`one_of`], each value followed by its `note` in parentheses when it has one.
pub fn one_of_noted(values: &[&str], note: impl Fn(&str) -> Option<&'static str>) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|value| match note(value) {
            Some(note) => format!("`{value}` ({note})"),
            None => format!("`{value}`"),
        })
        .collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// `n` with a comma between groups of three digits, as the docs write numbers.
pub fn with_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// What an instance or backup ID accepts, from the client's rule.
pub fn id_rule() -> String {
    format!(
        "At most {} characters, without whitespace (RDS IDs have 36: 32 hex digits and a \
         suffix such as `in01` or `br01`).",
        hwcloud::MAX_RESOURCE_ID_LEN
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_joins_code_spans_like_prose() {
        assert_eq!(one_of(&[]), "");
        assert_eq!(one_of(&["auto"]), "`auto`");
        assert_eq!(one_of(&["auto", "incremental"]), "`auto` or `incremental`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(with_thousands(0), "0");
        assert_eq!(with_thousands(100), "100");
        assert_eq!(with_thousands(1000), "1,000");
        assert_eq!(with_thousands(100_000), "100,000");
        assert_eq!(with_thousands(1_234_567), "1,234,567");
    }
}
