//! The C# side's copies of the ABI numbers must equal the header's. They live in the
//! binding, `powershell/src/Interop/Native.cs` (other files hold Win32 constants only):
//! every `const uint FooBar` there is checked against `MFA_FOO_BAR` (`ExpectedAbiVersion`
//! against `MFA_ABI_VERSION`), so a new copy cannot drift unseen.

use std::collections::HashMap;
use std::path::Path;

fn header_numbers(text: &str) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for line in text.lines().map(str::trim) {
        let (name, value) = if let Some(rest) = line.strip_prefix("#define ") {
            match rest.split_once(' ') {
                Some((n, v)) => (n, v.trim()),
                None => continue,
            }
        } else if let Some((n, v)) = line.split_once(" = ") {
            (n.trim(), v.trim_end_matches(',').trim())
        } else {
            continue;
        };
        if let (true, Ok(v)) = (name.starts_with("MFA_"), value.parse::<u64>()) {
            out.insert(name.to_string(), v);
        }
    }
    out
}

fn screaming(pascal: &str) -> String {
    if pascal == "ExpectedAbiVersion" {
        return "MFA_ABI_VERSION".into();
    }
    let mut out = String::from("MFA");
    for c in pascal.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[test]
fn every_csharp_abi_constant_equals_the_header() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let header = std::fs::read_to_string(root.join("rust/ffi/include/mfa_approval.h")).unwrap();
    let numbers = header_numbers(&header);
    assert!(numbers.len() > 20, "header parse found {numbers:?}");
    let files = [root.join("powershell/src/Interop/Native.cs")];
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().map(str::trim) {
            let Some(at) = line.find("const uint ") else {
                continue;
            };
            let decl = &line[at + "const uint ".len()..];
            let Some((name, value)) = decl.split_once('=') else {
                continue;
            };
            let name = name.trim();
            let value: u64 = value
                .trim()
                .trim_end_matches(';')
                .trim()
                .parse()
                .unwrap_or_else(|_| {
                    panic!("{}: const {name} is not a plain number", file.display())
                });
            let c = screaming(name);
            assert_eq!(
                numbers.get(&c),
                Some(&value),
                "{}: {name} = {value}, but the header has {c} = {:?}",
                file.display(),
                numbers.get(&c)
            );
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} constants found");
}
