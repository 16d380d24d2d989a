//! No import circles between the engine's modules (issue 26).
//!
//! A circle (`approval` uses `provider`, which uses `request`, which uses `approval`) means
//! no module of it can be read, tested or moved without the others: the layers of
//! docs/design.md ("Layering of the engine") are only true while the module graph has no
//! cycle. So every file of `rust/engine/src` is parsed (syn), the module tree is followed
//! through `mod` declarations, and every reference a module makes to another is an edge:
//! `use` items (`crate::`, `super::`, `self::`, a child's name), paths in code and types, and
//! `crate::`/`super::` paths inside macro arguments. A path is resolved to the module that
//! defines its item, following re-exports (`pub use`), so `crate::Client` is an edge to
//! `client`. Test code (`#[cfg(test)]` items and modules) is not part of the layering and is
//! skipped. Any strongly connected set of two or more modules fails the test, naming each
//! module of it and, for each edge inside it, where the reference is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

type ModPath = Vec<String>;

/// One module: where it is, its child modules, the names its `use` items bind (to the
/// absolute path each names), and the references it makes (a path as written, where).
#[derive(Default)]
struct Module {
    file: PathBuf,
    children: BTreeSet<String>,
    uses: HashMap<String, Vec<String>>,
    references: Vec<(Vec<String>, usize)>,
}

struct Graph {
    modules: BTreeMap<ModPath, Module>,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

fn name(path: &[String]) -> String {
    if path.is_empty() {
        "crate".into()
    } else {
        path.join("::")
    }
}

impl Graph {
    fn load(root: &Path) -> Self {
        let mut g = Graph {
            modules: BTreeMap::new(),
        };
        let text = std::fs::read_to_string(root).unwrap();
        let file = syn::parse_file(&text).unwrap();
        let dir = root.parent().unwrap().to_path_buf();
        g.add(Vec::new(), root.to_path_buf(), &dir, &file.items);
        g
    }

    /// Adds the module `path` with `items`; `dir` is where its child module files are.
    fn add(&mut self, path: ModPath, file: PathBuf, dir: &Path, items: &[syn::Item]) {
        let mut module = Module {
            file: file.clone(),
            ..Default::default()
        };
        let mut collect = Collect {
            refs: Vec::new(),
            uses: Vec::new(),
        };
        for item in items {
            if let syn::Item::Mod(m) = item {
                if is_test_only(&m.attrs) {
                    continue;
                }
                let child = m.ident.to_string();
                module.children.insert(child.clone());
                let mut child_path = path.clone();
                child_path.push(child.clone());
                match &m.content {
                    Some((_, inner)) => {
                        self.add(child_path, file.clone(), &dir.join(&child), inner);
                    }
                    None => {
                        let flat = dir.join(format!("{child}.rs"));
                        let (child_file, child_dir) = if flat.exists() {
                            (flat, dir.join(&child))
                        } else {
                            (dir.join(&child).join("mod.rs"), dir.join(&child))
                        };
                        let text = std::fs::read_to_string(&child_file)
                            .unwrap_or_else(|e| panic!("{}: {e}", child_file.display()));
                        let parsed = syn::parse_file(&text).unwrap();
                        self.add(child_path, child_file, &child_dir, &parsed.items);
                    }
                }
                continue;
            }
            collect.visit_item(item);
        }
        for (tree_path, bound, line) in collect.uses {
            // A bare first segment that is not a child module is another crate (2018 paths).
            // Every binding is kept (one to another crate resolves to nothing).
            let first = tree_path[0].as_str();
            let inside =
                matches!(first, "crate" | "super" | "self") || module.children.contains(first);
            if let Some(bound) = bound {
                module.uses.insert(bound, tree_path.clone());
            }
            if inside {
                module.references.push((tree_path, line));
            }
        }
        module.references.extend(collect.refs);
        self.modules.insert(path, module);
    }

    /// The absolute path `path`, written in module `at`, names (`None`: outside the crate).
    fn absolute(&self, at: &[String], path: &[String]) -> Option<Vec<String>> {
        let module = &self.modules[at];
        let mut out: Vec<String> = at.to_vec();
        let mut rest = path;
        match path.first().map(String::as_str) {
            Some("crate") => {
                out.clear();
                rest = &path[1..];
            }
            Some("self") => rest = &path[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    out.pop()?;
                    rest = &rest[1..];
                }
            }
            Some(first) if module.children.contains(first) => {}
            Some(first) => {
                let bound = module.uses.get(first)?;
                let mut full = self.absolute(at, bound)?;
                full.extend_from_slice(&path[1..]);
                return Some(full);
            }
            None => return None,
        }
        out.extend_from_slice(rest);
        Some(out)
    }

    /// The module that defines what the absolute path `path` names, following re-exports
    /// (`None`: it leaves the crate, e.g. `crate::json` is `mfa_protocol::json`).
    fn defining_module(&self, path: &[String], depth: usize) -> Option<ModPath> {
        if depth > 16 {
            return None;
        }
        let mut at: ModPath = Vec::new();
        for (i, segment) in path.iter().enumerate() {
            let module = &self.modules[&at];
            if module.children.contains(segment) {
                at.push(segment.clone());
                continue;
            }
            if let Some(bound) = module.uses.get(segment) {
                let mut full = self.absolute(&at, bound)?;
                full.extend_from_slice(&path[i + 1..]);
                return self.defining_module(&full, depth + 1);
            }
            // An item defined in `at` (or a name `at` imports from another crate: ignored
            // only when the crate root re-exports another crate, as `use mfa_protocol::json`).
            return Some(at);
        }
        Some(at)
    }

    /// Every edge between two different modules, with where it is written.
    fn edges(&self) -> BTreeMap<(ModPath, ModPath), Vec<(PathBuf, usize)>> {
        let mut edges: BTreeMap<(ModPath, ModPath), Vec<(PathBuf, usize)>> = BTreeMap::new();
        for (from, module) in &self.modules {
            for (path, line) in &module.references {
                let Some(full) = self.absolute(from, path) else {
                    continue;
                };
                let Some(to) = self.defining_module(&full, 0) else {
                    continue;
                };
                if &to != from {
                    edges
                        .entry((from.clone(), to))
                        .or_default()
                        .push((module.file.clone(), *line));
                }
            }
        }
        edges
    }
}

/// Collects the paths of one module's items (not its child modules).
struct Collect {
    refs: Vec<(Vec<String>, usize)>,
    /// `use` paths, the name each binds (`None`: a glob), the line.
    uses: Vec<(Vec<String>, Option<String>, usize)>,
}

impl Collect {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let line = n.ident.span().start().line;
                if n.ident == "self" {
                    let bound = prefix.last().cloned();
                    self.uses.push((prefix.clone(), bound, line));
                } else {
                    let mut full = prefix.clone();
                    full.push(n.ident.to_string());
                    self.uses.push((full, Some(n.ident.to_string()), line));
                }
            }
            syn::UseTree::Rename(r) => {
                let line = r.ident.span().start().line;
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.uses.push((full, Some(r.rename.to_string()), line));
            }
            syn::UseTree::Glob(g) => {
                if !prefix.is_empty() {
                    let line = g.star_token.spans[0].start().line;
                    self.uses.push((prefix.clone(), None, line));
                }
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    /// `crate::a::b`, `super::a`, `self::a` written in a macro's arguments.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            if let proc_macro2::TokenTree::Group(g) = &tokens[i] {
                self.tokens(g.stream());
                i += 1;
                continue;
            }
            let start = matches!(&tokens[i], proc_macro2::TokenTree::Ident(id) if id == "crate" || id == "super" || id == "self");
            if !start {
                i += 1;
                continue;
            }
            let line = tokens[i].span().start().line;
            let mut path = vec![tokens[i].to_string()];
            let mut j = i + 1;
            while j + 2 < tokens.len() + 1 {
                let colons = matches!((&tokens.get(j), &tokens.get(j + 1)),
                    (Some(proc_macro2::TokenTree::Punct(a)), Some(proc_macro2::TokenTree::Punct(b)))
                        if a.as_char() == ':' && b.as_char() == ':');
                match (colons, tokens.get(j + 2)) {
                    (true, Some(proc_macro2::TokenTree::Ident(id))) => {
                        path.push(id.to_string());
                        j += 3;
                    }
                    _ => break,
                }
            }
            if path.len() > 1 {
                self.refs.push((path, line));
            }
            i = j;
        }
    }
}

impl<'ast> Visit<'ast> for Collect {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Struct(i) => &i.attrs,
            syn::Item::Enum(i) => &i.attrs,
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            syn::Item::Type(i) => &i.attrs,
            syn::Item::Macro(i) => &i.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if is_test_only(attrs) {
            return;
        }
        if let syn::Item::Use(u) = item {
            self.use_tree(&mut Vec::new(), &u.tree);
            return;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        // A `use` inside a function body counts as the module's.
        if let syn::Stmt::Item(syn::Item::Use(u)) = s {
            if !is_test_only(&u.attrs) {
                self.use_tree(&mut Vec::new(), &u.tree);
            }
            return;
        }
        syn::visit::visit_stmt(self, s);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() && p.segments.len() > 1 {
            let path = p.segments.iter().map(|s| s.ident.to_string()).collect();
            let line = p.segments[0].ident.span().start().line;
            self.refs.push((path, line));
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }
}

/// The strongly connected sets of two or more modules (Tarjan).
fn cycles(nodes: &[ModPath], edges: &BTreeSet<(ModPath, ModPath)>) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        next: &'a HashMap<&'a ModPath, Vec<&'a ModPath>>,
        index: HashMap<&'a ModPath, usize>,
        low: HashMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    fn connect<'a>(s: &mut State<'a>, v: &'a ModPath) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in s.next.get(v).map(Vec::as_slice).unwrap_or_default() {
            if !s.index.contains_key(w) {
                connect(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut set = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                set.push(w.clone());
                if w == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                s.out.push(set);
            }
        }
    }
    let mut next: HashMap<&ModPath, Vec<&ModPath>> = HashMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    let mut s = State {
        next: &next,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in nodes {
        if !s.index.contains_key(v) {
            connect(&mut s, v);
        }
    }
    s.out
}

/// The report of every cycle of the crate rooted at `root` (empty: none): every edge counts.
fn report(root: &Path) -> (Vec<Vec<String>>, String) {
    let g = Graph::load(root);
    let edges = g.edges();
    let nodes: Vec<ModPath> = g.modules.keys().cloned().collect();
    let pairs: BTreeSet<(ModPath, ModPath)> = edges.keys().cloned().collect();
    let found = cycles(&nodes, &pairs);
    let base = root.parent().unwrap();
    let mut text = String::new();
    for set in &found {
        let names: Vec<String> = set.iter().map(|m| name(m)).collect();
        text.push_str(&format!("import circle: {}\n", names.join(" <-> ")));
        for ((a, b), at) in &edges {
            if set.contains(a) && set.contains(b) {
                let (file, line) = &at[0];
                let file = file.strip_prefix(base).unwrap_or(file);
                text.push_str(&format!(
                    "  {} uses {} ({}:{line}{})\n",
                    name(a),
                    name(b),
                    file.display(),
                    if at.len() > 1 {
                        format!(", and {} more", at.len() - 1)
                    } else {
                        String::new()
                    }
                ));
            }
        }
    }
    let sets = found
        .iter()
        .map(|set| set.iter().map(|m| name(m)).collect())
        .collect();
    (sets, text)
}

#[test]
fn the_engine_has_no_module_import_circles() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../engine/src/lib.rs");
    let (sets, text) = report(&root);
    assert!(sets.is_empty(), "{text}");
    if std::env::var_os("MFA_MODULE_LAYERS").is_some() {
        print!("{}", layers(&root));
    }
}

/// Each module's layer (0: imports no other module of the crate; else one more than the
/// highest layer it imports), for docs/design.md: `MFA_MODULE_LAYERS=1 cargo test -p
/// mfa-checks --test module_cycles -- --nocapture`. Only called without cycles.
fn layers(root: &Path) -> String {
    let g = Graph::load(root);
    let edges = g.edges();
    let mut layer: BTreeMap<ModPath, usize> = BTreeMap::new();
    fn of(
        m: &ModPath,
        edges: &BTreeMap<(ModPath, ModPath), Vec<(PathBuf, usize)>>,
        layer: &mut BTreeMap<ModPath, usize>,
    ) -> usize {
        if let Some(l) = layer.get(m) {
            return *l;
        }
        let next: Vec<ModPath> = edges
            .keys()
            .filter(|(a, _)| a == m)
            .map(|(_, b)| b.clone())
            .collect();
        let l = next
            .iter()
            .map(|b| of(b, edges, layer) + 1)
            .max()
            .unwrap_or(0);
        layer.insert(m.clone(), l);
        l
    }
    let mut by_layer: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for m in g.modules.keys() {
        let l = of(m, &edges, &mut layer);
        by_layer.entry(l).or_default().push(name(m));
    }
    by_layer
        .iter()
        .map(|(l, names)| format!("{l}: {}\n", names.join(", ")))
        .collect()
}

/// The check finds the circles it must: a fixture crate with a known circle of three
/// modules (through a re-export, a `super::` path and a path in a macro), one between a
/// parent and its child, and a module that only its tests use.
#[test]
fn the_check_names_the_circles_of_a_fixture() {
    let root =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/module_cycles/lib.rs");
    let (sets, text) = report(&root);
    let expected: Vec<Vec<String>> = vec![
        vec!["a".into(), "b".into(), "c".into()],
        vec!["p".into(), "p::child".into()],
    ];
    assert_eq!(sets, expected, "{text}");
    assert!(text.contains("a uses b (a.rs:"), "{text}");
    assert!(text.contains("c uses a ("), "{text}");
}
