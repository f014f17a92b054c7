//! Whose a record is: the one rule of which accounts an outreach worker's scope reaches, shared
//! by every backend's pushes, pulls and scope exits.
//!
//! An account sees the whole centre unless it is an outreach worker's; hers reaches only the
//! records it holds. Pushes check it in Rust ([`super::batch::refusal`]), pulls in SQL
//! ([`held_by_sql`]), and a push that takes a record away from an account records it
//! ([`Holders::left`]): all three read the rule here, so they cannot drift apart.

use sakhi_domain::Record;
use sakhi_domain::schema::ASSIGNED_TO;
use std::collections::BTreeSet;

/// The accounts a record is held by: the account whose push made it (`None` for records from
/// before accounts) and the account its `assigned_to` field names (any text the field holds: a
/// value that names no account is held by no one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holders<'a> {
    pub created_by: Option<&'a str>,
    pub assigned_to: Option<&'a str>,
}

impl<'a> Holders<'a> {
    /// Whose `record` is, made by `created_by`, as it stands.
    pub fn of(created_by: Option<&'a str>, record: &'a Record) -> Self {
        Holders {
            created_by,
            assigned_to: assignee(record),
        }
    }

    /// Whether `account`'s own scope reaches the record.
    pub fn include(&self, account: &str) -> bool {
        self.created_by == Some(account) || self.assigned_to == Some(account)
    }

    /// The holding accounts, each once.
    fn accounts(&self) -> BTreeSet<&'a str> {
        self.created_by
            .into_iter()
            .chain(self.assigned_to)
            .collect()
    }

    /// The accounts that held the record as `self` and do not as `now`: it has left their scope.
    /// Read the other way round (`now.left(&before)`), the accounts it has come back to.
    pub fn left(&self, now: &Holders<'_>) -> Vec<String> {
        self.accounts()
            .into_iter()
            .filter(|account| !now.include(account))
            .map(str::to_owned)
            .collect()
    }
}

/// The account `record` is assigned to, as its `assigned_to` field names it: what a backend
/// keeps in the `records` table's `assigned_to` column.
pub fn assignee(record: &Record) -> Option<&str> {
    record.text(ASSIGNED_TO)
}

/// [`Holders::include`] as a condition on the `records` table's `created_by` and `assigned_to`
/// columns, for the account bound at `account` (a backend's placeholder, `?4` or `$4`).
pub(crate) fn held_by_sql(account: &str) -> String {
    format!("(created_by = {account} OR assigned_to = {account})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_held_by_its_maker_and_its_assignee() {
        let holders = Holders {
            created_by: Some("maker"),
            assigned_to: Some("assignee"),
        };
        assert!(holders.include("maker") && holders.include("assignee"));
        assert!(!holders.include("someone else"));
        assert!(!Holders::default().include(""));
    }

    #[test]
    fn a_record_assigned_away_leaves_its_assignee_but_never_its_maker() {
        let before = Holders {
            created_by: Some("maker"),
            assigned_to: Some("first"),
        };
        let after = Holders {
            assigned_to: Some("second"),
            ..before
        };
        assert_eq!(before.left(&after), ["first"]);
        assert_eq!(after.left(&before), ["second"]);
        let to_maker = Holders {
            assigned_to: Some("maker"),
            ..before
        };
        assert_eq!(to_maker.left(&after), Vec::<String>::new());
        assert_eq!(before.left(&before), Vec::<String>::new());
    }

    #[test]
    fn a_record_from_before_accounts_leaves_only_its_assignee() {
        let before = Holders {
            created_by: None,
            assigned_to: Some("first"),
        };
        assert_eq!(before.left(&Holders::default()), ["first"]);
    }
}
