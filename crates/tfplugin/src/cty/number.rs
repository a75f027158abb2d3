//! cty numbers: arbitrary precision in Terraform; here an integer, a float, or a decimal
//! string kept verbatim when it fits neither (never silently rounded).
//!
//! Terraform (go-cty) writes a number to msgpack as an integer when it is an exact `i64`, else
//! as a float64 when exactly representable, else as a string of decimal digits. The
//! *normalized* form of a [`Number`] follows the same order, so comparing two numbers and
//! choosing their wire form agree with Terraform no matter how a number was built.

use std::fmt;

use super::CodecError;
use crate::diag::AttributePath;

/// A cty number. Construct with `From`/[`Number::parse`] to get the normalized form; variants
/// built by hand compare by numeric value anyway (see the `PartialEq` impl).
#[derive(Debug, Clone)]
pub enum Number {
    Int(i64),
    /// A float that is not an exact `i64`; may be ±infinity (cty allows both, not NaN).
    Float(f64),
    /// A decimal that fits neither i64 nor f64 exactly, kept as Terraform sent it.
    Decimal(String),
}

/// How a number goes on the wire (msgpack): the three forms go-cty uses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WireNumber {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Number {
    /// Parses decimal text as Terraform does for numbers sent as strings: an optional sign,
    /// digits with an optional fraction, an optional exponent (`1.5e3`), or `Inf`/`inf`.
    pub fn parse(text: &str) -> Result<Number, CodecError> {
        if let Some(infinity) = parse_infinity(text) {
            return Ok(Number::Float(infinity));
        }
        let decimal = Decimal::parse(text).ok_or_else(|| {
            CodecError::new(
                AttributePath::default(),
                format!("{} is not a number", quoted_prefix(text)),
            )
        })?;
        Ok(decimal.normalized(text))
    }

    /// The value as an `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.normalized() {
            Number::Int(n) => Some(n),
            _ => None,
        }
    }

    /// The nearest `f64` (best effort: huge decimals become infinity, long fractions round).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(n) => *n as f64,
            Number::Float(f) => *f,
            Number::Decimal(text) => parse_infinity(text)
                .or_else(|| Decimal::parse(text).and_then(|_| text.parse().ok()))
                .unwrap_or(f64::NAN),
        }
    }

    /// The canonical form: `Int` when an exact i64, else `Float` when an exact f64, else
    /// `Decimal`. A `Decimal` that is not valid decimal text stays as it is.
    pub fn normalized(&self) -> Number {
        match self {
            Number::Int(n) => Number::Int(*n),
            Number::Float(f) => normalize_float(*f),
            Number::Decimal(text) => match (parse_infinity(text), Decimal::parse(text)) {
                (Some(infinity), _) => Number::Float(infinity),
                (None, Some(decimal)) => decimal.normalized(text),
                (None, None) => Number::Decimal(text.clone()),
            },
        }
    }

    /// The form go-cty would write to msgpack; an error for NaN or invalid decimal text,
    /// which are not cty numbers.
    pub(crate) fn wire_form(&self) -> Result<WireNumber, String> {
        match self.normalized() {
            Number::Int(n) => Ok(WireNumber::Int(n)),
            Number::Float(f) if f.is_nan() => Err("NaN is not a valid number".to_owned()),
            Number::Float(f) => Ok(WireNumber::Float(f)),
            Number::Decimal(text) if Decimal::parse(&text).is_some() => Ok(WireNumber::Text(text)),
            Number::Decimal(text) => Err(format!("{} is not a number", quoted_prefix(&text))),
        }
    }
}

impl PartialEq for Number {
    /// Numeric equality: `Int(2) == Float(2.0) == Decimal("2.00")`.
    fn eq(&self, other: &Self) -> bool {
        match (self.normalized(), other.normalized()) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Decimal(a), Number::Decimal(b)) => {
                match (Decimal::parse(&a), Decimal::parse(&b)) {
                    (Some(a), Some(b)) => a == b,
                    _ => a == b,
                }
            }
            _ => false,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(n) => write!(f, "{n}"),
            Number::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "+Inf" } else { "-Inf" })
            }
            Number::Float(x) => write!(f, "{x}"),
            Number::Decimal(text) => f.write_str(text),
        }
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number::Int(n)
    }
}

/// So that `Number::from(5)` with an untyped literal keeps compiling next to the other impls.
impl From<i32> for Number {
    fn from(n: i32) -> Self {
        Number::Int(i64::from(n))
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        match i64::try_from(n) {
            Ok(n) => Number::Int(n),
            Err(_) => Number::Decimal(n.to_string()).normalized(),
        }
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Self {
        normalize_float(f)
    }
}

/// `Int` when `f` is an integer in i64 range (so `2.0` and `2` are the same number).
fn normalize_float(f: f64) -> Number {
    // 2^63 is exactly representable; every integral f64 in [-2^63, 2^63) fits an i64.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) {
        Number::Int(f as i64)
    } else {
        Number::Float(f)
    }
}

/// Go's `big.ParseFloat` (what go-cty uses for numbers sent as strings) accepts `Inf`/`inf`.
fn parse_infinity(text: &str) -> Option<f64> {
    let (negative, rest) = split_sign(text);
    matches!(rest, "Inf" | "inf").then_some(if negative {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    })
}

fn split_sign(text: &str) -> (bool, &str) {
    if let Some(rest) = text.strip_prefix('-') {
        (true, rest)
    } else {
        (false, text.strip_prefix('+').unwrap_or(text))
    }
}

/// At most 40 characters of `text`, quoted: error messages must stay short on hostile input.
fn quoted_prefix(text: &str) -> String {
    let mut prefix: String = text.chars().take(40).collect();
    if prefix.len() < text.len() {
        prefix.push('…');
    }
    format!("{prefix:?}")
}

/// Exponents beyond this are rejected: no real number needs them, and they would make the
/// digit-by-digit comparisons below needlessly expensive.
const MAX_EXPONENT: i64 = 1_000_000_000;

/// Decimal text in canonical form: the value is `±digits × 10^exponent`, where `digits` has no
/// leading or trailing zeros (empty for zero), so equal numbers have equal `Decimal`s.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    /// `[+-]digits[.digits][(e|E)[+-]digits]`, with at least one mantissa digit (`5.` and
    /// `.5` are accepted, as Go accepts them).
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = split_sign(text);
        let (mantissa, exponent_text) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (integer.is_empty() && fraction.is_empty())
            || !all_digits(integer)
            || !all_digits(fraction)
        {
            return None;
        }
        let mut exponent = match exponent_text {
            None => 0,
            Some(text) => {
                let (exponent_negative, digits) = split_sign(text);
                if digits.is_empty() || !all_digits(digits) {
                    return None;
                }
                let magnitude: i64 = digits.parse().ok().filter(|m| *m <= MAX_EXPONENT)?;
                if exponent_negative {
                    -magnitude
                } else {
                    magnitude
                }
            }
        };
        exponent = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;

        let all = format!("{integer}{fraction}");
        let significant = all.trim_start_matches('0');
        let digits = significant.trim_end_matches('0');
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits: String::new(),
                exponent: 0,
            });
        }
        exponent = exponent.checked_add(i64::try_from(significant.len() - digits.len()).ok()?)?;
        Some(Decimal {
            negative,
            digits: digits.to_owned(),
            exponent,
        })
    }

    /// The canonical [`Number`] of this decimal; `text` is kept when it is neither an exact
    /// i64 nor an exact f64.
    fn normalized(&self, text: &str) -> Number {
        if let Some(n) = self.to_i64() {
            Number::Int(n)
        } else if let Some(f) = self.to_exact_f64() {
            Number::Float(f)
        } else {
            Number::Decimal(text.to_owned())
        }
    }

    fn to_i64(&self) -> Option<i64> {
        if self.digits.is_empty() {
            return Some(0);
        }
        // Canonical digits have no trailing zeros, so a negative exponent means a fraction.
        if self.exponent < 0 || self.digits.len() as i64 + self.exponent > 19 {
            return None;
        }
        let mut value: i128 = self.digits.parse().ok()?;
        for _ in 0..self.exponent {
            value = value.checked_mul(10)?;
        }
        i64::try_from(if self.negative { -value } else { value }).ok()
    }

    /// The f64 equal to this decimal, if one exists (rounding is not allowed).
    fn to_exact_f64(&self) -> Option<f64> {
        if self.digits.is_empty() {
            return Some(0.0);
        }
        let sign = if self.negative { "-" } else { "" };
        let nearest: f64 = format!("{sign}{}e{}", self.digits, self.exponent)
            .parse()
            .ok()?;
        if !nearest.is_finite() || nearest == 0.0 {
            return None;
        }
        // Every f64 has a finite decimal expansion of at most 767 significant digits; printing
        // 800 gives it exactly, and comparing canonical forms tells whether rounding happened.
        let exact = Decimal::parse(&format!("{nearest:.800e}"))?;
        (exact == *self).then_some(nearest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_normalizes_to_the_narrowest_exact_form() {
        assert!(matches!(Number::parse("0").unwrap(), Number::Int(0)));
        assert!(matches!(Number::parse("-1").unwrap(), Number::Int(-1)));
        assert!(matches!(
            Number::parse("9223372036854775807").unwrap(),
            Number::Int(i64::MAX)
        ));
        assert!(matches!(Number::parse("1.5e3").unwrap(), Number::Int(1500)));
        assert!(matches!(Number::parse("2.50").unwrap(), Number::Float(f) if f == 2.5));
        // The decimal 1e300 is not exactly any f64 (the f64 nearest to it is another number).
        assert!(matches!(Number::parse("1e300").unwrap(), Number::Decimal(ref t) if t == "1e300"));
        assert!(matches!(Number::from(1e300), Number::Float(f) if f == 1e300));
        assert!(matches!(
            Number::parse("0.5e-3").unwrap(),
            Number::Decimal(_)
        ));
        assert!(matches!(Number::parse("0.25").unwrap(), Number::Float(f) if f == 0.25));
        // 2^63 does not fit an i64 but is an exact f64.
        assert!(
            matches!(Number::parse("9223372036854775808").unwrap(), Number::Float(f) if f == 9.223_372_036_854_776e18)
        );
        // 0.1 has no exact binary form: kept as decimal text, as go-cty does.
        assert!(matches!(Number::parse("0.1").unwrap(), Number::Decimal(ref t) if t == "0.1"));
        let big = Number::parse("12345678901234567890123").unwrap();
        assert!(matches!(big, Number::Decimal(ref t) if t == "12345678901234567890123"));
        assert!(
            matches!(Number::parse("-Inf").unwrap(), Number::Float(f) if f == f64::NEG_INFINITY)
        );
    }

    #[test]
    fn parse_accepts_go_forms_and_rejects_garbage() {
        for ok in ["+5", ".5", "5.", "1E5", "1e-5", "-0.0", "000123"] {
            assert!(Number::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1.2.3",
            "0x10",
            "1_000",
            " 1",
            "NaN",
            "1e99999999999",
        ] {
            assert!(Number::parse(bad).is_err(), "{bad:?}");
        }
        let error = Number::parse(&"x".repeat(1000)).unwrap_err();
        assert!(error.to_string().len() < 80, "error stays short: {error}");
    }

    #[test]
    fn equality_is_numeric() {
        assert_eq!(Number::Int(2), Number::Float(2.0));
        assert_eq!(Number::Decimal("2.00".into()), Number::Int(2));
        assert_eq!(Number::Decimal("1.50".into()), Number::Float(1.5));
        assert_eq!(
            Number::Decimal("0.10".into()),
            Number::Decimal("1e-1".into())
        );
        assert_ne!(Number::Decimal("0.1".into()), Number::Float(0.1));
        assert_ne!(Number::Int(1), Number::Int(2));
        assert_eq!(Number::Float(-0.0), Number::Int(0));
    }

    #[test]
    fn conversions() {
        assert_eq!(Number::from(u64::MAX).as_i64(), None);
        assert!(
            matches!(Number::from(u64::MAX), Number::Decimal(ref t) if t == "18446744073709551615")
        );
        assert!(matches!(Number::from(1u64 << 63), Number::Float(_)));
        assert!(matches!(Number::from(7u64), Number::Int(7)));
        assert!(matches!(Number::from(3.0), Number::Int(3)));
        assert_eq!(Number::from(3.0).as_i64(), Some(3));
        assert_eq!(Number::Float(3.5).as_i64(), None);
        assert_eq!(
            Number::Decimal("1e18".into()).as_i64(),
            Some(1_000_000_000_000_000_000)
        );
        assert_eq!(Number::Int(-4).as_f64(), -4.0);
        assert_eq!(
            Number::Decimal("12345678901234567890123".into()).as_f64(),
            1.2345678901234568e22
        );
        assert!(Number::Decimal("junk".into()).as_f64().is_nan());
    }

    #[test]
    fn display() {
        assert_eq!(Number::Int(-12).to_string(), "-12");
        assert_eq!(Number::Float(1.5).to_string(), "1.5");
        assert_eq!(Number::Float(f64::INFINITY).to_string(), "+Inf");
        assert_eq!(Number::Decimal("0.1".into()).to_string(), "0.1");
    }

    #[test]
    fn wire_form_matches_go_cty_choices() {
        assert_eq!(Number::Float(4.0).wire_form(), Ok(WireNumber::Int(4)));
        assert_eq!(Number::Float(1.5).wire_form(), Ok(WireNumber::Float(1.5)));
        assert_eq!(
            Number::Decimal("0.1".into()).wire_form(),
            Ok(WireNumber::Text("0.1".into()))
        );
        assert!(Number::Float(f64::NAN).wire_form().is_err());
        assert!(Number::Decimal("abc".into()).wire_form().is_err());
    }
}
