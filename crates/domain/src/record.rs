//! Field-stamped records and their merge.
//!
//! A field keeps every version that no later edit was made on top of (its *heads*), and the stamps
//! that edits were made on top of (its *bases*). The winner is the head with the highest stamp; any
//! other head is a conflict for a person to review, so nothing typed is dropped silently.
//!
//! Both sets are functions of the set of versions seen, so merging is set union: commutative,
//! associative and idempotent, and replicas that saw the same edits are equal, whatever the order.

use crate::change::Change;
use crate::clock::{Clock, Stamp};
use crate::ids::{ChangeId, RecordId};
use crate::schema::{DELETED, Kind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One value of a field, as one device wrote it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Version {
    #[serde(rename = "v")]
    pub value: Value,
    #[serde(rename = "s")]
    pub stamp: Stamp,
    /// The stamp of the value the writer saw; `None` when the field was empty to her.
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Stamp>,
}

/// A field's merge state. Kept in a canonical order so equal states compare and serialise equal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Field {
    #[serde(rename = "h")]
    heads: Vec<Version>,
    #[serde(rename = "b", default, skip_serializing_if = "Vec::is_empty")]
    bases: Vec<Stamp>,
}

impl Field {
    /// Adds a version seen anywhere. Versions already seen, or already written over, change nothing.
    pub fn insert(&mut self, version: Version) {
        if let Some(base) = version.base {
            self.add_base(base);
        }
        if !self.heads.contains(&version) {
            self.heads.push(version);
        }
        self.normalise();
    }

    /// Merges another replica's state of the same field: the union of what both have seen.
    pub fn merge(&mut self, other: &Field) {
        for base in &other.bases {
            self.add_base(*base);
        }
        for head in &other.heads {
            if !self.heads.contains(head) {
                self.heads.push(head.clone());
            }
        }
        self.normalise();
    }

    fn add_base(&mut self, base: Stamp) {
        if let Err(at) = self.bases.binary_search(&base) {
            self.bases.insert(at, base);
        }
    }

    /// Drops heads that an edit was made on top of, and puts the rest in canonical order.
    fn normalise(&mut self) {
        let bases = &self.bases;
        self.heads
            .retain(|head| bases.binary_search(&head.stamp).is_err());
        // The value's JSON text only breaks ties. `serde_json::to_string` gives the same text as
        // `Value`'s `Display`, which would also compile a pretty-printer into the app shell; and
        // serialising a `Value` cannot fail.
        self.heads.sort_by_cached_key(|head| {
            let text = serde_json::to_string(&head.value).unwrap_or_default();
            (head.stamp, head.base, text)
        });
    }

    /// The version that counts: the head with the highest stamp.
    pub fn winner(&self) -> Option<&Version> {
        self.heads.iter().max_by(|a, b| a.stamp.cmp(&b.stamp))
    }

    /// Versions that lost to the winner without their writer having seen it: to be reviewed. A
    /// head holding the winner's own value is no conflict: two people wrote the same thing, or a
    /// reviewer kept one value over several heads (see [`Record::resolve`]).
    pub fn conflicts(&self) -> impl Iterator<Item = &Version> {
        let winner = self.winner();
        self.heads.iter().filter(move |head| {
            winner.is_some_and(|winner| head.stamp != winner.stamp && head.value != winner.value)
        })
    }

    pub fn heads(&self) -> &[Version] {
        &self.heads
    }

    /// The stamps that edits were made on top of: versions that a writer saw and replaced.
    pub fn bases(&self) -> &[Stamp] {
        &self.bases
    }

    /// Gives the version stamped `old` the stamp `new` instead, wherever `old` appears: as a
    /// head's stamp or base, or as a base. Only for a version no other replica has seen, as one
    /// the server refused (see [`crate::trust::restamp`]).
    pub fn restamp(&mut self, old: Stamp, new: Stamp) {
        for head in &mut self.heads {
            if head.stamp == old {
                head.stamp = new;
            }
            if head.base == Some(old) {
                head.base = Some(new);
            }
        }
        if let Ok(at) = self.bases.binary_search(&old) {
            self.bases.remove(at);
            self.add_base(new);
        }
        self.normalise();
    }

    /// Whether this field has seen `version`: it is a head still, or an edit replaced it.
    pub fn has_seen(&self, version: &Version) -> bool {
        self.heads.contains(version) || self.bases.binary_search(&version.stamp).is_ok()
    }
}

/// A record of any kind: its id, its kind and its fields, each with its merge state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: RecordId,
    pub kind: Kind,
    pub fields: BTreeMap<String, Field>,
}

impl Record {
    pub fn new(id: RecordId, kind: Kind) -> Self {
        Self {
            id,
            kind,
            fields: BTreeMap::new(),
        }
    }

    /// Applies a change already checked against the schema (see [`Change::check`]).
    pub fn apply(&mut self, change: &Change) {
        debug_assert_eq!(change.record, self.id);
        self.fields
            .entry(change.field.clone())
            .or_default()
            .insert(change.version());
    }

    /// Merges another replica of the same record into this one.
    pub fn merge(&mut self, other: &Record) {
        debug_assert_eq!(other.id, self.id);
        for (name, field) in &other.fields {
            self.fields.entry(name.clone()).or_default().merge(field);
        }
    }

    /// Edits a field as a person on this device: the new value is stamped now, on top of the value
    /// she saw. Returns the change to send, already applied here.
    pub fn edit(
        &mut self,
        clock: &mut Clock,
        now_millis: u64,
        field: &str,
        value: Value,
    ) -> Change {
        let base = self
            .fields
            .get(field)
            .and_then(Field::winner)
            .map(|w| w.stamp);
        // An edit outranks what it was made on top of, even from a clock set back.
        if let Some(base) = base {
            clock.observe(base.hlc);
        }
        let change = Change {
            id: ChangeId::new(),
            record: self.id,
            kind: self.kind.as_str().to_owned(),
            field: field.to_owned(),
            value,
            stamp: clock.tick(now_millis),
            base,
        };
        self.apply(&change);
        change
    }

    /// A person's review of a field in conflict: `value` is kept, on top of every version she was
    /// shown, so none of them is a conflict any more. One change per version, since a change has
    /// one base; each holds the kept value, and all share one stamp: it is one decision, so a
    /// later edit on top of it replaces every one of them, and none comes back as a conflict.
    /// Returns the changes to send, already applied here.
    pub fn resolve(
        &mut self,
        clock: &mut Clock,
        now_millis: u64,
        field: &str,
        value: Value,
    ) -> Vec<Change> {
        let shown: Vec<Stamp> = self
            .fields
            .get(field)
            .map(|field| field.heads().iter().map(|head| head.stamp).collect())
            .unwrap_or_default();
        if let Some(latest) = shown.iter().max() {
            clock.observe(latest.hlc);
        }
        let stamp = clock.tick(now_millis);
        let changes: Vec<Change> = shown
            .into_iter()
            .map(|base| Change {
                id: ChangeId::new(),
                record: self.id,
                kind: self.kind.as_str().to_owned(),
                field: field.to_owned(),
                value: value.clone(),
                stamp,
                base: Some(base),
            })
            .collect();
        for change in &changes {
            self.apply(change);
        }
        changes
    }

    /// A copy without `field`: what a device wrote, to compare with the server's copy, which also
    /// holds what the server adds (a case's number).
    pub fn without(&self, field: &str) -> Record {
        let mut copy = self.clone();
        copy.fields.remove(field);
        copy
    }

    /// The winning value of a field, if it has one that is not `null`.
    pub fn value(&self, field: &str) -> Option<&Value> {
        let value = &self.fields.get(field)?.winner()?.value;
        (!value.is_null()).then_some(value)
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.value(field).and_then(Value::as_str)
    }

    pub fn is_deleted(&self) -> bool {
        self.value(DELETED)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// Fields with a conflict for a person to review.
    pub fn conflicted_fields(&self) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(|(_, field)| field.conflicts().next().is_some())
            .map(|(name, _)| name.as_str())
    }

    /// When the record was made, in milliseconds since 1970: when its id was made, by the clock
    /// of the phone that made it, unless an edit of it is stamped earlier. Then that phone's date
    /// was ahead, and its edits were made again from the server's time (see
    /// [`crate::trust::restamp`]), which is the truer one.
    pub fn made_millis(&self) -> u64 {
        let earliest = self
            .fields
            .values()
            .flat_map(|field| {
                field
                    .heads
                    .iter()
                    .map(|head| head.stamp)
                    .chain(field.bases.iter().copied())
            })
            .map(|stamp| stamp.hlc.millis)
            .min();
        let id = self.id.created_millis();
        earliest.map_or(id, |earliest| earliest.min(id))
    }

    /// The latest stamp anywhere in the record, for a clock to observe.
    pub fn latest_stamp(&self) -> Option<Stamp> {
        self.fields
            .values()
            .flat_map(|f| f.heads.iter().map(|h| h.stamp))
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DeviceId;
    use serde_json::json;

    fn case() -> Record {
        Record::new(RecordId::new(), Kind::Case)
    }

    #[test]
    fn an_edit_on_top_of_the_current_value_replaces_it_without_conflict() {
        let mut clock = Clock::new(DeviceId::new());
        let mut record = case();
        record.edit(&mut clock, 1, "name", json!("Sita"));
        record.edit(&mut clock, 2, "name", json!("Sita Devi"));
        assert_eq!(record.text("name"), Some("Sita Devi"));
        assert_eq!(record.conflicted_fields().count(), 0);
    }

    #[test]
    fn the_winner_is_always_the_last_head_as_the_servers_report_reads_it() {
        // Three phones write one field without seeing each other, merged in every order.
        let stamps = [30, 10, 20];
        let versions: Vec<Record> = stamps
            .iter()
            .map(|at| {
                let mut record = Record::new(RecordId::from_uuid(uuid::Uuid::nil()), Kind::Case);
                let mut clock = Clock::new(DeviceId::new());
                record.edit(&mut clock, *at, "village", json!(format!("v{at}")));
                record
            })
            .collect();
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2]] {
            let mut merged = Record::new(RecordId::from_uuid(uuid::Uuid::nil()), Kind::Case);
            for at in order {
                merged.merge(&versions[at]);
            }
            let field = &merged.fields["village"];
            assert_eq!(field.heads().len(), 3);
            assert_eq!(field.winner(), field.heads().last());
            assert_eq!(merged.text("village"), Some("v30"));
        }
    }

    #[test]
    fn a_change_with_a_stale_base_is_kept_as_a_conflict() {
        let mut phone = Clock::new(DeviceId::new());
        let mut desk = Clock::new(DeviceId::new());
        let mut original = case();
        original.edit(&mut phone, 1, "village", json!("Rampur"));

        let mut on_phone = original.clone();
        let mut on_desk = original.clone();
        let from_phone = on_phone.edit(&mut phone, 10, "village", json!("Rampura"));
        let from_desk = on_desk.edit(&mut desk, 20, "village", json!("रामपुर"));

        on_phone.apply(&from_desk);
        on_desk.apply(&from_phone);
        assert_eq!(on_phone, on_desk);
        assert_eq!(on_phone.text("village"), Some("रामपुर"));
        let losers: Vec<_> = on_phone.fields["village"]
            .conflicts()
            .map(|v| &v.value)
            .collect();
        assert_eq!(losers, [&json!("Rampura")]);
    }

    #[test]
    fn resolving_a_conflict_by_editing_the_winner_keeps_the_loser_until_it_too_is_written_over() {
        let mut a = Clock::new(DeviceId::new());
        let mut b = Clock::new(DeviceId::new());
        let mut record = case();
        let first = record.clone().edit(&mut a, 1, "age", json!(30));
        let second = record.clone().edit(&mut b, 2, "age", json!(31));
        record.apply(&first);
        record.apply(&second);
        assert_eq!(record.conflicted_fields().collect::<Vec<_>>(), ["age"]);
        record.edit(&mut a, 3, "age", json!(32));
        assert_eq!(record.value("age"), Some(&json!(32)));
        assert_eq!(record.conflicted_fields().collect::<Vec<_>>(), ["age"]);
    }

    #[test]
    fn a_field_has_seen_its_heads_and_the_versions_edits_replaced_but_not_others() {
        let mut clock = Clock::new(DeviceId::new());
        let mut record = case();
        let first = record.edit(&mut clock, 1, "name", json!("Sita"));
        let second = record.edit(&mut clock, 2, "name", json!("Sita Devi"));
        let elsewhere = case().edit(&mut clock, 3, "name", json!("Gita"));
        let field = &record.fields["name"];
        assert!(field.has_seen(&first.version()));
        assert!(field.has_seen(&second.version()));
        assert!(!field.has_seen(&elsewhere.version()));
        assert_eq!(field.bases(), [first.stamp]);
    }

    #[test]
    fn deletion_is_a_field() {
        let mut clock = Clock::new(DeviceId::new());
        let mut record = case();
        assert!(!record.is_deleted());
        record.edit(&mut clock, 1, DELETED, json!(true));
        assert!(record.is_deleted());
    }

    #[test]
    fn a_record_round_trips_through_json() {
        let mut clock = Clock::new(DeviceId::new());
        let mut record = case();
        record.edit(&mut clock, 1, "name", json!("गीता"));
        record.edit(&mut clock, 2, "violence", json!(["dowry_harassment"]));
        let text = serde_json::to_string(&record).unwrap();
        assert_eq!(serde_json::from_str::<Record>(&text).unwrap(), record);
    }

    #[test]
    fn a_review_keeps_one_value_over_every_version_and_every_replica_agrees() {
        let mut phone = Clock::new(DeviceId::new());
        let mut desk = Clock::new(DeviceId::new());
        let mut reviewer = Clock::new(DeviceId::new());
        let mut original = case();
        original.edit(&mut phone, 1, "village", json!("Rampur"));
        let (mut on_phone, mut on_desk) = (original.clone(), original.clone());
        let from_phone = on_phone.edit(&mut phone, 10, "village", json!("Rampura"));
        let from_desk = on_desk.edit(&mut desk, 20, "village", json!("रामपुर"));
        let mut seen = original.clone();
        seen.apply(&from_phone);
        seen.apply(&from_desk);
        assert_eq!(seen.conflicted_fields().collect::<Vec<_>>(), ["village"]);

        // She keeps the value that lost.
        let review = seen.resolve(&mut reviewer, 30, "village", json!("Rampura"));
        assert_eq!(review.len(), 2);
        assert_eq!(seen.text("village"), Some("Rampura"));
        assert_eq!(seen.conflicted_fields().count(), 0);

        // A replica that gets the review in any order ends the same.
        let mut elsewhere = original;
        for change in review.iter().rev().chain([&from_desk, &from_phone]) {
            elsewhere.apply(change);
        }
        assert_eq!(elsewhere, seen);
    }

    #[test]
    fn an_edit_after_a_review_replaces_the_kept_value_and_brings_back_no_conflict() {
        let (mut phone, mut desk) = (Clock::new(DeviceId::new()), Clock::new(DeviceId::new()));
        let mut record = case();
        let first = record
            .clone()
            .edit(&mut phone, 1, "closure", json!("settlement"));
        let second = record.clone().edit(&mut desk, 2, "closure", json!("court"));
        record.apply(&first);
        record.apply(&second);
        record.resolve(&mut desk, 3, "closure", json!("court"));
        assert_eq!(record.conflicted_fields().count(), 0);
        // Reopened: the reason is cleared, and nothing of the review is left to review again.
        record.edit(&mut desk, 4, "closure", Value::Null);
        assert_eq!(record.value("closure"), None);
        assert_eq!(record.conflicted_fields().count(), 0);
        assert_eq!(record.fields["closure"].heads().len(), 1);
    }

    #[test]
    fn two_people_writing_the_same_value_is_no_conflict() {
        let (mut a, mut b) = (Clock::new(DeviceId::new()), Clock::new(DeviceId::new()));
        let mut record = case();
        let first = record.clone().edit(&mut a, 1, "age", json!(30));
        let second = record.clone().edit(&mut b, 2, "age", json!(30));
        record.apply(&first);
        record.apply(&second);
        assert_eq!(record.fields["age"].heads().len(), 2);
        assert_eq!(record.conflicted_fields().count(), 0);
    }
}
