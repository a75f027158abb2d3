//! cty numbers: arbitrary precision in Terraform; here an integer, a float, or a decimal
//! string kept verbatim when it fits neither (never silently rounded).

/// TODO(helper): implement fully (see the cty codec task).
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// A decimal that fits neither i64 nor f64 exactly, kept as Terraform sent it.
    Decimal(String),
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number::Int(n)
    }
}
