//! Text taken from the wire, bounded before it goes anywhere else.

/// `text` cut to at most `max` characters, with `…` appended when it was cut.
pub fn bound(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// A document without the one UTF-8 byte order mark it may start with: Windows
/// PowerShell 5.1 (`Set-Content -Encoding UTF8`, `Out-File`) and Notepad write one, and
/// serde_json refuses it. Only one mark, only at the very start; anywhere else it stays and
/// the parser refuses it. Every reader of a file or document a person may have saved uses
/// this (never a provider's answer: a server that sends a BOM is refused).
pub fn without_utf8_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
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
