//! Go's duration syntax (`time.ParseDuration`), which Terraform users know from every
//! `timeouts` block: a sequence of decimal numbers, each with an optional fraction and a unit,
//! with an optional sign, e.g. `"300ms"`, `"-1.5h"`, `"2h45m"`. Units: `ns`, `us` (or `µs`,
//! `μs`), `ms`, `s`, `m`, `h`. A lone `0` needs no unit.
//!
//! Written here rather than taken from a crate because the duration crates parse other
//! syntaxes (humantime's `"10 minutes"`, ISO 8601); this follows Go's algorithm step by step,
//! including its float arithmetic for fractions, so a value means exactly what it would
//! mean to Terraform's own Go code.

/// What the syntax is, for error messages.
pub const ACCEPTED: &str = "a Go duration: a sequence of numbers with units, such as \"90s\", \
    \"10m\", \"1h30m\", \"1.5h\" or \"300ms\" (units ns, us, ms, s, m, h)";

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// Go's `time.Duration` range: nanoseconds in an `i64`.
const MAX_MAGNITUDE: u64 = 1 << 63;

fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => NANOSECOND,
        "us" | "\u{b5}s" | "\u{3bc}s" => MICROSECOND,
        "ms" => MILLISECOND,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return None,
    })
}

/// Parses `text` as Go does; the result is signed nanoseconds. The error says what is wrong
/// (without quoting the text: the caller names the attribute and may quote it).
pub fn parse(text: &str) -> Result<i64, String> {
    let mut rest = text;
    let mut negative = false;
    if let Some(stripped) = rest.strip_prefix('-') {
        negative = true;
        rest = stripped;
    } else if let Some(stripped) = rest.strip_prefix('+') {
        rest = stripped;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err("it is empty".into());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        // The next character must be [0-9.].
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err("a number is expected before each unit".into());
        }
        let int_digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let whole: u64 = if int_digits == 0 {
            0
        } else {
            rest[..int_digits]
                .parse()
                .map_err(|_| "a number is too large".to_owned())?
        };
        if whole > MAX_MAGNITUDE {
            return Err("a number is too large".into());
        }
        rest = &rest[int_digits..];
        // Fraction: digits after '.', kept while they fit (as Go's leadingFraction does).
        let mut fraction: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut fraction_digits = 0;
        let had_point = rest.starts_with('.');
        if had_point {
            rest = &rest[1..];
            let mut overflowed = false;
            for digit in rest.bytes().take_while(u8::is_ascii_digit) {
                fraction_digits += 1;
                if overflowed {
                    continue;
                }
                let next = fraction
                    .checked_mul(10)
                    .and_then(|f| f.checked_add(u64::from(digit - b'0')));
                match next {
                    Some(next) if next <= MAX_MAGNITUDE => {
                        fraction = next;
                        scale *= 10.0;
                    }
                    _ => overflowed = true,
                }
            }
            rest = &rest[fraction_digits..];
        }
        if int_digits == 0 && fraction_digits == 0 {
            // ".s" or "."
            return Err("a number is expected before each unit".into());
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err("a unit is missing (ns, us, ms, s, m or h)".into());
        }
        let unit_text = &rest[..unit_len];
        let unit = unit_nanos(unit_text)
            .ok_or_else(|| format!("{unit_text:?} is not a unit (ns, us, ms, s, m or h are)"))?;
        rest = &rest[unit_len..];
        let too_long =
            || "it is longer than the largest duration (about 2,562,047 hours)".to_owned();
        let mut value = whole
            .checked_mul(unit)
            .filter(|v| *v <= MAX_MAGNITUDE)
            .ok_or_else(too_long)?;
        if fraction > 0 {
            // Go: v += uint64(float64(f) * (float64(unit) / scale))
            value = value
                .checked_add((fraction as f64 * (unit as f64 / scale)) as u64)
                .filter(|v| *v <= MAX_MAGNITUDE)
                .ok_or_else(too_long)?;
        }
        total = total
            .checked_add(value)
            .filter(|v| *v <= MAX_MAGNITUDE)
            .ok_or_else(too_long)?;
    }
    if negative {
        Ok((total as i128).wrapping_neg() as i64)
    } else if total == MAX_MAGNITUDE {
        Err("it is longer than the largest duration (about 2,562,047 hours)".into())
    } else {
        Ok(total as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS_PER_S: i64 = 1_000_000_000;

    #[test]
    fn accepts_what_go_accepts() {
        // Cases from Go's own time.ParseDuration tests.
        for (text, nanos) in [
            ("0", 0),
            ("5s", 5 * NS_PER_S),
            ("30s", 30 * NS_PER_S),
            ("1478s", 1478 * NS_PER_S),
            ("-5s", -5 * NS_PER_S),
            ("+5s", 5 * NS_PER_S),
            ("-0", 0),
            ("+0", 0),
            ("5.0s", 5 * NS_PER_S),
            ("5.6s", 5 * NS_PER_S + 600_000_000),
            ("5.s", 5 * NS_PER_S),
            (".5s", 500_000_000),
            ("1.0s", NS_PER_S),
            ("1.00s", NS_PER_S),
            ("1.004s", NS_PER_S + 4_000_000),
            ("1.0040s", NS_PER_S + 4_000_000),
            ("100.00100s", 100 * NS_PER_S + 1_000_000),
            ("10ns", 10),
            ("11us", 11_000),
            ("12µs", 12_000),
            ("12μs", 12_000),
            ("13ms", 13_000_000),
            ("14s", 14 * NS_PER_S),
            ("15m", 15 * 60 * NS_PER_S),
            ("16h", 16 * 3600 * NS_PER_S),
            ("3h30m", (3 * 3600 + 30 * 60) * NS_PER_S),
            ("10.5s4m", 4 * 60 * NS_PER_S + 10 * NS_PER_S + 500_000_000),
            ("-2m3.4s", -(2 * 60 * NS_PER_S + 3 * NS_PER_S + 400_000_000)),
            ("1h2m3s4ms5us6ns", 3_723_004_005_006),
            ("39h9m14.425s", 140_954_425_000_000),
            ("52763797000ns", 52_763_797_000),
            ("0.3333333333333333333h", 20 * 60 * NS_PER_S),
            ("9007199254740993ns", 9_007_199_254_740_993),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("9223372036s854ms775us807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("-9223372036854775.808us", i64::MIN),
            ("0.100000000000000000000h", 6 * 60 * NS_PER_S),
            ("0.830103483285477580700h", 2_988_372_539_827),
            ("1.5h", 5400 * NS_PER_S),
        ] {
            assert_eq!(parse(text), Ok(nanos), "{text}");
        }
    }

    #[test]
    fn rejects_what_go_rejects() {
        for text in [
            "",
            "3",
            "-",
            "s",
            ".",
            "-.",
            ".s",
            "+.s",
            "1d",
            "10 minutes",
            " 10m",
            "10m ",
            "1.5x",
            "\u{b5}s",
            "9223372036854775808ns",
            "9223372036854775.808us",
            "9223372036854ms775us808ns",
            "-9223372036854775809ns",
            "3000000h",
        ] {
            assert!(parse(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(parse("").unwrap_err(), "it is empty");
        assert!(parse("10").unwrap_err().contains("unit is missing"));
        assert!(parse("10d").unwrap_err().contains("\"d\" is not a unit"));
        assert!(parse("3000000h").unwrap_err().contains("largest duration"));
    }
}
