//! The one error type of the cty codecs, and the path bookkeeping that lets every error say
//! *where* in a value the problem is (`at .backups[3].size: expected number`).
//!
//! The path is kept as a [`crate::diag::AttributePath`] so the server can turn a codec error
//! straight into a diagnostic that Terraform maps to a line of the user's configuration.

use std::fmt;

use crate::diag::{AttributePath, PathStep};

/// Nesting limit for every recursive walk over types and values. Real schemas nest a handful
/// of levels; the limit exists so hostile input (a deeply nested `dynamic` value, or a type
/// JSON nested thousands deep) cannot exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// A value or type that could not be decoded, encoded or checked against its type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct CodecError {
    path: AttributePath,
    message: String,
}

impl CodecError {
    /// An error at `path` (empty for the value as a whole).
    pub fn new(path: AttributePath, message: impl Into<String>) -> Self {
        Self {
            path,
            message: message.into(),
        }
    }

    /// Where in the value the problem is; empty for the value as a whole.
    pub fn path(&self) -> &AttributePath {
        &self.path
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn render(&self) -> String {
        if self.path.steps.is_empty() {
            self.message.clone()
        } else {
            format!("at {}: {}", DottedPath(&self.path), self.message)
        }
    }
}

/// Renders a path the way cty users read it: every attribute with a leading dot
/// (`.backups[3].size`), map keys quoted (`.tags["env"]`).
struct DottedPath<'a>(&'a AttributePath);

impl fmt::Display for DottedPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.0.steps {
            match step {
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::ElementKeyString(key) => write!(f, "[{key:?}]")?,
                PathStep::ElementKeyInt(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// The position of a recursive walk: the attribute path so far and the nesting depth.
///
/// Depth is counted separately from the path because some levels (a `dynamic` wrapper) add
/// nesting without adding a path step.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    path: AttributePath,
    depth: usize,
}

impl Walk {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// An error at the current position.
    pub(crate) fn error(&self, message: impl Into<String>) -> CodecError {
        CodecError::new(self.path.clone(), message)
    }

    /// Runs `body` one level deeper (no path step), failing once [`MAX_DEPTH`] is exceeded.
    pub(crate) fn nested<T>(
        &mut self,
        body: impl FnOnce(&mut Self) -> Result<T, CodecError>,
    ) -> Result<T, CodecError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        self.depth += 1;
        let result = body(self);
        self.depth -= 1;
        result
    }

    /// Runs `body` for the child at `step`, one level deeper.
    pub(crate) fn step<T>(
        &mut self,
        step: PathStep,
        body: impl FnOnce(&mut Self) -> Result<T, CodecError>,
    ) -> Result<T, CodecError> {
        self.path.steps.push(step);
        let result = self.nested(body);
        self.path.steps.pop();
        result
    }

    pub(crate) fn attribute<T>(
        &mut self,
        name: &str,
        body: impl FnOnce(&mut Self) -> Result<T, CodecError>,
    ) -> Result<T, CodecError> {
        self.step(PathStep::Attribute(name.to_owned()), body)
    }

    pub(crate) fn key<T>(
        &mut self,
        key: &str,
        body: impl FnOnce(&mut Self) -> Result<T, CodecError>,
    ) -> Result<T, CodecError> {
        self.step(PathStep::ElementKeyString(key.to_owned()), body)
    }

    pub(crate) fn index<T>(
        &mut self,
        index: usize,
        body: impl FnOnce(&mut Self) -> Result<T, CodecError>,
    ) -> Result<T, CodecError> {
        let index = i64::try_from(index).unwrap_or(i64::MAX);
        self.step(PathStep::ElementKeyInt(index), body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_the_path_with_leading_dots() {
        let path = AttributePath::root("backups").index(3).attribute("size");
        let error = CodecError::new(path, "expected number");
        assert_eq!(error.to_string(), "at .backups[3].size: expected number");
    }

    #[test]
    fn map_keys_are_quoted() {
        let path = AttributePath::root("tags").key("env");
        assert_eq!(
            CodecError::new(path, "x").to_string(),
            r#"at .tags["env"]: x"#
        );
    }

    #[test]
    fn root_errors_have_no_prefix() {
        let error = CodecError::new(AttributePath::default(), "truncated input");
        assert_eq!(error.to_string(), "truncated input");
        assert!(error.path().steps.is_empty());
        assert_eq!(error.message(), "truncated input");
    }

    #[test]
    fn walk_limits_depth_and_restores_path() {
        fn dive(walk: &mut Walk, levels: usize) -> Result<(), CodecError> {
            if levels == 0 {
                return Ok(());
            }
            walk.index(0, |walk| dive(walk, levels - 1))
        }
        let mut walk = Walk::new();
        assert!(dive(&mut walk, MAX_DEPTH).is_ok());
        let error = dive(&mut walk, MAX_DEPTH + 1).unwrap_err();
        assert!(error.message().contains("nested more than"));
        // The error points at the first element that is too deep.
        assert_eq!(error.path().steps.len(), MAX_DEPTH + 1);
        assert!(walk.path.steps.is_empty());
        assert_eq!(walk.depth, 0);
    }
}
