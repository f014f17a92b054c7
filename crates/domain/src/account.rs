//! Accounts and centres: roles, and the rules for usernames, display names, passwords, centre
//! codes and centre settings, shared by the app (for instant feedback) and the server (which
//! enforces them).

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// What an account may do. Every account belongs to one centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the centre's accounts and reads its audit log; sees every record of the centre.
    Administrator,
    /// A case worker or counsellor: sees every record of the centre.
    Counsellor,
    /// Works in the villages: sees only the records she created or that are assigned to her.
    OutreachWorker,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Administrator, Role::Counsellor, Role::OutreachWorker];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Counsellor => "counsellor",
            Role::OutreachWorker => "outreach_worker",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

/// Why a username, display name, password or centre detail was refused. The `code` is stable, for
/// the app to translate; the text is a short English reason.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AccountRule {
    #[error(
        "a username is 3 to 32 letters a-z, digits, dots, dashes or underscores, without spaces"
    )]
    BadUsername,
    #[error("a name to show must be 1 to 80 characters")]
    BadDisplayName,
    /// Control characters (NUL, a line break) or marks that turn text around (U+202E and its
    /// kin), often pasted unseen: a name holding them can show as something else.
    #[error("remove the hidden control characters or direction marks, then try again")]
    HiddenCharacters,
    #[error("a password must be at least {} characters", Password::MIN_CHARS)]
    PasswordTooShort,
    #[error("a password may be at most {} characters", Password::MAX_CHARS)]
    PasswordTooLong,
    #[error("the password must not be the username")]
    PasswordIsUsername,
    #[error("this password is one of the most common ones: choose another")]
    PasswordTooCommon,
    #[error("a centre code is 2 to 8 capital letters A-Z, such as DHR")]
    BadCentreCode,
    #[error("the centre's {0} must be 1 to 100 characters")]
    BadCentreDetail(&'static str),
    #[error(
        "the app locks after {} to {} idle minutes",
        LockMinutes::MIN,
        LockMinutes::MAX
    )]
    BadLockMinutes,
    #[error(
        "outreach workers' phones keep synced cases {} to {} days, or with no limit",
        PurgeDays::MIN,
        PurgeDays::MAX
    )]
    BadPurgeDays,
}

impl AccountRule {
    pub fn code(&self) -> &'static str {
        match self {
            AccountRule::BadUsername => "bad_username",
            AccountRule::BadDisplayName => "bad_display_name",
            AccountRule::HiddenCharacters => "hidden_characters",
            AccountRule::PasswordTooShort => "password_too_short",
            AccountRule::PasswordTooLong => "password_too_long",
            AccountRule::PasswordIsUsername => "password_is_username",
            AccountRule::PasswordTooCommon => "password_too_common",
            AccountRule::BadCentreCode => "bad_centre_code",
            AccountRule::BadCentreDetail(_) => "bad_centre_detail",
            AccountRule::BadLockMinutes => "bad_lock_minutes",
            AccountRule::BadPurgeDays => "bad_purge_days",
        }
    }

    /// The rule an answer's `code` names, so the app can say it in the worker's language. A
    /// centre detail comes back without saying which one.
    pub fn from_code(code: &str) -> Option<AccountRule> {
        [
            AccountRule::BadUsername,
            AccountRule::BadDisplayName,
            AccountRule::HiddenCharacters,
            AccountRule::PasswordTooShort,
            AccountRule::PasswordTooLong,
            AccountRule::PasswordIsUsername,
            AccountRule::PasswordTooCommon,
            AccountRule::BadCentreCode,
            AccountRule::BadCentreDetail("detail"),
            AccountRule::BadLockMinutes,
            AccountRule::BadPurgeDays,
        ]
        .into_iter()
        .find(|rule| rule.code() == code)
    }
}

/// A username: ASCII, compared without regard to case, so it is kept in lower case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

impl Username {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 32;

    /// Takes what was typed, without surrounding spaces, in lower case.
    pub fn parse(text: &str) -> Result<Username, AccountRule> {
        let text = text.trim().to_ascii_lowercase();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if (Self::MIN_CHARS..=Self::MAX_CHARS).contains(&text.len()) && text.chars().all(allowed) {
            Ok(Username(text))
        } else {
            Err(AccountRule::BadUsername)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `c` is a control character or a mark that changes the direction of the text around it:
/// the embeddings and overrides U+202A to U+202E, the isolates U+2066 to U+2069, the marks
/// U+200E and U+200F and the Arabic letter mark U+061C. Names refuse all of these.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// The name shown for an account, in any script: 1 to 80 characters, none of them
/// [hidden](is_hidden).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(text: &str) -> Result<DisplayName, AccountRule> {
        let text = text.trim();
        if text.chars().any(is_hidden) {
            return Err(AccountRule::HiddenCharacters);
        }
        let chars = text.chars().count();
        if (1..=Self::MAX_CHARS).contains(&chars) {
            Ok(DisplayName(text.to_owned()))
        } else {
            Err(AccountRule::BadDisplayName)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that meets the rules. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// The most common passwords, one a line, in lower case: refused whatever their case.
const COMMON_PASSWORDS: &str = include_str!("account/common_passwords.txt");

impl Password {
    /// Counted in characters, not bytes: a Devanagari letter is three bytes.
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    /// Checks a new password for the account `username` (as typed; compared without case). Any
    /// printable character of any script is allowed; control characters are not, since no
    /// keyboard types them and a NUL cannot be kept by every database.
    pub fn parse(password: &str, username: &str) -> Result<Password, AccountRule> {
        if password.chars().any(char::is_control) {
            return Err(AccountRule::HiddenCharacters);
        }
        let chars = password.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(AccountRule::PasswordTooLong);
        }
        if chars < Self::MIN_CHARS {
            return Err(AccountRule::PasswordTooShort);
        }
        let lower = password.to_lowercase();
        if lower == username.trim().to_lowercase() {
            return Err(AccountRule::PasswordIsUsername);
        }
        if is_common(&lower) {
            return Err(AccountRule::PasswordTooCommon);
        }
        Ok(Password(password.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

fn is_common(lower: &str) -> bool {
    COMMON_PASSWORDS.lines().any(|line| line == lower)
}

/// A centre's short code, such as `DHR`: 2 to 8 capital letters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CentreCode(String);

impl CentreCode {
    pub fn parse(text: &str) -> Result<CentreCode, AccountRule> {
        let text = text.trim();
        if (2..=8).contains(&text.len()) && text.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(CentreCode(text.to_owned()))
        } else {
            Err(AccountRule::BadCentreCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A centre's name, district or state (`what` names which, for the message): 1 to 100 characters,
/// none of them [hidden](is_hidden).
pub fn centre_detail(text: &str, what: &'static str) -> Result<String, AccountRule> {
    let text = text.trim();
    if text.chars().any(is_hidden) {
        return Err(AccountRule::HiddenCharacters);
    }
    let chars = text.chars().count();
    if (1..=100).contains(&chars) {
        Ok(text.to_owned())
    } else {
        Err(AccountRule::BadCentreDetail(what))
    }
}

/// How many idle minutes a centre's phones wait before they lock: an administrator's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LockMinutes(u8);

impl LockMinutes {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 60;
    pub const DEFAULT: LockMinutes = LockMinutes(5);

    pub fn parse(minutes: u32) -> Result<LockMinutes, AccountRule> {
        match u8::try_from(minutes) {
            Ok(minutes) if (Self::MIN..=Self::MAX).contains(&minutes) => Ok(LockMinutes(minutes)),
            _ => Err(AccountRule::BadLockMinutes),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// At most how many days an outreach worker's phone keeps the cases it has synced: an
/// administrator's choice, so that a phone lost or taken in the field holds as little as the
/// centre's work allows. Without one, a phone keeps a case while it is in her scope. The phone
/// does the purging; the server only keeps and serves the setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PurgeDays(u16);

impl PurgeDays {
    pub const MIN: u16 = 1;
    pub const MAX: u16 = 365;

    pub fn parse(days: u32) -> Result<PurgeDays, AccountRule> {
        match u16::try_from(days) {
            Ok(days) if (Self::MIN..=Self::MAX).contains(&days) => Ok(PurgeDays(days)),
            _ => Err(AccountRule::BadPurgeDays),
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_rule_is_found_again_by_its_code() {
        use super::AccountRule;
        for rule in [
            AccountRule::BadUsername,
            AccountRule::BadDisplayName,
            AccountRule::HiddenCharacters,
            AccountRule::PasswordTooShort,
            AccountRule::PasswordTooLong,
            AccountRule::PasswordIsUsername,
            AccountRule::PasswordTooCommon,
            AccountRule::BadCentreCode,
            AccountRule::BadLockMinutes,
            AccountRule::BadPurgeDays,
        ] {
            assert_eq!(AccountRule::from_code(rule.code()), Some(rule));
        }
        assert_eq!(
            AccountRule::from_code("bad_centre_detail").map(|rule| rule.code()),
            Some("bad_centre_detail")
        );
        assert_eq!(AccountRule::from_code("no_such_rule"), None);
    }

    use super::*;

    #[test]
    fn a_centre_locks_after_one_to_sixty_idle_minutes() {
        assert_eq!(LockMinutes::parse(1).unwrap().get(), 1);
        assert_eq!(LockMinutes::parse(60).unwrap().get(), 60);
        for bad in [0, 61, 256, 257, u32::MAX] {
            assert_eq!(
                LockMinutes::parse(bad),
                Err(AccountRule::BadLockMinutes),
                "{bad}"
            );
        }
        assert_eq!(LockMinutes::DEFAULT.get(), 5);
    }

    #[test]
    fn phones_keep_synced_cases_one_to_three_hundred_and_sixty_five_days() {
        assert_eq!(PurgeDays::parse(1).unwrap().get(), 1);
        assert_eq!(PurgeDays::parse(365).unwrap().get(), 365);
        for bad in [0, 366, 65_536, 65_537, u32::MAX] {
            assert_eq!(
                PurgeDays::parse(bad),
                Err(AccountRule::BadPurgeDays),
                "{bad}"
            );
        }
        assert_eq!(AccountRule::BadPurgeDays.code(), "bad_purge_days");
    }

    #[test]
    fn roles_travel_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&Role::OutreachWorker).unwrap(),
            "\"outreach_worker\""
        );
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }

    #[test]
    fn a_username_is_kept_in_lower_case_and_refused_outside_its_alphabet() {
        assert_eq!(
            Username::parse(" Sita.Devi_2 ").unwrap().as_str(),
            "sita.devi_2"
        );
        for bad in ["ab", "sita devi", "सीता", &"a".repeat(33), "sita@x"] {
            assert_eq!(Username::parse(bad), Err(AccountRule::BadUsername), "{bad}");
        }
        assert!(Username::parse(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn a_display_name_may_be_devanagari_up_to_eighty_characters() {
        assert!(DisplayName::parse("सीता देवी").is_ok());
        assert!(DisplayName::parse(&"अ".repeat(80)).is_ok());
        assert!(DisplayName::parse(&"अ".repeat(81)).is_err());
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse("a\nb").is_err());
    }

    #[test]
    fn a_name_with_control_characters_or_direction_marks_is_refused() {
        for bad in [
            "सीता\u{202E}देवी",
            "Sita\u{2066}Devi",
            "\u{200F}Sita",
            "Sita\u{061C}",
            "Si\u{0}ta",
            "Si\tta",
        ] {
            assert_eq!(
                DisplayName::parse(bad),
                Err(AccountRule::HiddenCharacters),
                "{bad:?}"
            );
            assert_eq!(
                centre_detail(bad, "name"),
                Err(AccountRule::HiddenCharacters),
                "{bad:?}"
            );
        }
        // Devanagari's joiners shape conjuncts; they turn nothing around.
        assert!(DisplayName::parse("क्\u{200D}ष").is_ok());
        assert_eq!(
            Password::parse("river\u{0}house 7", "sita"),
            Err(AccountRule::HiddenCharacters)
        );
        assert!(Password::parse("river\u{202E}house 7", "sita").is_ok());
    }

    #[test]
    fn a_password_is_counted_in_characters_of_any_script() {
        // Eight Devanagari letters are 24 bytes but eight characters.
        assert!(Password::parse("अआइईउऊएऐ", "sita").is_ok());
        assert_eq!(
            Password::parse("अआइईउऊए", "sita"),
            Err(AccountRule::PasswordTooShort)
        );
        assert!(Password::parse(&"ख".repeat(128), "sita").is_ok());
        assert_eq!(
            Password::parse(&"ख".repeat(129), "sita")
                .unwrap_err()
                .code(),
            "password_too_long"
        );
    }

    #[test]
    fn the_username_and_common_passwords_are_refused_whatever_their_case() {
        assert_eq!(
            Password::parse("Sita.Devi", "sita.devi")
                .unwrap_err()
                .code(),
            "password_is_username"
        );
        for common in [
            "password",
            "PASSWORD123",
            "Qwerty123",
            "IloveYou1",
            "JaiHind123",
        ] {
            assert_eq!(
                Password::parse(common, "sita").unwrap_err().code(),
                "password_too_common",
                "{common}"
            );
        }
        assert!(Password::parse("नदी किनारे घर", "sita").is_ok());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = Password::parse("correct horse battery", "sita").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }

    #[test]
    fn a_centre_code_is_two_to_eight_capitals() {
        assert!(CentreCode::parse("DHR").is_ok());
        for bad in ["D", "dhr", "DHR1", "ABCDEFGHI", "डी"] {
            assert!(CentreCode::parse(bad).is_err(), "{bad}");
        }
        assert!(centre_detail("धारवाड़", "district").is_ok());
        assert_eq!(
            centre_detail("", "district").unwrap_err().to_string(),
            "the centre's district must be 1 to 100 characters"
        );
    }
}
