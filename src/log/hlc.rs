//! A hybrid logical clock: wall-clock milliseconds plus a counter.
//!
//! A new local event is stamped later than every event this device has seen, even if the
//! computer's clock is behind another device's, so causes always sort before their effects.

use serde::{Deserialize, Serialize};

/// A point on the hybrid logical clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch (UTC).
    pub ms: i64,
    /// Tie-breaker within one millisecond.
    pub count: u32,
}

impl Hlc {
    pub const ZERO: Hlc = Hlc { ms: 0, count: 0 };

    /// The next stamp after `latest_seen`, given the wall clock now.
    pub fn next(latest_seen: Hlc, wall_ms: i64) -> Hlc {
        if wall_ms > latest_seen.ms {
            Hlc {
                ms: wall_ms,
                count: 0,
            }
        } else {
            Hlc {
                ms: latest_seen.ms,
                count: latest_seen.count.saturating_add(1),
            }
        }
    }
}

/// Where the wall-clock time comes from (a fixed clock in simulations).
pub trait Clock: Send {
    fn now_ms(&self) -> i64;
}

/// The computer's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_always_move_forward() {
        let a = Hlc::next(Hlc::ZERO, 1_000);
        assert_eq!(
            a,
            Hlc {
                ms: 1_000,
                count: 0
            }
        );
        // The wall clock went backwards (or another device is ahead): count on.
        let b = Hlc::next(
            Hlc {
                ms: 5_000,
                count: 3,
            },
            1_000,
        );
        assert_eq!(
            b,
            Hlc {
                ms: 5_000,
                count: 4
            }
        );
        assert!(
            b > Hlc {
                ms: 5_000,
                count: 3
            }
        );
        let c = Hlc::next(b, 6_000);
        assert_eq!(
            c,
            Hlc {
                ms: 6_000,
                count: 0
            }
        );
    }
}
