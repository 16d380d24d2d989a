//! The definitions of a set of crates: each crate's module tree (files followed through
//! `mod` declarations and `#[path]`), what each module defines or imports and under which
//! cfg, and the associated items of each type (impls, enum variants, trait items).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::cfg::Cfg;

pub type ModId = usize;

/// Where something is written: a file and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

/// What a name stands for.
#[derive(Clone, Debug)]
pub enum Target {
    /// A function, constant, static or macro: nothing is looked up inside it.
    Item,
    Module(ModId),
    /// A struct, enum, union, type alias or trait of crate `.0` named `.1`: its associated
    /// items are looked up in `Model::assoc`.
    Type(usize, String),
    /// `use path` written in module `from` (`leading_colon`: `use ::path`).
    Use {
        path: Vec<String>,
        from: ModId,
        leading_colon: bool,
    },
    /// Something outside these crates (another crate, the standard library).
    Outside,
}

/// One definition of a name: under which cfg it exists (every enclosing module's cfg
/// included), what it is, where.
#[derive(Clone, Debug)]
pub struct Binding {
    pub cfg: Cfg,
    pub target: Target,
    pub at: Location,
}

/// `use path::*` in a module, under `cfg`.
#[derive(Clone, Debug)]
pub struct Glob {
    pub cfg: Cfg,
    pub path: Vec<String>,
    pub leading_colon: bool,
}

pub struct Module {
    pub krate: usize,
    pub parent: Option<ModId>,
    /// The cfg under which the module exists at all (its `mod` declaration, every
    /// ancestor's, and the file's `#![cfg]`).
    pub cfg: Cfg,
    pub file: PathBuf,
    pub names: HashMap<String, Vec<Binding>>,
    pub globs: Vec<Glob>,
    /// The module's own items (inline child modules are modules of their own).
    pub items: Vec<syn::Item>,
}

#[derive(Debug)]
pub struct Krate {
    pub name: String,
    pub root: ModId,
    /// A library other crates name in paths (`mfa_engine::...`).
    pub is_lib: bool,
}

/// A crate to load: its name as other crates write it, whether it is a library, its root file.
pub struct Root {
    pub name: String,
    pub is_lib: bool,
    pub path: PathBuf,
}

#[derive(Default)]
pub struct Model {
    pub krates: Vec<Krate>,
    pub modules: Vec<Module>,
    /// Associated items by (crate, type name) and item name.
    pub assoc: HashMap<(usize, String), HashMap<String, Vec<Binding>>>,
    /// Every file read.
    pub files: BTreeSet<PathBuf>,
    /// Files that could not be read or parsed, `mod` declarations without a file.
    pub problems: Vec<String>,
    /// What each (module, name) was found to mean (resolve.rs).
    pub lookups: std::cell::RefCell<HashMap<(ModId, String), Vec<crate::resolve::Candidate>>>,
    /// The (module, name) lookups under way, to cut glob cycles.
    pub in_progress: std::cell::RefCell<std::collections::HashSet<(ModId, String)>>,
}

/// The line an identifier (or any token) starts on.
pub fn line_of(span: proc_macro2::Span) -> usize {
    span.start().line
}

impl Model {
    pub fn load(roots: &[Root]) -> Model {
        let mut model = Model::default();
        for root in roots {
            let krate = model.krates.len();
            let id = model.load_file(krate, None, &root.path, Cfg::True);
            model.krates.push(Krate {
                name: root.name.clone(),
                root: id,
                is_lib: root.is_lib,
            });
        }
        model
    }

    fn load_file(&mut self, krate: usize, parent: Option<ModId>, path: &Path, cfg: Cfg) -> ModId {
        self.files.insert(path.to_path_buf());
        let file = match std::fs::read_to_string(path) {
            Ok(text) => match syn::parse_file(&text) {
                Ok(file) => Some(file),
                Err(e) => {
                    self.problems.push(format!(
                        "{}:{}: does not parse: {e}",
                        path.display(),
                        line_of(e.span())
                    ));
                    None
                }
            },
            Err(e) => {
                self.problems
                    .push(format!("{}: cannot be read: {e}", path.display()));
                None
            }
        };
        let (attrs, items) = file.map(|f| (f.attrs, f.items)).unwrap_or_default();
        let cfg = cfg.and(&Cfg::of_attrs(&attrs));
        // A crate root or a mod.rs file holds its children beside it; foo.rs holds them in foo/.
        let is_mod_rs = parent.is_none() || path.file_name().is_some_and(|n| n == "mod.rs");
        let dir = if is_mod_rs {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            path.with_extension("")
        };
        self.add_module(krate, parent, cfg, path, &dir, items)
    }

    fn add_module(
        &mut self,
        krate: usize,
        parent: Option<ModId>,
        cfg: Cfg,
        file: &Path,
        dir: &Path,
        items: Vec<syn::Item>,
    ) -> ModId {
        let id = self.modules.len();
        self.modules.push(Module {
            krate,
            parent,
            cfg: cfg.clone(),
            file: file.to_path_buf(),
            names: HashMap::new(),
            globs: Vec::new(),
            items: Vec::new(),
        });
        let mut own = Vec::new();
        for item in items {
            self.register(id, &cfg, file, dir, &item);
            if !matches!(&item, syn::Item::Mod(m) if m.content.is_some() || m.semi.is_some()) {
                own.push(item);
            }
        }
        self.modules[id].items = own;
        id
    }

    fn at(file: &Path, span: proc_macro2::Span) -> Location {
        Location {
            file: file.to_path_buf(),
            line: line_of(span),
        }
    }

    fn bind(&mut self, m: ModId, name: String, cfg: Cfg, target: Target, at: Location) {
        self.modules[m]
            .names
            .entry(name)
            .or_default()
            .push(Binding { cfg, target, at });
    }

    fn bind_assoc(&mut self, krate: usize, ty: &str, name: String, cfg: Cfg, at: Location) {
        self.assoc
            .entry((krate, ty.to_string()))
            .or_default()
            .entry(name)
            .or_default()
            .push(Binding {
                cfg,
                target: Target::Item,
                at,
            });
    }

    /// Records what `item` (in module `m`, whose cfg is `outer`) defines.
    fn register(&mut self, m: ModId, outer: &Cfg, file: &Path, dir: &Path, item: &syn::Item) {
        use syn::Item;
        let krate = self.modules[m].krate;
        let cfg = outer.and(&Cfg::of_attrs(item_attrs(item)));
        let ty = |ident: &syn::Ident| Target::Type(krate, ident.to_string());
        match item {
            Item::Fn(f) => self.bind(
                m,
                f.sig.ident.to_string(),
                cfg,
                Target::Item,
                Self::at(file, f.sig.ident.span()),
            ),
            Item::Const(c) => self.bind(
                m,
                c.ident.to_string(),
                cfg,
                Target::Item,
                Self::at(file, c.ident.span()),
            ),
            Item::Static(s) => self.bind(
                m,
                s.ident.to_string(),
                cfg,
                Target::Item,
                Self::at(file, s.ident.span()),
            ),
            Item::Macro(mac) => {
                if let Some(ident) = &mac.ident {
                    self.bind(
                        m,
                        ident.to_string(),
                        cfg,
                        Target::Item,
                        Self::at(file, ident.span()),
                    );
                }
            }
            Item::Struct(s) => self.bind(
                m,
                s.ident.to_string(),
                cfg,
                ty(&s.ident),
                Self::at(file, s.ident.span()),
            ),
            Item::Union(u) => self.bind(
                m,
                u.ident.to_string(),
                cfg,
                ty(&u.ident),
                Self::at(file, u.ident.span()),
            ),
            Item::Type(t) => self.bind(
                m,
                t.ident.to_string(),
                cfg,
                ty(&t.ident),
                Self::at(file, t.ident.span()),
            ),
            Item::TraitAlias(t) => self.bind(
                m,
                t.ident.to_string(),
                cfg,
                ty(&t.ident),
                Self::at(file, t.ident.span()),
            ),
            Item::Enum(e) => {
                self.bind(
                    m,
                    e.ident.to_string(),
                    cfg.clone(),
                    ty(&e.ident),
                    Self::at(file, e.ident.span()),
                );
                for v in &e.variants {
                    let vcfg = cfg.and(&Cfg::of_attrs(&v.attrs));
                    self.bind_assoc(
                        krate,
                        &e.ident.to_string(),
                        v.ident.to_string(),
                        vcfg,
                        Self::at(file, v.ident.span()),
                    );
                }
            }
            Item::Trait(t) => {
                self.bind(
                    m,
                    t.ident.to_string(),
                    cfg.clone(),
                    ty(&t.ident),
                    Self::at(file, t.ident.span()),
                );
                for ti in &t.items {
                    let (attrs, ident) = match ti {
                        syn::TraitItem::Fn(f) => (&f.attrs, &f.sig.ident),
                        syn::TraitItem::Const(c) => (&c.attrs, &c.ident),
                        syn::TraitItem::Type(t) => (&t.attrs, &t.ident),
                        _ => continue,
                    };
                    let icfg = cfg.and(&Cfg::of_attrs(attrs));
                    self.bind_assoc(
                        krate,
                        &t.ident.to_string(),
                        ident.to_string(),
                        icfg,
                        Self::at(file, ident.span()),
                    );
                }
            }
            Item::Impl(imp) => {
                let Some(name) = type_name(&imp.self_ty) else {
                    return;
                };
                for ii in &imp.items {
                    let (attrs, ident) = match ii {
                        syn::ImplItem::Fn(f) => (&f.attrs, &f.sig.ident),
                        syn::ImplItem::Const(c) => (&c.attrs, &c.ident),
                        syn::ImplItem::Type(t) => (&t.attrs, &t.ident),
                        _ => continue,
                    };
                    let icfg = cfg.and(&Cfg::of_attrs(attrs));
                    self.bind_assoc(
                        krate,
                        &name,
                        ident.to_string(),
                        icfg,
                        Self::at(file, ident.span()),
                    );
                }
            }
            Item::ForeignMod(fm) => {
                for fi in &fm.items {
                    let (attrs, ident) = match fi {
                        syn::ForeignItem::Fn(f) => (&f.attrs, &f.sig.ident),
                        syn::ForeignItem::Static(s) => (&s.attrs, &s.ident),
                        syn::ForeignItem::Type(t) => (&t.attrs, &t.ident),
                        _ => continue,
                    };
                    let icfg = cfg.and(&Cfg::of_attrs(attrs));
                    self.bind(
                        m,
                        ident.to_string(),
                        icfg,
                        Target::Item,
                        Self::at(file, ident.span()),
                    );
                }
            }
            Item::ExternCrate(ec) => {
                let name = ec
                    .rename
                    .as_ref()
                    .map(|(_, r)| r)
                    .unwrap_or(&ec.ident)
                    .to_string();
                let target = Target::Use {
                    path: vec![ec.ident.to_string()],
                    from: m,
                    leading_colon: true,
                };
                self.bind(m, name, cfg, target, Self::at(file, ec.ident.span()));
            }
            Item::Use(u) => {
                let mut prefix = Vec::new();
                self.register_use(
                    m,
                    &cfg,
                    file,
                    &u.tree,
                    &mut prefix,
                    u.leading_colon.is_some(),
                );
            }
            Item::Mod(md) => {
                let at = Self::at(file, md.ident.span());
                let name = md.ident.to_string();
                let child = if let Some((_, content)) = &md.content {
                    let child_dir = dir.join(&name);
                    // An inline module's own #![cfg] is among its attributes, already in `cfg`.
                    self.add_module(
                        krate,
                        Some(m),
                        cfg.clone(),
                        file,
                        &child_dir,
                        content.clone(),
                    )
                } else {
                    let explicit = md
                        .attrs
                        .iter()
                        .find(|a| a.path().is_ident("path"))
                        .and_then(|a| match &a.meta {
                            syn::Meta::NameValue(syn::MetaNameValue {
                                value:
                                    syn::Expr::Lit(syn::ExprLit {
                                        lit: syn::Lit::Str(s),
                                        ..
                                    }),
                                ..
                            }) => Some(s.value()),
                            _ => None,
                        });
                    // #[path] is relative to the folder of the file that declares the module.
                    let candidates = match explicit {
                        Some(p) => vec![file.parent().unwrap_or(Path::new("")).join(p)],
                        None => vec![
                            dir.join(format!("{name}.rs")),
                            dir.join(&name).join("mod.rs"),
                        ],
                    };
                    match candidates.iter().find(|p| p.is_file()) {
                        Some(path) => self.load_file(krate, Some(m), &path.clone(), cfg.clone()),
                        None => {
                            self.problems.push(format!(
                                "{}:{}: `mod {name};` has no file ({})",
                                file.display(),
                                at.line,
                                candidates
                                    .iter()
                                    .map(|p| p.display().to_string())
                                    .collect::<Vec<_>>()
                                    .join(" or ")
                            ));
                            return;
                        }
                    }
                };
                self.bind(m, name, cfg, Target::Module(child), at);
            }
            _ => {}
        }
    }

    fn register_use(
        &mut self,
        m: ModId,
        cfg: &Cfg,
        file: &Path,
        tree: &syn::UseTree,
        prefix: &mut Vec<String>,
        leading_colon: bool,
    ) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.register_use(m, cfg, file, &p.tree, prefix, leading_colon);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let (path, name) = use_name(prefix, &n.ident);
                let target = Target::Use {
                    path,
                    from: m,
                    leading_colon,
                };
                self.bind(m, name, cfg.clone(), target, Self::at(file, n.ident.span()));
            }
            syn::UseTree::Rename(r) => {
                if r.rename == "_" {
                    return;
                }
                let (path, _) = use_name(prefix, &r.ident);
                let target = Target::Use {
                    path,
                    from: m,
                    leading_colon,
                };
                self.bind(
                    m,
                    r.rename.to_string(),
                    cfg.clone(),
                    target,
                    Self::at(file, r.rename.span()),
                );
            }
            syn::UseTree::Glob(_) => self.modules[m].globs.push(Glob {
                cfg: cfg.clone(),
                path: prefix.clone(),
                leading_colon,
            }),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.register_use(m, cfg, file, t, prefix, leading_colon);
                }
            }
        }
    }
}

/// `use a::b` binds `b` to `a::b`; `use a::{self}` binds `a` to `a`.
pub fn use_name(prefix: &[String], ident: &syn::Ident) -> (Vec<String>, String) {
    if ident == "self" {
        let name = prefix.last().cloned().unwrap_or_default();
        (prefix.to_vec(), name)
    } else {
        let mut path = prefix.to_vec();
        path.push(ident.to_string());
        (path, ident.to_string())
    }
}

/// The name an `impl` is for: the last segment of `Foo`, `a::Foo<T>`, `&Foo`.
pub fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().map(|s| s.ident.to_string())
        }
        syn::Type::Reference(r) => type_name(&r.elem),
        syn::Type::Paren(p) => type_name(&p.elem),
        syn::Type::Group(g) => type_name(&g.elem),
        _ => None,
    }
}

pub fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item;
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}
