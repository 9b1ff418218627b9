//! A hybrid logical clock: wall-clock milliseconds plus a counter.
//!
//! A new local event is stamped later than every event this device has seen, even if the
//! computer's clock is behind another device's, so causes always sort before their effects.
//!
//! ## A clock that ran fast
//! A plain hybrid clock keeps the maximum it has seen: one event written while the computer's
//! clock was a year fast drags every later event of the device a year into the future, and
//! peers (which refuse events more than a day ahead of their own clocks) refuse its bundles
//! until the calendar gets there. Two rules stop that:
//! - Writing is checked first (`store::clock`): an event more than a day ahead of the newest
//!   event held is refused, so a fast clock is caught before it leaves any mark.
//! - A device whose log already holds events from the future (written by an older Harbour,
//!   or at set-up, when there was nothing to check against) recovers at once: the clock's
//!   physical part follows only the events that are at most `TOLERANCE_MS` ahead of the
//!   wall clock (`Hlc::next_within`). An event from the future still orders the events that
//!   depend on it (the caller passes the latest stamp of every event its new event mentions),
//!   but no longer everything else. Those future events themselves are signed and chained and
//!   cannot change; peers take them, and the device's chain after them, once they are within
//!   a day of their own clocks.

use serde::{Deserialize, Serialize};

/// How far ahead of the wall clock an event's stamp may be and still be followed (and how
/// far ahead of a peer's clock an imported event may be): one day of clock error.
pub const TOLERANCE_MS: i64 = 24 * 60 * 60 * 1000;

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

    /// Whether this stamp is further ahead of the wall clock than the tolerance.
    pub fn is_beyond(self, wall_ms: i64) -> bool {
        self.ms > wall_ms.saturating_add(TOLERANCE_MS)
    }

    /// The next stamp given `latest_plausible` (the latest stamp held that is not beyond the
    /// tolerance) and `depends_on` (the latest stamp of the events the new one refers to,
    /// which it must follow wherever they are).
    pub fn next_within(latest_plausible: Hlc, depends_on: Option<Hlc>, wall_ms: i64) -> Hlc {
        let base = match depends_on {
            Some(d) if d > latest_plausible => d,
            _ => latest_plausible,
        };
        Hlc::next(base, wall_ms)
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

    const DAY: i64 = TOLERANCE_MS;

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

    #[test]
    fn a_stamp_within_a_day_ahead_is_followed_and_one_beyond_is_not() {
        let wall = 1_000 * DAY;
        let near = Hlc {
            ms: wall + DAY - 1,
            count: 0,
        };
        assert!(!near.is_beyond(wall));
        assert!(Hlc {
            ms: wall + DAY + 1,
            count: 0
        }
        .is_beyond(wall));
        // Nothing it depends on from the future: the wall clock wins.
        assert_eq!(
            Hlc::next_within(
                Hlc {
                    ms: wall - 5,
                    count: 2
                },
                None,
                wall
            ),
            Hlc { ms: wall, count: 0 }
        );
        // An event it refers to is from the future: it still sorts after that event.
        let future = Hlc {
            ms: wall + 400 * DAY,
            count: 7,
        };
        let next = Hlc::next_within(
            Hlc {
                ms: wall - 5,
                count: 2,
            },
            Some(future),
            wall,
        );
        assert!(next > future);
        // What it depends on is older than the latest plausible stamp: ignored.
        assert_eq!(
            Hlc::next_within(near, Some(Hlc { ms: 3, count: 0 }), wall),
            Hlc::next(near, wall)
        );
    }
}
