//! When temporary keys are refreshed: pure functions of explicit times.
//!
//! Keys obtained at `obtained` that expire at `expires_at` are refreshed at the latest
//! [`MAX_REFRESH_MARGIN`] (5 minutes) before they expire, or half their lifetime before it
//! when that is shorter: keys valid for an hour are renewed 5 minutes before the end, keys
//! valid for 4 minutes after 2. A refresh that brings keys already inside their refresh
//! window (a profile file KooCLI has not renewed yet, a metadata service handing out the same
//! keys) is checked again after [`MIN_RECHECK`], never in a loop.

use std::time::Duration;

use time::OffsetDateTime;

/// The longest margin kept before `expires_at`.
pub const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// The shortest wait before asking a source again for keys it just gave.
pub const MIN_RECHECK: Duration = Duration::from_secs(1);

/// When keys obtained at `obtained` and expiring at `expires_at` are due for a refresh.
pub fn refresh_at(obtained: OffsetDateTime, expires_at: OffsetDateTime) -> OffsetDateTime {
    let lifetime = (expires_at - obtained).max(time::Duration::ZERO);
    let max_margin = time::Duration::try_from(MAX_REFRESH_MARGIN).unwrap_or(lifetime);
    let half: time::Duration = lifetime / 2_i32;
    let margin = half.min(max_margin);
    expires_at - margin
}

/// When keys that `now` were just obtained are next due: [`refresh_at`], but never sooner
/// than [`MIN_RECHECK`] from `now` (and never after `expires_at`).
pub fn next_refresh(now: OffsetDateTime, expires_at: OffsetDateTime) -> OffsetDateTime {
    let due = refresh_at(now, expires_at);
    let earliest = now + MIN_RECHECK;
    if due >= earliest {
        due
    } else {
        earliest.min(expires_at)
    }
}

/// Whether keys due at `due` must be refreshed before being used at `now`.
pub fn is_due(now: OffsetDateTime, due: OffsetDateTime) -> bool {
    now >= due
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-03-01 12:00:00 UTC);

    fn minutes(m: i64) -> time::Duration {
        time::Duration::minutes(m)
    }

    #[test]
    fn long_lived_keys_are_refreshed_five_minutes_before_expiry() {
        assert_eq!(refresh_at(T0, T0 + minutes(60)), T0 + minutes(55));
        assert_eq!(refresh_at(T0, T0 + minutes(720)), T0 + minutes(715));
        // Exactly ten minutes: both rules agree.
        assert_eq!(refresh_at(T0, T0 + minutes(10)), T0 + minutes(5));
    }

    #[test]
    fn short_lived_keys_are_refreshed_at_half_their_lifetime() {
        assert_eq!(refresh_at(T0, T0 + minutes(4)), T0 + minutes(2));
        assert_eq!(
            refresh_at(T0, T0 + time::Duration::seconds(3)),
            T0 + time::Duration::milliseconds(1500)
        );
    }

    #[test]
    fn keys_already_expired_are_due_at_once() {
        assert_eq!(refresh_at(T0, T0 - minutes(1)), T0 - minutes(1));
        assert!(is_due(T0, refresh_at(T0, T0)));
    }

    #[test]
    fn due_is_inclusive() {
        let due = refresh_at(T0, T0 + minutes(60));
        assert!(!is_due(due - time::Duration::seconds(1), due));
        assert!(is_due(due, due));
        assert!(is_due(due + minutes(1), due));
    }

    #[test]
    fn keys_inside_their_window_are_rechecked_after_a_pause() {
        // A source gave keys with 2 s left: the half-life rule says "in 1 s".
        let expires = T0 + time::Duration::seconds(2);
        assert_eq!(next_refresh(T0, expires), T0 + time::Duration::seconds(1));
        // 600 ms left: half-life would be 300 ms, the pause is 1 s, but never after expiry.
        let expires = T0 + time::Duration::milliseconds(600);
        assert_eq!(next_refresh(T0, expires), expires);
        // Plenty of time: the normal rule.
        assert_eq!(next_refresh(T0, T0 + minutes(60)), T0 + minutes(55));
    }
}
