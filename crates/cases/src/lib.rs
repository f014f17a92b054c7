//! Synthetic cases for the benchmarks: made up, deterministic, in Hindi and English.
//!
//! No survivor data exists anywhere in the benchmarks: every name, village and story below is
//! invented, and combined by a seeded generator so that every run, the browser and the orchestrator
//! alike, works on the same cases. The browser benchmark in `tests/`, the seeding page in
//! `bench/seeder/` and the orchestrator in `xtask/` all use this crate, for wasm32 and natively, so
//! it needs nothing but `serde_json`.

use serde_json::{Value, json};

const NAMES: &[&str] = &[
    "सीता देवी",
    "Geeta Kumari",
    "राधा यादव",
    "Sunita Bai",
    "पूजा शर्मा",
    "Meena Devi",
    "अनीता कुमारी",
    "Rekha Verma",
    "लक्ष्मी बाई",
    "Kavita Singh",
    "सरिता मीणा",
    "Asha Bai",
];

const VILLAGES: &[&str] = &[
    "रामपुर",
    "Sonpur",
    "बिशनपुर",
    "Khedi",
    "चंदनपुर",
    "Malpura",
    "हरिपुर",
    "Bhojpur",
];

const STORIES: &[&str] = &[
    "पति और ससुराल वाले दहेज के लिए मारते हैं। मायके जाने नहीं देते।",
    "Registered at a school camp; her family is arranging her marriage before she finishes school.",
    "पति शराब पीकर मारपीट करता है, बच्चों के सामने गाली देता है और पैसे छीन लेता है।",
    "Her in-laws keep her wages and will not let her see her parents; she wants counselling first.",
    "फोन पर अनजान नंबर से धमकी भरे संदेश आते हैं, पुलिस में शिकायत करना चाहती है।",
    "Came through the 181 helpline after a neighbour called; asks that the centre not phone her.",
];

/// The kinds of violence used, a subset of the schema's codes.
const VIOLENCE: &[&str] = &[
    "domestic_violence",
    "dowry_harassment",
    "in_law_harassment",
    "physical",
    "emotional",
    "economic",
    "child_marriage",
    "cyber_crime",
];

/// A small seeded generator (SplitMix64): the same `seed` gives the same cases everywhere.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        // n is small; the bias of a modulo is irrelevant here.
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

/// The six fields of case number `n` (0-based), as the new-case form would save them.
pub fn case_fields(n: u64) -> Vec<(&'static str, Value)> {
    let mut dice = Dice(n.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5AC4);
    let name = dice.pick(NAMES);
    let age = 14 + dice.below(50);
    let phone = format!("9{:04} {:05}", dice.below(10_000), dice.below(100_000));
    let village = dice.pick(VILLAGES);
    let first = dice.below(VIOLENCE.len());
    let second = (first + 1 + dice.below(VIOLENCE.len() - 1)) % VIOLENCE.len();
    let mut violence = vec![VIOLENCE[first]];
    if dice.below(2) == 0 {
        violence.push(VIOLENCE[second]);
    }
    let story = dice.pick(STORIES);
    vec![
        ("name", json!(name)),
        ("age", json!(age)),
        ("phone", json!(phone)),
        ("village", json!(village)),
        ("violence", json!(violence)),
        ("description", json!(story)),
    ]
}

/// What the centre did for case `n`, as records of their own naming it: one counselling session
/// (every fifth with its next session due), and for every other case a police service. So a
/// device with N cases holds about 2.5 N records, as one whose cases are being worked does.
pub fn casework(n: u64, case: &str) -> Vec<(&'static str, Vec<(&'static str, Value)>)> {
    let mut dice = Dice(n.wrapping_mul(0x9E37_79B9) ^ 0xCA5E);
    let mut session = vec![
        ("case", json!(case)),
        ("session_number", json!(1)),
        ("session_on", json!("2026-11-02")),
        (
            "session_kind",
            json!(dice.pick(&["individual", "joint", "family"])),
        ),
        ("notes", json!(dice.pick(STORIES))),
    ];
    if n.is_multiple_of(5) {
        session.push((
            "next_on",
            json!(format!("2026-11-{:02}", 10 + dice.below(19))),
        ));
    }
    let mut work = vec![("session", session)];
    if n.is_multiple_of(2) {
        work.push((
            "service",
            vec![
                ("case", json!(case)),
                ("service", json!("police")),
                ("service_state", json!("given")),
                ("service_on", json!("2026-11-01")),
                ("report", json!("dir")),
                ("place", json!(dice.pick(VILLAGES))),
            ],
        ));
    }
    work
}

/// Case `n` as one plain JSON document (field name to value), for peers that store documents.
pub fn case_document(n: u64) -> Value {
    Value::Object(
        case_fields(n)
            .into_iter()
            .map(|(field, value)| (field.to_owned(), value))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_number_gives_the_same_case_in_every_run() {
        assert_eq!(
            case_document(0),
            json!({
                "name": "Geeta Kumari",
                "age": 52,
                "phone": "96881 85396",
                "village": "रामपुर",
                "violence": ["emotional"],
                "description": STORIES[1],
            })
        );
        assert_eq!(case_fields(1)[0], ("name", json!("Rekha Verma")));
        assert_eq!(case_fields(1)[2], ("phone", json!("95547 18761")));
    }

    #[test]
    fn every_fifth_case_has_its_next_session_due_and_every_other_a_police_service() {
        let work = casework(0, "c");
        assert_eq!(work.len(), 2);
        assert!(work[0].1.contains(&("next_on", json!("2026-11-10"))));
        assert!(work[1].1.contains(&("place", json!("Khedi"))));
        assert_eq!(casework(1, "c").len(), 1);
    }
}
