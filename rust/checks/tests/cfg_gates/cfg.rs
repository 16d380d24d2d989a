//! `#[cfg(...)]` predicates: parsed from attributes, shown as written, and compared
//! ("does every configuration that compiles this reference also compile that definition?").

use std::collections::BTreeSet;
use std::fmt;

/// A cfg predicate. `unix` and `windows` are stored as `target_family = "unix"` and
/// `target_family = "windows"` (what they mean), other options as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cfg {
    /// No condition (or `cfg(true)`).
    True,
    /// `cfg(false)`.
    False,
    /// `name` or `name = "value"`.
    Option {
        name: String,
        value: Option<String>,
    },
    Not(Box<Cfg>),
    All(Vec<Cfg>),
    Any(Vec<Cfg>),
}

/// Operating systems that are Unix (`target_family = "unix"`) for every target Rust ships.
const UNIX_OSES: &[&str] = &[
    "linux",
    "macos",
    "ios",
    "tvos",
    "watchos",
    "visionos",
    "android",
    "freebsd",
    "netbsd",
    "openbsd",
    "dragonfly",
    "solaris",
    "illumos",
    "haiku",
    "aix",
    "hurd",
    "nto",
    "redox",
    "fuchsia",
];

/// Options that have exactly one value on a given target.
const SINGLE_VALUED: &[&str] = &[
    "target_os",
    "target_arch",
    "target_env",
    "target_pointer_width",
    "target_endian",
    "target_vendor",
    "panic",
];

impl Cfg {
    /// The conjunction of the `#[cfg(...)]` attributes in `attrs` (`True` when there are
    /// none). `cfg_attr` is not a gate and is ignored.
    pub fn of_attrs(attrs: &[syn::Attribute]) -> Cfg {
        let gates: Vec<Cfg> = attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg"))
            .map(|a| match a.parse_args::<syn::Meta>() {
                Ok(meta) => Cfg::from_meta(&meta),
                Err(_) => Cfg::opaque(&a.meta),
            })
            .collect();
        Cfg::all(gates)
    }

    fn opaque(tokens: &dyn quote::ToTokens) -> Cfg {
        let text = tokens.to_token_stream().to_string();
        match text.as_str() {
            "true" | "cfg (true)" => Cfg::True,
            "false" | "cfg (false)" => Cfg::False,
            _ => Cfg::Option {
                name: text,
                value: None,
            },
        }
    }

    fn from_meta(meta: &syn::Meta) -> Cfg {
        use syn::punctuated::Punctuated;
        match meta {
            syn::Meta::Path(p) => match p.get_ident().map(|i| i.to_string()).as_deref() {
                Some("unix") => Cfg::option("target_family", Some("unix")),
                Some("windows") => Cfg::option("target_family", Some("windows")),
                Some(name) => Cfg::option(name, None),
                None => Cfg::opaque(p),
            },
            syn::Meta::NameValue(nv) => {
                let name = nv.path.get_ident().map(|i| i.to_string());
                match (&name, &nv.value) {
                    (
                        Some(name),
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }),
                    ) => Cfg::option(name, Some(&s.value())),
                    _ => Cfg::opaque(nv),
                }
            }
            syn::Meta::List(list) => {
                let inner =
                    list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated);
                let Ok(inner) = inner else {
                    return Cfg::opaque(list);
                };
                let parts: Vec<Cfg> = inner.iter().map(Cfg::from_meta).collect();
                match list.path.get_ident().map(|i| i.to_string()).as_deref() {
                    Some("all") => Cfg::all(parts),
                    Some("any") => Cfg::any(parts),
                    Some("not") if parts.len() == 1 => Cfg::Not(Box::new(parts[0].clone())),
                    _ => Cfg::opaque(list),
                }
            }
        }
    }

    pub fn option(name: &str, value: Option<&str>) -> Cfg {
        Cfg::Option {
            name: name.to_string(),
            value: value.map(str::to_string),
        }
    }

    /// `all(parts)`, flattened, without `True`s.
    pub fn all(parts: Vec<Cfg>) -> Cfg {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Cfg::True => {}
                Cfg::All(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cfg::True,
            1 => out.pop().unwrap_or(Cfg::True),
            _ => Cfg::All(out),
        }
    }

    /// `any(parts)`, flattened (`any()` is `False`).
    pub fn any(parts: Vec<Cfg>) -> Cfg {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Cfg::True => return Cfg::True,
                Cfg::False => {}
                Cfg::Any(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cfg::False,
            1 => out.pop().unwrap_or(Cfg::False),
            _ => Cfg::Any(out),
        }
    }

    pub fn and(&self, other: &Cfg) -> Cfg {
        Cfg::all(vec![self.clone(), other.clone()])
    }

    fn options(&self, into: &mut BTreeSet<(String, Option<String>)>) {
        match self {
            Cfg::True | Cfg::False => {}
            Cfg::Option { name, value } => {
                into.insert((name.clone(), value.clone()));
            }
            Cfg::Not(c) => c.options(into),
            Cfg::All(cs) | Cfg::Any(cs) => cs.iter().for_each(|c| c.options(into)),
        }
    }

    fn eval(&self, options: &[(String, Option<String>)], set: u64) -> bool {
        match self {
            Cfg::True => true,
            Cfg::False => false,
            Cfg::Option { name, value } => {
                let i = options
                    .iter()
                    .position(|(n, v)| n == name && v == value)
                    .expect("every option was collected");
                set & (1 << i) != 0
            }
            Cfg::Not(c) => !c.eval(options, set),
            Cfg::All(cs) => cs.iter().all(|c| c.eval(options, set)),
            Cfg::Any(cs) => cs.iter().any(|c| c.eval(options, set)),
        }
    }

    /// Whether every target configuration in which `self` holds also satisfies `other`.
    /// Options are independent except for what holds on every Rust target: an option such
    /// as `target_os` has one value; `unix` and `windows` exclude each other; a Unix OS
    /// (`target_os = "linux"`, ...) is `unix`, `target_os = "windows"` is `windows`; and this
    /// workspace builds only for Unix and Windows targets. More than 20 distinct options:
    /// assumed to hold (the check stays quiet rather than guess).
    pub fn implies(&self, other: &Cfg) -> bool {
        let mut set = BTreeSet::new();
        self.options(&mut set);
        other.options(&mut set);
        for family in ["unix", "windows"] {
            set.insert(("target_family".to_string(), Some(family.to_string())));
        }
        let options: Vec<(String, Option<String>)> = set.into_iter().collect();
        if options.len() > 20 {
            return true;
        }
        (0..1u64 << options.len())
            .filter(|&s| possible(&options, s))
            .all(|s| !self.eval(&options, s) || other.eval(&options, s))
    }
}

/// Whether an assignment of truth values to `options` can describe a real target.
fn possible(options: &[(String, Option<String>)], set: u64) -> bool {
    let on = |name: &str, value: &str| {
        options
            .iter()
            .position(|(n, v)| n == name && v.as_deref() == Some(value))
            .is_some_and(|i| set & (1 << i) != 0)
    };
    let (unix, windows) = (on("target_family", "unix"), on("target_family", "windows"));
    if unix == windows {
        return false;
    }
    for single in SINGLE_VALUED {
        let count = options
            .iter()
            .enumerate()
            .filter(|(i, (n, v))| n == single && v.is_some() && set & (1 << i) != 0)
            .count();
        if count > 1 {
            return false;
        }
    }
    if on("target_os", "windows") && !windows {
        return false;
    }
    !UNIX_OSES.iter().any(|os| on("target_os", os) && !unix)
}

impl fmt::Display for Cfg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, name: &str, cs: &[Cfg]| {
            write!(f, "{name}(")?;
            for (i, c) in cs.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{c}")?;
            }
            write!(f, ")")
        };
        match self {
            Cfg::True => write!(f, "every target"),
            Cfg::False => write!(f, "false"),
            Cfg::Option {
                name,
                value: Some(v),
            } if name == "target_family" && (v == "unix" || v == "windows") => write!(f, "{v}"),
            Cfg::Option { name, value: None } => write!(f, "{name}"),
            Cfg::Option {
                name,
                value: Some(v),
            } => write!(f, "{name} = \"{v}\""),
            Cfg::Not(c) => write!(f, "not({c})"),
            Cfg::All(cs) => list(f, "all", cs),
            Cfg::Any(cs) => list(f, "any", cs),
        }
    }
}

mod tests {
    use super::Cfg;

    fn cfg(text: &str) -> Cfg {
        let item: syn::ItemFn = syn::parse_str(&format!("#[cfg({text})] fn f() {{}}")).unwrap();
        Cfg::of_attrs(&item.attrs)
    }

    #[test]
    fn implication_knows_what_holds_on_every_target() {
        let holds = |a: &str, b: &str| cfg(a).implies(&cfg(b));
        assert!(holds("target_os = \"linux\"", "unix"));
        assert!(holds("target_os = \"linux\"", "target_os = \"linux\""));
        assert!(holds("all(unix, test)", "unix"));
        assert!(holds("target_os = \"windows\"", "windows"));
        assert!(holds("not(unix)", "windows"));
        assert!(holds("target_os = \"linux\"", "not(windows)"));
        assert!(holds("test", "any(unix, windows)"));
        assert!(!holds("unix", "target_os = \"linux\""));
        assert!(!holds("test", "unix"));
        assert!(!holds("not(target_os = \"linux\")", "not(unix)"));
        assert!(!holds("feature = \"a\"", "feature = \"b\""));
        assert!(!holds("any(unix, test)", "unix"));
        assert!(Cfg::True.implies(&Cfg::any(vec![cfg("unix"), cfg("not(unix)")])));
        assert!(!Cfg::True.implies(&Cfg::any(vec![
            cfg("target_os = \"linux\""),
            cfg("windows")
        ])));
    }

    #[test]
    fn shown_as_written() {
        assert_eq!(
            cfg("all(unix, target_os = \"linux\", not(test))").to_string(),
            "all(unix, target_os = \"linux\", not(test))"
        );
        assert_eq!(Cfg::True.to_string(), "every target");
    }
}
