//! A case's history, decided without I/O, alike for every backend: which records are the case's
//! ([`family`]), who sent each change ([`People`]), and a page of their changes with the values
//! they replaced ([`page`]). A backend only reads the candidates and the changes
//! ([`SyncStore::case_changes`](super::SyncStore::case_changes)).

use sakhi_domain::schema::CASE;
use sakhi_domain::wire::account::Account;
use sakhi_domain::wire::history::{CaseHistory, HistoryEntry};
use sakhi_domain::{AccountId, Change, DeviceId, Kind, Record, RecordId, Stamp};
use serde_json::Value;
use std::collections::HashMap;

/// One change as the server keeps it: its number in the centre's sequence, the device whose push
/// carried it, and when the server received it (milliseconds since 1970).
#[derive(Clone, Debug, PartialEq)]
pub struct KeptChange {
    pub seq: i64,
    pub device: DeviceId,
    pub received_at: i64,
    pub change: Change,
}

/// The `LIKE` pattern a record's stored body matches if it may be the case `case` or name it: the
/// id's last twelve hex digits, which every spelling of a UUID that a `case` field takes holds in
/// one piece (hyphenated, plain, braced, `urn:uuid:`), to be matched without regard to ASCII case
/// (SQLite's `LIKE`, PostgreSQL's `ILIKE`). They are random, so few other records match; the text
/// test spares the database parsing every record's JSON, and [`family`] decides.
pub fn candidates_pattern(case: RecordId) -> String {
    let hex = case.as_uuid().simple().to_string();
    format!("%{}%", &hex[20..])
}

/// The case `case` and its work records among `candidates`, the case first: the records whose
/// `case` field names it now, whatever their kind. `None` if no candidate is the case, or it is
/// not a case, which the caller answers as not found alike.
pub fn family(case: RecordId, candidates: &[Record]) -> Option<Vec<RecordId>> {
    let found = candidates.iter().find(|record| record.id == case)?;
    if found.kind != Kind::Case {
        return None;
    }
    let mut ids = vec![case];
    ids.extend(
        candidates
            .iter()
            .filter(|record| record.id != case && names(record, case))
            .map(|record| record.id),
    );
    Some(ids)
}

/// Whether `record`'s `case` field names `case`, in any spelling of its id the schema takes.
fn names(record: &Record, case: RecordId) -> bool {
    record
        .text(CASE)
        .and_then(|text| text.parse::<RecordId>().ok())
        == Some(case)
}

/// Who sends from which device, as the server knows it: the devices each account of the centre
/// logged in on or pushed from (see [`AccountStore::devices`](super::AccountStore::devices)), and every
/// account's display name, disabled accounts' too, since what they wrote stays.
#[derive(Clone, Debug, Default)]
pub struct People {
    on: HashMap<DeviceId, Vec<AccountId>>,
    names: HashMap<AccountId, String>,
}

impl People {
    pub fn new(accounts: &[Account], devices: &[(AccountId, DeviceId)]) -> People {
        let mut on: HashMap<DeviceId, Vec<AccountId>> = HashMap::new();
        for (account, device) in devices {
            let accounts = on.entry(*device).or_default();
            if !accounts.contains(account) {
                accounts.push(*account);
            }
        }
        let names = accounts
            .iter()
            .map(|account| (account.id, account.display_name.clone()))
            .collect();
        People { on, names }
    }

    /// The one account known on `device`, and its name. `None` if no account is, or several are
    /// (workers who shared a login's phone): naming the wrong worker would be worse than naming
    /// no one.
    pub fn on(&self, device: DeviceId) -> Option<(AccountId, Option<&str>)> {
        match self.on.get(&device)?.as_slice() {
            [account] => Some((*account, self.names.get(account).map(String::as_str))),
            _ => None,
        }
    }
}

/// The page of a case's history after the sequence number `after`, at most `limit` entries (one
/// at least), from every change kept of the case and its work records (`kept`, in any order):
/// each with the value it replaced, looked for among them all, and who sent it. `next` is the
/// last entry's number when more follow.
pub fn page(mut kept: Vec<KeptChange>, after: i64, limit: u32, people: &People) -> CaseHistory {
    kept.sort_by_key(|kept| kept.seq);
    let mut replaced: HashMap<(RecordId, &str, Stamp), &Value> = HashMap::new();
    for kept in &kept {
        let change = &kept.change;
        replaced
            .entry((change.record, change.field.as_str(), change.stamp))
            .or_insert(&change.value);
    }
    let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
    let mut unread = kept.iter().filter(|kept| kept.seq > after);
    let entries: Vec<HistoryEntry> = unread
        .by_ref()
        .take(limit)
        .map(|kept| {
            let change = &kept.change;
            let before = change.base.and_then(|base| {
                replaced
                    .get(&(change.record, change.field.as_str(), base))
                    .map(|value| (*value).clone())
            });
            let who = people.on(kept.device);
            HistoryEntry {
                seq: kept.seq,
                change: change.id,
                record: change.record,
                kind: change.kind.clone(),
                field: change.field.clone(),
                value: change.value.clone(),
                before,
                stamp: change.stamp,
                base: change.base,
                device: kept.device,
                account: who.map(|(account, _)| account),
                by: who.and_then(|(_, name)| name).map(str::to_owned),
                received_at: u64::try_from(kept.received_at).unwrap_or(0),
            }
        })
        .collect();
    let next = match unread.next() {
        Some(_) => entries.last().map(|entry| entry.seq),
        None => None,
    };
    CaseHistory { entries, next }
}

/// The records a page shows something of, the case first, each once: what its audit row names.
pub fn records_shown(case: RecordId, history: &CaseHistory) -> Vec<RecordId> {
    let mut records = vec![case];
    for entry in &history.entries {
        if !records.contains(&entry.record) {
            records.push(entry.record);
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::wire::account::Centre;
    use sakhi_domain::{CentreId, Clock, Role};
    use serde_json::json;

    /// Changes kept as a centre numbers them, from `first` on, each pushed by its writer's device.
    fn kept(first: i64, changes: &[Change]) -> Vec<KeptChange> {
        changes
            .iter()
            .zip(first..)
            .map(|(change, seq)| KeptChange {
                seq,
                device: change.stamp.device,
                received_at: 1_750_000_000_000 + seq,
                change: change.clone(),
            })
            .collect()
    }

    fn account(name: &str) -> Account {
        Account {
            id: AccountId::new(),
            username: name.to_owned(),
            display_name: format!("{name} देवी"),
            role: Role::Counsellor,
            centre: Centre {
                id: CentreId::new(),
                code: "DHR".to_owned(),
                name: "One Stop Centre".to_owned(),
                district: "धारवाड़".to_owned(),
                state: "Karnataka".to_owned(),
                lock_minutes: 5,
                purge_days: None,
            },
            disabled: false,
            created_at: 0,
        }
    }

    /// A case and a service of it, written at the desk and then edited on a phone.
    struct Written {
        case: Record,
        service: Record,
        changes: Vec<Change>,
        desk: Clock,
        phone: Clock,
    }

    fn written() -> Written {
        let mut desk = Clock::new(DeviceId::new());
        let mut phone = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let mut service = Record::new(RecordId::new(), Kind::Service);
        let mut changes = vec![
            case.edit(&mut desk, 1_000, "name", json!("Sita")),
            service.edit(&mut desk, 1_001, CASE, json!(case.id.to_string())),
            service.edit(&mut desk, 1_002, "service", json!("police")),
        ];
        let mut on_phone = case.clone();
        changes.push(on_phone.edit(&mut phone, 2_000, "name", json!("Sita Devi")));
        let mut service_on_phone = service.clone();
        changes.push(service_on_phone.edit(&mut phone, 2_001, "service", json!("medical")));
        Written {
            case,
            service,
            changes,
            desk,
            phone,
        }
    }

    #[test]
    fn the_case_and_the_records_naming_it_are_its_family_whatever_their_kind_or_spelling() {
        let mut clock = Clock::new(DeviceId::new());
        let case = Record::new(RecordId::new(), Kind::Case);
        let work = |kind: Kind, named: String, clock: &mut Clock| {
            let mut record = Record::new(RecordId::new(), kind);
            record.edit(clock, 1, CASE, json!(named));
            record
        };
        let service = work(Kind::Service, case.id.to_string(), &mut clock);
        let closure = work(
            Kind::Closure,
            case.id.to_string().to_uppercase(),
            &mut clock,
        );
        let note = work(
            Kind::Note,
            case.id.as_uuid().simple().to_string(),
            &mut clock,
        );
        let elsewhere = work(Kind::Session, RecordId::new().to_string(), &mut clock);
        let candidates = [
            service.clone(),
            elsewhere,
            case.clone(),
            closure.clone(),
            note.clone(),
        ];
        assert_eq!(
            family(case.id, &candidates),
            Some(vec![case.id, service.id, closure.id, note.id])
        );
        assert_eq!(family(RecordId::new(), &candidates), None, "no such record");
        assert_eq!(family(service.id, &candidates), None, "not a case");
    }

    #[test]
    fn the_candidates_pattern_is_the_ids_random_tail_found_in_every_spelling() {
        let case: RecordId = "019ad0c4-5a3e-7b21-9c4d-1e2f3a4b5c6d".parse().unwrap();
        let pattern = candidates_pattern(case);
        assert_eq!(pattern, "%1e2f3a4b5c6d%");
        let tail = pattern.trim_matches('%');
        for spelling in [
            case.to_string(),
            case.to_string().to_uppercase(),
            case.as_uuid().simple().to_string(),
            format!("{{{case}}}"),
            format!("urn:uuid:{case}"),
        ] {
            assert!(spelling.to_lowercase().contains(tail), "{spelling}");
            assert_eq!(spelling.parse::<RecordId>().unwrap(), case);
        }
    }

    #[test]
    fn each_entry_says_what_it_replaced_and_who_sent_it() {
        let written = written();
        let (sita, gita) = (account("sita"), account("gita"));
        let people = People::new(
            &[sita.clone(), gita.clone()],
            &[
                (sita.id, written.desk.device()),
                (gita.id, written.phone.device()),
            ],
        );
        let history = page(kept(10, &written.changes), 0, 100, &people);
        assert_eq!(history.next, None);
        let seen: Vec<_> = history
            .entries
            .iter()
            .map(|entry| {
                (
                    entry.seq,
                    entry.record,
                    entry.field.as_str(),
                    entry.value.clone(),
                    entry.before.clone(),
                    entry.by.as_deref(),
                )
            })
            .collect();
        let (case, service) = (written.case.id, written.service.id);
        assert_eq!(
            seen,
            [
                (10, case, "name", json!("Sita"), None, Some("sita देवी")),
                (
                    11,
                    service,
                    CASE,
                    json!(case.to_string()),
                    None,
                    Some("sita देवी")
                ),
                (
                    12,
                    service,
                    "service",
                    json!("police"),
                    None,
                    Some("sita देवी")
                ),
                (
                    13,
                    case,
                    "name",
                    json!("Sita Devi"),
                    Some(json!("Sita")),
                    Some("gita देवी")
                ),
                (
                    14,
                    service,
                    "service",
                    json!("medical"),
                    Some(json!("police")),
                    Some("gita देवी")
                ),
            ]
        );
        let last = &history.entries[4];
        assert_eq!(last.account, Some(gita.id));
        assert_eq!(last.device, written.phone.device());
        assert_eq!(last.kind, "service");
        assert_eq!(last.received_at, 1_750_000_000_014);
        assert_eq!(last.base, Some(written.changes[2].stamp));
    }

    #[test]
    fn a_value_replaced_is_found_whatever_page_or_order_it_is_kept_in() {
        let written = written();
        let mut shuffled = kept(1, &written.changes);
        shuffled.reverse();
        let history = page(shuffled, 3, 1, &People::default());
        assert_eq!(history.entries.len(), 1);
        assert_eq!(history.entries[0].seq, 4);
        assert_eq!(history.entries[0].before, Some(json!("Sita")));
        assert_eq!(history.next, Some(4));
    }

    #[test]
    fn a_base_the_server_does_not_hold_or_a_field_empty_to_the_writer_replaced_nothing() {
        let written = written();
        // The desk's changes are lost (to a restore, say): only the phone's are kept.
        let history = page(kept(4, &written.changes[3..]), 0, 100, &People::default());
        assert!(history.entries.iter().all(|entry| entry.before.is_none()));
        assert!(history.entries.iter().all(|entry| entry.base.is_some()));
        let first = page(kept(1, &written.changes[..1]), 0, 100, &People::default());
        assert_eq!(first.entries[0].base, None);
        assert_eq!(first.entries[0].before, None);
    }

    #[test]
    fn pages_of_any_size_return_every_change_once_in_order_and_end_with_no_next() {
        let written = written();
        let all = kept(20, &written.changes);
        for limit in [0, 1, 2, 3, 5, 500] {
            let mut seen = Vec::new();
            let mut after = 0;
            loop {
                let history = page(all.clone(), after, limit, &People::default());
                assert!(history.entries.len() <= limit.max(1) as usize);
                seen.extend(history.entries.iter().map(|entry| entry.seq));
                match history.next {
                    Some(next) => after = next,
                    None => break,
                }
            }
            assert_eq!(seen, [20, 21, 22, 23, 24], "limit {limit}");
        }
        let past_the_end = page(all, 24, 10, &People::default());
        assert_eq!(past_the_end, CaseHistory::default());
    }

    #[test]
    fn a_device_known_to_several_accounts_or_none_names_no_one() {
        let (sita, gita) = (account("sita"), account("gita"));
        let shared = DeviceId::new();
        let own = DeviceId::new();
        let people = People::new(
            &[sita.clone(), gita.clone()],
            &[
                (sita.id, shared),
                (gita.id, shared),
                (sita.id, own),
                (sita.id, own),
            ],
        );
        assert_eq!(people.on(shared), None);
        assert_eq!(people.on(DeviceId::new()), None);
        assert_eq!(people.on(own), Some((sita.id, Some("sita देवी"))));
        // An account the centre no longer lists is still named by its id.
        let gone = AccountId::new();
        let people = People::new(&[], &[(gone, own)]);
        assert_eq!(people.on(own), Some((gone, None)));
    }

    #[test]
    fn an_audit_row_names_the_case_and_each_record_shown_once() {
        let written = written();
        let history = page(kept(1, &written.changes), 0, 100, &People::default());
        assert_eq!(
            records_shown(written.case.id, &history),
            [written.case.id, written.service.id]
        );
        assert_eq!(
            records_shown(written.case.id, &CaseHistory::default()),
            [written.case.id]
        );
    }
}
