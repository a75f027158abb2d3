//! What the provider's ConfigureProvider produced, kept by the server for every read: the one
//! place where "configured or not" is a runtime question. Data sources receive the value
//! itself, never this slot.

use std::sync::{Arc, PoisonError, RwLock};

use crate::diag::Diagnostic;

/// The latest successful configuration, absent until ConfigureProvider first succeeds.
#[derive(Debug)]
pub(crate) struct ConfiguredSlot<C> {
    current: RwLock<Option<Arc<C>>>,
}

impl<C> Default for ConfiguredSlot<C> {
    fn default() -> Self {
        Self {
            current: RwLock::new(None),
        }
    }
}

impl<C> ConfiguredSlot<C> {
    /// Keeps `value` for every later read, replacing an earlier configuration (reads already
    /// running keep the one they started with).
    pub(crate) fn set(&self, value: C) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(value));
    }

    /// The configuration for a read starting now, or the error Terraform sees when a read
    /// comes before any successful ConfigureProvider.
    pub(crate) fn get(&self, provider_name: &str) -> Result<Arc<C>, Diagnostic> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| not_configured(provider_name))
    }
}

/// Terraform configures a provider before reading from it, so this is a bug in Terraform or
/// the provider, worth a clear error rather than a panic.
fn not_configured(provider_name: &str) -> Diagnostic {
    Diagnostic::error(
        "Provider not configured",
        format!(
            "The {provider_name} provider was asked to read a data source before it was configured. This is a bug in Terraform or the provider; please report it."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_until_set_then_the_latest_value() {
        let slot = ConfiguredSlot::default();
        let missing = slot.get("toy").expect_err("not configured yet");
        assert_eq!(missing.summary, "Provider not configured");
        assert_eq!(
            missing.detail,
            "The toy provider was asked to read a data source before it was configured. This is a bug in Terraform or the provider; please report it."
        );

        slot.set(1);
        let first = slot.get("toy").expect("configured");
        slot.set(2);
        assert_eq!(*first, 1, "a read keeps the value it started with");
        assert_eq!(*slot.get("toy").expect("configured"), 2);
    }
}
