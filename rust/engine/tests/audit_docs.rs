//! The Windows Event Log ids and levels are the engine's (`audit::event::Entry`); the README's
//! table, New-MfaConnection's help and docs/mim.md repeat them for admins, and this test ties
//! each copy to the engine.

use mfa_engine::audit::event::{Entry, Level};

fn text(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let t = std::fs::read_to_string(root.join(path)).unwrap();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_documented_event_ids_are_the_engines() {
    let sentence: Vec<String> = Entry::all()
        .iter()
        .filter_map(|e| match e {
            Entry::Record(s) => Some(format!("{} {}", e.event_id(), s.name())),
            _ => None,
        })
        .chain([
            format!("{} a new chain", Entry::Header.event_id()),
            format!(
                "{} a new chain after a broken file",
                Entry::HeaderAfterBroken.event_id()
            ),
        ])
        .collect();
    let sentence = sentence.join(", ");
    for doc in ["docs/commands/New-MfaConnection.md", "docs/mim.md"] {
        assert!(
            text(doc).contains(&sentence),
            "{doc} should list: {sentence}"
        );
    }
    let readme = text("README.md");
    for e in Entry::all() {
        let level = match e.level() {
            Level::Information => "Information",
            Level::Warning => "Warning",
            Level::Error => "Error",
        };
        let row = match e {
            Entry::Record(s) => format!("| {} | {}", e.event_id(), s.name()),
            _ => format!("| {} | header", e.event_id()),
        };
        let at = readme
            .find(&row)
            .unwrap_or_else(|| panic!("README has no row {row}"));
        let rest = &readme[at + row.len()..];
        let end = rest
            .find(" |\n")
            .unwrap_or(rest.len())
            .min(rest.find(" | |").unwrap_or(rest.len()));
        assert!(
            rest[..end.min(80)].contains(&format!("| {level}")),
            "{row}: {level} in {}",
            &rest[..end.min(80)]
        );
    }
}
