//! Finding a case the way a worker types it: ignoring case, spaces and punctuation, and the
//! Devanagari vowel signs that the same name is spelt with in several ways (सुनीता, सुनिता).

/// `text` reduced to what a search compares: lower case, without spaces or punctuation, and in
/// Devanagari without vowel signs, nukta or virama, long vowels made short. The result never
/// contains a line break, so keys joined by one cannot match across the join.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // Vowel signs (matras), nukta, virama, anusvara, chandrabindu, visarga, stress marks.
            '\u{0900}'..='\u{0903}'
            | '\u{093A}'..='\u{094F}'
            | '\u{0951}'..='\u{0957}'
            | '\u{0962}'..='\u{0963}' => {}
            // Letters with a nukta written as one character: the letter without it.
            '\u{0958}' => folded.push('\u{0915}'),
            '\u{0959}' => folded.push('\u{0916}'),
            '\u{095A}' => folded.push('\u{0917}'),
            '\u{095B}' => folded.push('\u{091C}'),
            '\u{095C}' => folded.push('\u{0921}'),
            '\u{095D}' => folded.push('\u{0922}'),
            '\u{095E}' => folded.push('\u{092B}'),
            '\u{095F}' => folded.push('\u{092F}'),
            // Long independent vowels: the short one.
            'ई' => folded.push('इ'),
            'ऊ' => folded.push('उ'),
            'ऐ' => folded.push('ए'),
            'औ' => folded.push('ओ'),
            // Letters and digits; ASCII folded by hand, because `char::to_lowercase` and
            // `is_alphanumeric` bring Unicode tables that cost the app shell about 10 KB.
            c if c.is_ascii_alphanumeric() => folded.push(c.to_ascii_lowercase()),
            // Danda, double danda, no-break space, zero-width (non-)joiner: punctuation and spacing.
            '\u{0964}' | '\u{0965}' | '\u{00A0}' | '\u{200C}' | '\u{200D}' => {}
            c if !c.is_ascii() => folded.push(c),
            _ => {}
        }
    }
    folded
}

/// What a list of cases is searched by: each case's folded name, phone and village, computed once
/// so that a keystroke only compares strings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchKey(String);

impl SearchKey {
    pub fn new<'a>(parts: impl IntoIterator<Item = &'a str>) -> SearchKey {
        let mut key = String::new();
        for part in parts {
            key.push_str(&fold(part));
            key.push('\n');
        }
        SearchKey(key)
    }

    /// Whether `needle` (already folded) is found in one of the parts; an empty needle always is.
    pub fn matches(&self, needle: &str) -> bool {
        self.0.contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(haystack: &[&str], query: &str) -> bool {
        SearchKey::new(haystack.iter().copied()).matches(&fold(query))
    }

    #[test]
    fn case_spaces_and_punctuation_do_not_matter() {
        assert!(finds(&["Sunita Bai"], "sunita  b"));
        assert!(finds(&["Sunita Bai"], "SUNITABAI"));
        assert!(finds(&["98765 43210"], "98765-432"));
    }

    #[test]
    fn a_devanagari_name_is_found_however_its_vowels_are_spelt() {
        assert!(finds(&["सुनीता देवी"], "सुनिता"));
        assert!(finds(&["ज़ैनब"], "जैनब"));
        assert!(finds(&["ईश्वरी"], "इश्वरि"));
    }

    #[test]
    fn a_search_does_not_match_across_two_parts() {
        assert!(!finds(&["Geeta", "Rampur"], "geetaram"));
        assert!(finds(&["Geeta", "Rampur"], "ram"));
    }

    #[test]
    fn an_empty_search_finds_every_case() {
        assert!(finds(&["Asha"], ""));
        assert!(finds(&[], "  "));
    }

    #[test]
    fn a_different_name_is_not_found() {
        assert!(!finds(&["सीता देवी", "Sonpur"], "गीता"));
        assert!(!finds(&["Meena Devi"], "meenu"));
    }
}
