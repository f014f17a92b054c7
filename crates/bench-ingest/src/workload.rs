//! The work of one run: realistic cases edited on each simulated device, cut into push batches
//! whose bodies are the exact bytes the app would send, plus the same changes as rows for the floor.

use anyhow::Context;
use sakhi_domain::schema::VIOLENCE_KINDS;
use sakhi_domain::wire::{PROTOCOL, PushRequest};
use sakhi_domain::{Change, ChangeId, Clock, DeviceId, Kind, Record, RecordId};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

/// How many edits a case gets on registration; some get one more later (see [`FOLLOW_UP_EVERY`]).
pub const FIELDS_PER_CASE: usize = 6;
/// Every this many cases, a worker comes back and adds to the description, so that some changes
/// carry a real base stamp, as edits of an existing case do.
const FOLLOW_UP_EVERY: usize = 4;

const NAMES: &[&str] = &[
    "सीता देवी",
    "Sunita Kumari",
    "गीता यादव",
    "Pooja Sharma",
    "रेखा कुमारी",
    "Anita Devi",
    "कमला बाई",
    "Priya Verma",
    "मीना कुमारी",
    "Lakshmi Nayak",
    "सुनीता मौर्य",
    "Fatima Begum",
    "राधा पासवान",
    "Kavita Meena",
    "पार्वती उरांव",
    "Shabnam Khatoon",
];

const VILLAGES: &[&str] = &[
    "रामपुर",
    "Sitapur",
    "बरेली कलाँ",
    "Chandpur",
    "Khajuri Kalan",
    "नवादा",
    "Bhojpur ward 7",
    "सोनपुर",
    "Harsud",
    "मझौली",
    "Kanker",
    "धरमपुर टोला",
];

/// Pieces of what a worker writes, in Hindi and English, as they are mixed in the field.
const DESCRIPTION_PIECES: &[&str] = &[
    "पति शराब पीकर रोज़ मारपीट करता है।",
    "Husband beats her after drinking, mostly at night.",
    "ससुराल वाले दहेज में मोटरसाइकिल और दो लाख रुपये मांग रहे हैं।",
    "In-laws keep her locked in the house and took her phone.",
    "She came with her mother after the awareness camp at the school.",
    "धमकी देते हैं कि बच्चों को छीन लेंगे।",
    "Wants counselling first, not police yet.",
    "पड़ोसी ने 181 पर फोन किया।",
    "Injury on left arm, sent for medical check-up at CHC.",
    "मायके वापस जाना चाहती है, पर डर है।",
    "Husband's brother harasses her when he is away for work.",
    "पहले भी दो बार शिकायत की थी, कोई कार्रवाई नहीं हुई।",
    "Asked for a lawyer about maintenance for her two children.",
    "Safe to call only after 2 pm, when the husband is at the mandi.",
];

/// Follow-up lines appended to a description on a later visit.
const FOLLOW_UPS: &[&str] = &[
    " दूसरे सत्र में पति भी आया।",
    " Shelter for two nights arranged.",
    " FIR दर्ज हो गई है।",
    " Agreed to joint counselling next week.",
];

/// One push as a device sends it: the body's bytes, and the change ids it carries in order, to
/// check the answer against.
pub struct Push {
    pub body: Vec<u8>,
    pub changes: Vec<ChangeId>,
}

/// One simulated device: its pushes, in outbox order.
pub struct DeviceWork {
    pub device: DeviceId,
    pub pushes: Vec<Push>,
}

/// One change as the server's `changes` table holds it, for the raw-insert floor.
pub struct Row {
    pub id: String,
    pub record: String,
    pub device: String,
    /// The change's JSON, as the server stores it.
    pub body: String,
}

pub struct Workload {
    pub devices: Vec<DeviceWork>,
    /// Every change as a row, grouped in batches of the same size as the pushes.
    pub row_batches: Vec<Vec<Row>>,
}

impl Workload {
    /// `total` changes spread as evenly as possible over `devices`, each device's cut into pushes
    /// of `batch` changes.
    pub fn generate(total: usize, devices: usize, batch: usize) -> anyhow::Result<Workload> {
        let mut work = Vec::with_capacity(devices);
        let mut row_batches = Vec::new();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .context("Failed to read the clock: it is set before 1970")?
            .as_millis();
        let now = u64::try_from(now).context("Failed to read the clock: it is too far ahead")?;
        for index in 0..devices {
            let quota = total / devices + usize::from(index < total % devices);
            let mut random = Random::new(index as u64);
            let device = DeviceId::new();
            // Typed in the hours before the push, as the server takes no stamp from the future:
            // no change is more than 65 s after the one before it.
            let start = now.saturating_sub(quota as u64 * 65_000);
            let changes = device_changes(&mut random, Clock::new(device), start, quota);
            let mut pushes = Vec::with_capacity(quota.div_ceil(batch));
            for chunk in changes.chunks(batch) {
                let request = PushRequest {
                    protocol: PROTOCOL,
                    device,
                    seen: None,
                    changes: chunk.to_vec(),
                };
                pushes.push(Push {
                    // What the app's sync client sends: `serde_json::to_string` of the request.
                    body: serde_json::to_vec(&request).context("Failed to write a push as JSON")?,
                    changes: chunk.iter().map(|change| change.id).collect(),
                });
                row_batches.push(rows(device, chunk)?);
            }
            work.push(DeviceWork { device, pushes });
        }
        Ok(Workload {
            devices: work,
            row_batches,
        })
    }
}

fn rows(device: DeviceId, changes: &[Change]) -> anyhow::Result<Vec<Row>> {
    let device = device.to_string();
    changes
        .iter()
        .map(|change| {
            Ok(Row {
                id: change.id.to_string(),
                record: change.record.to_string(),
                device: device.clone(),
                body: serde_json::to_string(change).context("Failed to write a change as JSON")?,
            })
        })
        .collect()
}

/// Cases registered on one device until `quota` changes exist, each edited through the domain's
/// own [`Record::edit`], so that stamps and bases are those the app would make.
fn device_changes(random: &mut Random, mut clock: Clock, start: u64, quota: usize) -> Vec<Change> {
    let mut changes = Vec::with_capacity(quota);
    let mut now = start;
    let mut cases = 0usize;
    while changes.len() < quota {
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let description = description(random);
        let edits: [(&str, Value); FIELDS_PER_CASE] = [
            ("name", json!(random.pick(NAMES))),
            ("age", json!(14 + random.below(56))),
            ("phone", json!(phone(random))),
            ("village", json!(random.pick(VILLAGES))),
            ("violence", json!(violence(random))),
            ("description", json!(description)),
        ];
        for (field, value) in edits {
            // A worker types for a few seconds between fields.
            now += 1_000 + random.below(4_000);
            changes.push(case.edit(&mut clock, now, field, value));
        }
        cases += 1;
        if cases.is_multiple_of(FOLLOW_UP_EVERY) {
            now += 60_000;
            let more = format!("{description}{}", random.pick(FOLLOW_UPS));
            changes.push(case.edit(&mut clock, now, "description", json!(more)));
        }
    }
    changes.truncate(quota);
    changes
}

/// 100 to 200 characters of mixed Hindi and English, as a worker writes them.
fn description(random: &mut Random) -> String {
    let target = 100 + random.below(101) as usize;
    let mut text = String::new();
    let mut length = 0;
    loop {
        let piece = random.pick(DESCRIPTION_PIECES);
        let piece_length = piece.chars().count() + usize::from(!text.is_empty());
        if length >= 100 && length + piece_length > target {
            return text;
        }
        if length + piece_length > 200 {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(piece);
        length += piece_length;
    }
}

fn phone(random: &mut Random) -> String {
    let number = 6_000_000_000 + random.below(4_000_000_000);
    let digits = number.to_string();
    match random.below(3) {
        0 => digits,
        1 => format!("+91 {}-{}", &digits[..5], &digits[5..]),
        _ => format!("{} {}", &digits[..5], &digits[5..]),
    }
}

/// One to three different kinds of violence.
fn violence(random: &mut Random) -> Vec<&'static str> {
    let count = 1 + random.below(3) as usize;
    let mut kinds = Vec::with_capacity(count);
    while kinds.len() < count {
        let kind = random.pick(VIOLENCE_KINDS);
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

/// SplitMix64: the same cases every run, without a dependency for it. Not for anything secret.
struct Random(u64);

impl Random {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`; the bias of a plain modulo does not matter here.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::wire::MAX_PUSH_BYTES;

    #[test]
    fn the_work_has_exactly_the_changes_asked_for_in_batches_of_the_size_asked_for() {
        let workload = Workload::generate(1_003, 3, 100).unwrap();
        let changes: usize = workload
            .devices
            .iter()
            .flat_map(|device| &device.pushes)
            .map(|push| push.changes.len())
            .sum();
        assert_eq!(changes, 1_003);
        assert_eq!(workload.devices.len(), 3);
        let pushes: Vec<usize> = workload.devices[0]
            .pushes
            .iter()
            .map(|push| push.changes.len())
            .collect();
        assert_eq!(pushes, [100, 100, 100, 35]);
        let rows: usize = workload.row_batches.iter().map(Vec::len).sum();
        assert_eq!(rows, 1_003);
    }

    #[test]
    fn every_change_passes_the_schema_and_some_are_made_on_top_of_an_earlier_value() {
        let mut random = Random::new(7);
        let changes = device_changes(&mut random, Clock::new(DeviceId::new()), 1, 2_000);
        for change in &changes {
            change.check().unwrap();
        }
        let with_base = changes.iter().filter(|c| c.base.is_some()).count();
        assert!(with_base > 0 && with_base < changes.len() / FIELDS_PER_CASE);
        assert!(changes.windows(2).all(|pair| pair[0].stamp < pair[1].stamp));
    }

    #[test]
    fn descriptions_are_100_to_200_characters_and_mix_hindi_and_english() {
        let mut random = Random::new(1);
        for _ in 0..500 {
            let text = description(&mut random);
            let length = text.chars().count();
            assert!((100..=200).contains(&length), "{length}: {text}");
        }
        let mixed = (0..50)
            .map(|_| description(&mut random))
            .filter(|text| text.chars().any(|c| c.is_ascii_alphabetic()))
            .filter(|text| text.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)))
            .count();
        assert!(mixed > 25, "{mixed}");
    }

    #[test]
    fn a_push_body_is_a_push_request_within_the_servers_limit() {
        let workload = Workload::generate(1_000, 1, 1_000).unwrap();
        let push = &workload.devices[0].pushes[0];
        assert!(push.body.len() < MAX_PUSH_BYTES);
        let request: PushRequest = serde_json::from_slice(&push.body).unwrap();
        assert_eq!(request.device, workload.devices[0].device);
        let ids: Vec<_> = request.changes.iter().map(|c| c.id).collect();
        assert_eq!(ids, push.changes);
    }
}
