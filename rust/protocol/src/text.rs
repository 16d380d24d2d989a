//! Text taken from the wire, bounded before it goes anywhere else.

/// `text` cut to at most `max` characters, with `…` appended when it was cut.
pub fn bound(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

#[cfg(test)]
mod tests {
    use super::bound;

    #[test]
    fn cuts_at_characters_not_bytes() {
        assert_eq!(bound("abc", 3), "abc");
        assert_eq!(bound("名前です", 2), "名前…");
        assert_eq!(bound("", 0), "");
    }
}
