//! Walks every module's items and checks each reference: a path (in an expression, a
//! type, a pattern, a `use`, a macro's arguments, a format string's `{name}`), or a
//! `self.method()` call, must name something that exists in every configuration in which
//! the reference itself is compiled. `cfg!(...)` in an `if` does not remove code, so it
//! is no gate.

use std::collections::HashSet;
use std::path::PathBuf;

use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};

use crate::cfg::Cfg;
use crate::model::{
    item_attrs, line_of, type_name, use_name, Binding, Location, ModId, Model, Target,
};
use crate::resolve::{BlockScope, Candidate};

/// A reference compiled where what it names may not exist.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub at: Location,
    pub name: String,
    pub used_under: String,
    pub defined_under: String,
    pub defined_at: Vec<Location>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let places: Vec<String> = self
            .defined_at
            .iter()
            .map(|l| format!("{}:{}", l.file.display(), l.line))
            .collect();
        write!(
            f,
            "{}:{}: `{}` is used on {} but exists only on {} ({}); gate the use the same way, or define it for every target",
            self.at.file.display(),
            self.at.line,
            self.name,
            self.used_under,
            self.defined_under,
            places.join(", ")
        )
    }
}

/// Every finding in every module of `model`, sorted.
pub fn check(model: &Model) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, module) in model.modules.iter().enumerate() {
        let mut walker = Walker {
            model,
            module: id,
            file: module.file.clone(),
            cfgs: vec![module.cfg.clone()],
            locals: Vec::new(),
            blocks: Vec::new(),
            self_types: Vec::new(),
            findings: Vec::new(),
        };
        for item in &module.items {
            walker.visit_item(item);
        }
        findings.extend(walker.findings);
    }
    findings.sort();
    findings.dedup();
    findings
}

struct Walker<'m> {
    model: &'m Model,
    module: ModId,
    file: PathBuf,
    /// The cfgs of everything enclosing the current node.
    cfgs: Vec<Cfg>,
    /// Names bound by patterns and generic parameters of the enclosing functions and items:
    /// a path naming one of them is a local, not an item.
    locals: Vec<HashSet<String>>,
    /// The items of each enclosing block, innermost last.
    blocks: Vec<BlockScope>,
    /// The type of each enclosing `impl` (for `Self::` and `self.method()`).
    self_types: Vec<Option<String>>,
    findings: Vec<Finding>,
}

impl Walker<'_> {
    fn here(&self) -> Cfg {
        Cfg::all(self.cfgs.clone())
    }

    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|l| l.contains(name))
    }

    /// Runs `f` with `attrs`' cfg pushed.
    fn gated(&mut self, attrs: &[syn::Attribute], f: impl FnOnce(&mut Self)) {
        self.cfgs.push(Cfg::of_attrs(attrs));
        f(self);
        self.cfgs.pop();
    }

    /// Checks that some candidate exists wherever the current code is compiled; false
    /// when it reported that it does not.
    fn require(&mut self, name: &str, line: usize, candidates: &[Candidate]) -> bool {
        if candidates.is_empty()
            || candidates
                .iter()
                .any(|c| matches!(c.target, Target::Outside))
        {
            return true;
        }
        let here = self.here();
        let defined = Cfg::any(candidates.iter().map(|c| c.cfg.clone()).collect());
        if here.implies(&defined) {
            return true;
        }
        let mut defined_at: Vec<Location> = candidates
            .iter()
            .filter_map(|c| c.binding.as_ref().map(|b| b.at.clone()))
            .collect();
        defined_at.sort();
        defined_at.dedup();
        self.findings.push(Finding {
            at: Location {
                file: self.file.clone(),
                line,
            },
            name: name.to_string(),
            used_under: here.to_string(),
            defined_under: defined.to_string(),
            defined_at,
        });
        false
    }

    /// Checks each segment of a path written here.
    fn check_path(&mut self, segments: &[(String, usize)], leading_colon: bool) {
        let Some((first, line)) = segments.first() else {
            return;
        };
        if !leading_colon && segments.len() == 1 && self.is_local(first) {
            return;
        }
        let path: Vec<String> = segments.iter().map(|(s, _)| s.clone()).collect();
        let mut current = if !leading_colon && first == "Self" {
            match self.self_types.last().cloned().flatten() {
                Some(ty) => vec![Candidate {
                    cfg: Cfg::True,
                    target: Target::Type(self.model.modules[self.module].krate, ty),
                    binding: None,
                }],
                None => return,
            }
        } else {
            match self
                .model
                .first_segment(self.module, &path, leading_colon, &self.blocks, 0)
            {
                Some(c) => c,
                None => return,
            }
        };
        // The first segment that may be missing is reported; the rest of the path with it.
        if !self.require(first, *line, &current) {
            return;
        }
        for (seg, line) in segments.iter().skip(1) {
            let mut next = Vec::new();
            for c in &current {
                match self.model.members(c, seg, 0) {
                    Some(found) => next.extend(found),
                    None => return,
                }
            }
            if !self.require(seg, *line, &next) {
                return;
            }
            current = next;
        }
    }

    fn path_segments(path: &syn::Path) -> Vec<(String, usize)> {
        path.segments
            .iter()
            .map(|s| (s.ident.to_string(), line_of(s.ident.span())))
            .collect()
    }

    /// Walks a `use` tree as references to what it imports.
    fn check_use(
        &mut self,
        tree: &syn::UseTree,
        prefix: &mut Vec<(String, usize)>,
        leading_colon: bool,
    ) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push((p.ident.to_string(), line_of(p.ident.span())));
                self.check_use(&p.tree, prefix, leading_colon);
                prefix.pop();
            }
            syn::UseTree::Name(syn::UseName { ident })
            | syn::UseTree::Rename(syn::UseRename { ident, .. }) => {
                let mut path = prefix.clone();
                if ident != "self" {
                    path.push((ident.to_string(), line_of(ident.span())));
                }
                self.check_path(&path, leading_colon);
            }
            syn::UseTree::Glob(_) => {
                let path = prefix.clone();
                self.check_path(&path, leading_colon);
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.check_use(t, prefix, leading_colon);
                }
            }
        }
    }

    /// Items declared in a block are in scope in the whole block.
    fn block_scope(&self, stmts: &[syn::Stmt]) -> BlockScope {
        let mut scope = BlockScope::new();
        let here = self.here();
        let krate = self.model.modules[self.module].krate;
        let mut add = |name: String, attrs: &[syn::Attribute], target: Target, line: usize| {
            scope.entry(name).or_default().push(Binding {
                cfg: here.and(&Cfg::of_attrs(attrs)),
                target,
                at: Location {
                    file: self.file.clone(),
                    line,
                },
            });
        };
        for stmt in stmts {
            let syn::Stmt::Item(item) = stmt else {
                continue;
            };
            let attrs = item_attrs(item);
            let named = |ident: &syn::Ident| (ident.to_string(), line_of(ident.span()));
            let ty = |ident: &syn::Ident| Target::Type(krate, ident.to_string());
            match item {
                syn::Item::Fn(f) => {
                    let (n, l) = named(&f.sig.ident);
                    add(n, attrs, Target::Item, l)
                }
                syn::Item::Const(c) => {
                    let (n, l) = named(&c.ident);
                    add(n, attrs, Target::Item, l)
                }
                syn::Item::Static(s) => {
                    let (n, l) = named(&s.ident);
                    add(n, attrs, Target::Item, l)
                }
                syn::Item::Struct(s) => {
                    let (n, l) = named(&s.ident);
                    add(n, attrs, ty(&s.ident), l)
                }
                syn::Item::Enum(e) => {
                    let (n, l) = named(&e.ident);
                    add(n, attrs, ty(&e.ident), l)
                }
                syn::Item::Use(u) => {
                    let mut imports = Vec::new();
                    collect_use_names(&u.tree, &mut Vec::new(), &mut imports);
                    for (name, path, line) in imports {
                        let target = Target::Use {
                            path,
                            from: self.module,
                            leading_colon: u.leading_colon.is_some(),
                        };
                        add(name, attrs, target, line);
                    }
                }
                _ => {}
            }
        }
        scope
    }

    /// Arguments of a macro call that parse as expressions, and names a format string
    /// captures (`"{name}"`).
    fn check_macro(&mut self, mac: &syn::Macro) {
        let parsed = mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated);
        match parsed {
            Ok(args) => {
                for arg in &args {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = arg
                    {
                        for name in format_captures(&s.value()) {
                            self.check_path(&[(name, line_of(s.span()))], false);
                        }
                    }
                    self.visit_expr(arg);
                }
            }
            // Not expressions (a pattern in matches!, select! arms): only what is plainly a
            // call or a path (`f(`, `a::b`) is taken as a reference.
            Err(_) => self.scan_tokens(mac.tokens.clone()),
        }
    }

    fn scan_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        use proc_macro2::TokenTree;
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.scan_tokens(g.stream()),
                TokenTree::Ident(ident) => {
                    let after_dot =
                        i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    let mut path = vec![(ident.to_string(), line_of(ident.span()))];
                    let mut j = i + 1;
                    while j + 2 < trees.len() + 1 {
                        match (&trees.get(j), &trees.get(j + 1), &trees.get(j + 2)) {
                            (
                                Some(TokenTree::Punct(a)),
                                Some(TokenTree::Punct(b)),
                                Some(TokenTree::Ident(next)),
                            ) if a.as_char() == ':' && b.as_char() == ':' => {
                                path.push((next.to_string(), line_of(next.span())));
                                j += 3;
                            }
                            _ => break,
                        }
                    }
                    let called = matches!(trees.get(j), Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis);
                    if !after_dot && (path.len() > 1 || called) {
                        self.check_path(&path, false);
                    }
                    i = j;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// `(name, path, line)` for each name a `use` tree binds.
fn collect_use_names(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(String, Vec<String>, usize)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            collect_use_names(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let (path, name) = use_name(prefix, &n.ident);
            out.push((name, path, line_of(n.ident.span())));
        }
        syn::UseTree::Rename(r) if r.rename != "_" => {
            let (path, _) = use_name(prefix, &r.ident);
            out.push((r.rename.to_string(), path, line_of(r.rename.span())));
        }
        syn::UseTree::Group(g) => g
            .items
            .iter()
            .for_each(|t| collect_use_names(t, prefix, out)),
        _ => {}
    }
}

/// The identifiers a format string captures: `{name}`, `{name:>8}`, never `{{`, `{0}`, `{}`.
fn format_captures(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '{' {
            continue;
        }
        if chars.peek().map(|&(_, n)| n) == Some('{') {
            chars.next();
            continue;
        }
        let rest = &text[i + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let next = rest[name.len()..].chars().next();
        if !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && matches!(next, Some('}') | Some(':'))
        {
            out.push(name);
        }
    }
    out
}

/// Every name a pattern or a set of generic parameters binds, anywhere below a node.
#[derive(Default)]
struct Bound(HashSet<String>);

impl<'ast> Visit<'ast> for Bound {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.insert(p.ident.to_string());
        visit::visit_pat_ident(self, p);
    }
    fn visit_generic_param(&mut self, g: &'ast syn::GenericParam) {
        match g {
            syn::GenericParam::Type(t) => self.0.insert(t.ident.to_string()),
            syn::GenericParam::Const(c) => self.0.insert(c.ident.to_string()),
            syn::GenericParam::Lifetime(_) => false,
        };
        visit::visit_generic_param(self, g);
    }
    // Macro arguments may bind names too (`let` inside a block argument); a name found
    // there is only ever skipped, so taking every identifier a macro's `let` could bind
    // errs on the quiet side.
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if let Ok(args) =
            m.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        {
            for a in &args {
                self.visit_expr(a);
            }
        }
    }
}

fn bound_in(f: impl FnOnce(&mut Bound)) -> HashSet<String> {
    let mut b = Bound::default();
    f(&mut b);
    b.0
}

fn expr_attrs(e: &syn::Expr) -> &[syn::Attribute] {
    use syn::Expr::*;
    match e {
        Array(x) => &x.attrs,
        Assign(x) => &x.attrs,
        Async(x) => &x.attrs,
        Await(x) => &x.attrs,
        Binary(x) => &x.attrs,
        Block(x) => &x.attrs,
        Break(x) => &x.attrs,
        Call(x) => &x.attrs,
        Cast(x) => &x.attrs,
        Closure(x) => &x.attrs,
        Const(x) => &x.attrs,
        Continue(x) => &x.attrs,
        Field(x) => &x.attrs,
        ForLoop(x) => &x.attrs,
        Group(x) => &x.attrs,
        If(x) => &x.attrs,
        Index(x) => &x.attrs,
        Infer(x) => &x.attrs,
        Let(x) => &x.attrs,
        Lit(x) => &x.attrs,
        Loop(x) => &x.attrs,
        Macro(x) => &x.attrs,
        Match(x) => &x.attrs,
        MethodCall(x) => &x.attrs,
        Paren(x) => &x.attrs,
        Path(x) => &x.attrs,
        Range(x) => &x.attrs,
        RawAddr(x) => &x.attrs,
        Reference(x) => &x.attrs,
        Repeat(x) => &x.attrs,
        Return(x) => &x.attrs,
        Struct(x) => &x.attrs,
        Try(x) => &x.attrs,
        TryBlock(x) => &x.attrs,
        Tuple(x) => &x.attrs,
        Unary(x) => &x.attrs,
        Unsafe(x) => &x.attrs,
        While(x) => &x.attrs,
        Yield(x) => &x.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    // Attributes and visibilities hold paths (`#[tokio::test]`, `pub(crate)`) that name no item.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            // An inline module is walked as a module of its own (with its own cfg).
            syn::Item::Mod(m) if m.content.is_some() || m.semi.is_some() => return,
            // A macro_rules! body names things where the macro is expanded, not here.
            syn::Item::Macro(m) if m.ident.is_some() => return,
            _ => {}
        }
        self.gated(item_attrs(item), |w| {
            let generics = bound_in(|b| match item {
                syn::Item::Fn(f) => b.visit_generics(&f.sig.generics),
                syn::Item::Impl(i) => b.visit_generics(&i.generics),
                syn::Item::Struct(s) => b.visit_generics(&s.generics),
                syn::Item::Enum(e) => b.visit_generics(&e.generics),
                syn::Item::Trait(t) => b.visit_generics(&t.generics),
                syn::Item::Type(t) => b.visit_generics(&t.generics),
                syn::Item::Union(u) => b.visit_generics(&u.generics),
                _ => {}
            });
            w.locals.push(generics);
            match item {
                syn::Item::Use(u) => {
                    let mut prefix = Vec::new();
                    w.check_use(&u.tree, &mut prefix, u.leading_colon.is_some());
                }
                syn::Item::Impl(i) => {
                    w.self_types.push(type_name(&i.self_ty));
                    visit::visit_item_impl(w, i);
                    w.self_types.pop();
                }
                syn::Item::Fn(f) => {
                    // A function's locals: every name its parameters and body bind.
                    let locals = bound_in(|b| b.visit_item_fn(f));
                    w.locals.push(locals);
                    visit::visit_item_fn(w, f);
                    w.locals.pop();
                }
                _ => visit::visit_item(w, item),
            }
            w.locals.pop();
        });
    }

    fn visit_impl_item(&mut self, ii: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match ii {
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Const(c) => &c.attrs,
            syn::ImplItem::Type(t) => &t.attrs,
            _ => &[],
        };
        self.gated(attrs, |w| {
            if let syn::ImplItem::Fn(f) = ii {
                let locals = bound_in(|b| b.visit_impl_item_fn(f));
                w.locals.push(locals);
                visit::visit_impl_item_fn(w, f);
                w.locals.pop();
            } else {
                visit::visit_impl_item(w, ii);
            }
        });
    }

    fn visit_trait_item(&mut self, ti: &'ast syn::TraitItem) {
        let attrs: &[syn::Attribute] = match ti {
            syn::TraitItem::Fn(f) => &f.attrs,
            syn::TraitItem::Const(c) => &c.attrs,
            syn::TraitItem::Type(t) => &t.attrs,
            _ => &[],
        };
        self.gated(attrs, |w| {
            let locals = bound_in(|b| b.visit_trait_item(ti));
            w.locals.push(locals);
            visit::visit_trait_item(w, ti);
            w.locals.pop();
        });
    }

    fn visit_foreign_item(&mut self, fi: &'ast syn::ForeignItem) {
        let attrs: &[syn::Attribute] = match fi {
            syn::ForeignItem::Fn(f) => &f.attrs,
            syn::ForeignItem::Static(s) => &s.attrs,
            _ => &[],
        };
        self.gated(attrs, |w| {
            let locals = bound_in(|b| b.visit_foreign_item(fi));
            w.locals.push(locals);
            visit::visit_foreign_item(w, fi);
            w.locals.pop();
        });
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        let scope = self.block_scope(&b.stmts);
        self.blocks.push(scope);
        visit::visit_block(self, b);
        self.blocks.pop();
    }

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        match s {
            syn::Stmt::Local(l) => self.gated(&l.attrs, |w| visit::visit_local(w, l)),
            syn::Stmt::Macro(m) => self.gated(&m.attrs, |w| {
                w.visit_path(&m.mac.path);
                w.check_macro(&m.mac);
            }),
            syn::Stmt::Item(item) => self.visit_item(item),
            syn::Stmt::Expr(e, _) => self.visit_expr(e),
        }
    }

    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        self.gated(expr_attrs(e), |w| {
            if let syn::Expr::Closure(c) = e {
                let locals = bound_in(|b| b.visit_expr_closure(c));
                w.locals.push(locals);
                visit::visit_expr(w, e);
                w.locals.pop();
            } else {
                visit::visit_expr(w, e);
            }
        });
    }

    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        let locals = bound_in(|b| b.visit_pat(&a.pat));
        self.gated(&a.attrs, |w| {
            w.locals.push(locals);
            visit::visit_arm(w, a);
            w.locals.pop();
        });
    }

    fn visit_field(&mut self, f: &'ast syn::Field) {
        self.gated(&f.attrs, |w| visit::visit_field(w, f));
    }

    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        self.gated(&f.attrs, |w| visit::visit_field_value(w, f));
    }

    fn visit_variant(&mut self, v: &'ast syn::Variant) {
        self.gated(&v.attrs, |w| visit::visit_variant(w, v));
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `self.method()` inside an impl: the method is one of that type's (when this crate
        // defines one of that name; otherwise a trait's, not checked).
        let on_self = matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
        if let (true, Some(Some(ty))) = (on_self, self.self_types.last()) {
            let krate = self.model.modules[self.module].krate;
            let candidates = self.model.assoc_of(krate, ty, &call.method.to_string());
            let _ = self.require(
                &call.method.to_string(),
                line_of(call.method.span()),
                &candidates,
            );
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.visit_path(&m.path);
        self.check_macro(m);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.check_path(&Self::path_segments(p), p.leading_colon.is_some());
        for seg in &p.segments {
            self.visit_path_arguments(&seg.arguments);
        }
    }

    fn visit_qself(&mut self, q: &'ast syn::QSelf) {
        self.visit_type(&q.ty);
    }

    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        self.visit_path_under_qself(e.qself.as_ref(), &e.path);
    }

    fn visit_type_path(&mut self, t: &'ast syn::TypePath) {
        self.visit_path_under_qself(t.qself.as_ref(), &t.path);
    }
}

impl Walker<'_> {
    /// `<T as Trait>::f` is a trait's item: only the types in it are walked.
    fn visit_path_under_qself(&mut self, qself: Option<&syn::QSelf>, path: &syn::Path) {
        match qself {
            Some(q) => {
                self.visit_qself(q);
                for seg in &path.segments {
                    self.visit_path_arguments(&seg.arguments);
                }
            }
            None => self.visit_path(path),
        }
    }
}
