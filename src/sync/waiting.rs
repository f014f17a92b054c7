//! What waits to be sent, counted as a worker counts it: the cases and camps it belongs to, not
//! the field changes it is made of. One case typed at a camp is a dozen changes; "12 waiting" tells
//! her nothing, "1 case waiting" tells her whether she may hand the phone back.

use crate::i18n::{Lang, Text, fill, t};
use sakhi_domain::{Change, Kind, RecordId};

/// The field of a service, session, note or closure that names its case.
const CASE_FIELD: &str = "case";

/// How many cases and camps have something waiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Waiting {
    pub cases: usize,
    pub camps: usize,
    /// Changes to records that are neither, nor belong to a case this phone can name (a record it
    /// no longer holds): counted as changes, so that nothing waiting is ever shown as nothing.
    pub others: usize,
    /// Files whose records are saved and whose content the server has not received.
    pub files: usize,
}

impl Waiting {
    pub fn is_empty(&self) -> bool {
        *self == Waiting::default()
    }

    /// Counts `changes` by the case or camp each belongs to. A piece of a case's work belongs to the
    /// case its own `case` change names, else to the one `placed` says (read from the store for
    /// those whose case was written earlier and already sent).
    pub fn count<'a>(
        changes: impl IntoIterator<Item = &'a Change> + Clone,
        placed: &[(RecordId, RecordId)],
    ) -> Waiting {
        let mut cases: Vec<RecordId> = Vec::new();
        let mut camps: Vec<RecordId> = Vec::new();
        let mut others = 0;
        for change in changes.clone() {
            let owner = match Kind::parse(&change.kind) {
                Ok(Kind::Case) => Some((&mut cases, change.record)),
                Ok(Kind::Camp) => Some((&mut camps, change.record)),
                _ => case_of(changes.clone(), change.record, placed).map(|case| (&mut cases, case)),
            };
            match owner {
                Some((list, id)) => {
                    if !list.contains(&id) {
                        list.push(id);
                    }
                }
                None => others += 1,
            }
        }
        Waiting {
            cases: cases.len(),
            camps: camps.len(),
            others,
            files: 0,
        }
    }

    /// The records of work among `changes` whose case no change of theirs names: those
    /// [`Waiting::count`] needs placed.
    pub fn unplaced<'a>(changes: impl IntoIterator<Item = &'a Change> + Clone) -> Vec<RecordId> {
        let mut unplaced = Vec::new();
        for change in changes.clone() {
            let work = !matches!(Kind::parse(&change.kind), Ok(Kind::Case | Kind::Camp));
            if work
                && !unplaced.contains(&change.record)
                && case_of(changes.clone(), change.record, &[]).is_none()
            {
                unplaced.push(change.record);
            }
        }
        unplaced
    }

    /// "2 cases, 1 camp" in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        let parts = [
            (self.cases, Text::SyncCaseOne, Text::SyncCases),
            (self.camps, Text::SyncCampOne, Text::SyncCamps),
            (self.others, Text::SyncChangeOne, Text::SyncChanges),
            (self.files, Text::SyncFileOne, Text::SyncFiles),
        ];
        let mut said = String::new();
        for (n, one, many) in parts.into_iter().filter(|(n, ..)| *n > 0) {
            if !said.is_empty() {
                said.push_str(", ");
            }
            let words = if n == 1 { t(lang, one) } else { t(lang, many) };
            said.push_str(&fill(words, "n", &n.to_string()));
        }
        said
    }
}

/// The case that the work record `record` belongs to.
fn case_of<'a>(
    changes: impl IntoIterator<Item = &'a Change>,
    record: RecordId,
    placed: &[(RecordId, RecordId)],
) -> Option<RecordId> {
    changes
        .into_iter()
        .filter(|change| change.record == record && change.field == CASE_FIELD)
        .find_map(|change| change.value.as_str()?.parse().ok())
        .or_else(|| {
            placed
                .iter()
                .find(|(work, _)| *work == record)
                .map(|(_, case)| *case)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::{ChangeId, DeviceId, Hlc, Stamp};
    use serde_json::{Value, json};

    fn change(record: RecordId, kind: &str, field: &str, value: Value) -> Change {
        Change {
            id: ChangeId::new(),
            record,
            kind: kind.to_owned(),
            field: field.to_owned(),
            value,
            stamp: Stamp {
                hlc: Hlc {
                    millis: 1,
                    counter: 0,
                },
                device: DeviceId::new(),
            },
            base: None,
        }
    }

    #[test]
    fn a_case_its_work_and_a_camp_count_as_one_case_and_one_camp() {
        let case = RecordId::new();
        let service = RecordId::new();
        let camp = RecordId::new();
        let changes = [
            change(case, "case", "name", json!("Geeta")),
            change(case, "case", "village", json!("Rampur")),
            change(service, "service", "case", json!(case.to_string())),
            change(service, "service", "service", json!("legal")),
            change(camp, "camp", "place", json!("Rampur")),
            change(camp, "camp", "attended", json!(40)),
        ];
        let waiting = Waiting::count(&changes, &[]);
        assert_eq!(
            waiting,
            Waiting {
                cases: 1,
                camps: 1,
                others: 0,
                files: 0
            }
        );
        assert!(Waiting::unplaced(&changes).is_empty());
        assert_eq!(waiting.describe(Lang::En), "1 case, 1 camp");
    }

    #[test]
    fn an_update_to_earlier_work_counts_as_its_case_once_placed() {
        let (case, other, session) = (RecordId::new(), RecordId::new(), RecordId::new());
        let changes = [
            change(session, "session", "notes", json!("Met her mother")),
            change(other, "case", "phone", json!("9100020000")),
        ];
        assert_eq!(Waiting::unplaced(&changes), vec![session]);
        // Not placed: still counted, as a change.
        assert_eq!(
            Waiting::count(&changes, &[]),
            Waiting {
                cases: 1,
                camps: 0,
                others: 1,
                files: 0
            }
        );
        let waiting = Waiting::count(&changes, &[(session, case)]);
        assert_eq!(waiting.cases, 2);
        assert_eq!(waiting.describe(Lang::En), "2 cases");
        let with_files = Waiting {
            files: 2,
            ..waiting
        };
        assert_eq!(with_files.describe(Lang::En), "2 cases, 2 files");
        assert!(
            !Waiting {
                files: 1,
                ..Waiting::default()
            }
            .is_empty()
        );
        assert!(Waiting::count(&[], &[]).is_empty());
    }
}
