//! Pieces of screen used by more than one page.

mod alert;
mod field_problem;
mod header;
mod language_switch;
mod print_header;
pub mod quick_exit;
mod refused;
mod sync_badge;
mod unfinished;

pub use alert::{alert, clock_warning};
pub use field_problem::{
    Choices, FieldProblem, FieldRule, TextArea, TextField, control_id,
    problem_id as field_problem_id,
};
pub use header::{AppHeader, BottomNav};
pub use language_switch::{LanguageSwitch, LanguageToggle};
pub use print_header::PrintHeader;
pub use quick_exit::QuickExit;
pub use refused::RefusedChanges;
pub use sync_badge::SyncBadge;
pub use unfinished::{Confirm, FormActions, UnfinishedOffer};
