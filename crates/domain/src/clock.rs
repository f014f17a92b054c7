//! Hybrid logical clocks and stamps: the total order that decides which edit of a field wins.

use crate::ids::DeviceId;
use serde::{Deserialize, Serialize};

/// A hybrid logical clock reading: wall-clock milliseconds, and a counter for events within one
/// millisecond or while the wall clock stands behind a time already seen.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Hlc {
    #[serde(rename = "t")]
    pub millis: u64,
    #[serde(rename = "c")]
    pub counter: u32,
}

/// When and where an edit was made. Stamps are totally ordered: by clock, then by device, so two
/// devices can never produce equal stamps.
///
/// On the wire a stamp is one flat object, `{"t": …, "c": …, "d": …}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "FlatStamp", into = "FlatStamp")]
pub struct Stamp {
    pub hlc: Hlc,
    pub device: DeviceId,
}

/// A [`Stamp`] as it travels. Spelt out rather than `#[serde(flatten)]` on `hlc`: flattening
/// buffers each stamp through serde's generic `Content` tree, which is slower and costs the app
/// shell kilobytes of code, for the same JSON.
#[derive(Serialize, Deserialize)]
struct FlatStamp {
    t: u64,
    c: u32,
    d: DeviceId,
}

impl From<FlatStamp> for Stamp {
    fn from(FlatStamp { t, c, d }: FlatStamp) -> Self {
        Stamp {
            hlc: Hlc {
                millis: t,
                counter: c,
            },
            device: d,
        }
    }
}

impl From<Stamp> for FlatStamp {
    fn from(Stamp { hlc, device }: Stamp) -> Self {
        FlatStamp {
            t: hlc.millis,
            c: hlc.counter,
            d: device,
        }
    }
}

/// A device's clock. It never goes backwards, and after observing a stamp it only issues later ones,
/// so an edit made on top of a value always outranks that value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    device: DeviceId,
    last: Hlc,
}

impl Clock {
    pub fn new(device: DeviceId) -> Self {
        Self {
            device,
            last: Hlc::default(),
        }
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The latest reading issued or observed.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A new stamp, later than every stamp this clock has issued or observed.
    pub fn tick(&mut self, now_millis: u64) -> Stamp {
        self.last = if now_millis > self.last.millis {
            Hlc {
                millis: now_millis,
                counter: 0,
            }
        } else if self.last.counter < crate::trust::MOST_COUNTER {
            Hlc {
                millis: self.last.millis,
                counter: self.last.counter + 1,
            }
        } else {
            // Out of counts within one millisecond: the next millisecond, so that every tick
            // still outranks the last and no stamp holds a counter the server refuses.
            Hlc {
                millis: self.last.millis.saturating_add(1),
                counter: 0,
            }
        };
        Stamp {
            hlc: self.last,
            device: self.device,
        }
    }

    /// Remembers a reading seen elsewhere (a pulled record), so later ticks come after it.
    pub fn observe(&mut self, seen: Hlc) {
        self.last = self.last.max(seen);
    }

    /// Sets the clock back to `now_millis` after the server refused its stamps as being from the
    /// future: the phone's date was wrong. An edit still outranks the value it was made on top
    /// of, for [`Record::edit`](crate::Record::edit) observes that value's stamp first.
    pub fn correct(&mut self, now_millis: u64) {
        self.last = self.last.min(Hlc {
            millis: now_millis,
            counter: 0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_increase_even_when_the_wall_clock_stands_still_or_goes_back() {
        let mut clock = Clock::new(DeviceId::new());
        let a = clock.tick(1_000);
        let b = clock.tick(1_000);
        let c = clock.tick(900);
        let d = clock.tick(2_000);
        assert!(a < b && b < c && c < d);
    }

    #[test]
    fn a_tick_after_observing_a_later_stamp_outranks_it() {
        let mut ours = Clock::new(DeviceId::new());
        let mut theirs = Clock::new(DeviceId::new());
        let seen = theirs.tick(50_000);
        ours.observe(seen.hlc);
        assert!(ours.tick(10) > seen);
    }

    #[test]
    fn a_stamp_is_small_on_the_wire() {
        let stamp = Clock::new(DeviceId::new()).tick(1_700_000_000_000);
        let json = serde_json::to_value(stamp).unwrap();
        assert_eq!(json["t"], 1_700_000_000_000u64);
        assert_eq!(json["c"], 0);
        assert!(json["d"].is_string());
        assert_eq!(json.as_object().unwrap().len(), 3);
        assert_eq!(serde_json::from_value::<Stamp>(json).unwrap(), stamp);
    }
}
