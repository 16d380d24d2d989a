//! Name lookup over the model: what a path may refer to, and under which cfgs each
//! candidate exists. Rust keeps the first definition it finds (block, module, glob
//! import, extern crate), but whether a reference compiles at all only needs SOME
//! definition to exist, so every scope's candidates count. A name nothing here defines
//! (the standard library, another crate, a macro's output) is `None`: not checked.

use std::collections::HashMap;

use crate::cfg::Cfg;
use crate::model::{Binding, ModId, Model, Target};

/// One thing a path may mean, and the cfg under which that meaning exists.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub cfg: Cfg,
    pub target: Target,
    pub binding: Option<Binding>,
}

/// Names bound by the items of one block (a `fn` body).
pub type BlockScope = HashMap<String, Vec<Binding>>;

/// Guards against `use` cycles and glob chains.
const MAX_DEPTH: usize = 8;

impl Model {
    pub fn crate_root(&self, m: ModId) -> ModId {
        self.krates[self.modules[m].krate].root
    }

    fn libs_named(&self, name: &str) -> Vec<Candidate> {
        self.krates
            .iter()
            .filter(|k| k.is_lib && k.name == name)
            .map(|k| Candidate {
                cfg: Cfg::True,
                target: Target::Module(k.root),
                binding: None,
            })
            .collect()
    }

    /// What `name` means in module `m` (its items and imports, then its glob imports),
    /// plus, when `externs`, the library crates of that name.
    pub fn lookup_in_module(
        &self,
        m: ModId,
        name: &str,
        externs: bool,
        depth: usize,
    ) -> Vec<Candidate> {
        let mut found = self.names_in_module(m, name, depth);
        if externs {
            found.extend(self.libs_named(name));
        }
        found
    }

    /// `lookup_in_module` without the crates, remembered per module and name; a glob cycle
    /// (`a` imports `b::*`, `b` imports `a::*`) adds nothing the first visit did not find.
    fn names_in_module(&self, m: ModId, name: &str, depth: usize) -> Vec<Candidate> {
        let key = (m, name.to_string());
        if let Some(known) = self.lookups.borrow().get(&key) {
            return known.clone();
        }
        if depth > MAX_DEPTH || !self.in_progress.borrow_mut().insert(key.clone()) {
            return Vec::new();
        }
        let mut found = Vec::new();
        let module = &self.modules[m];
        for b in module.names.get(name).into_iter().flatten() {
            found.push(Candidate {
                cfg: b.cfg.clone(),
                target: b.target.clone(),
                binding: Some(b.clone()),
            });
        }
        for g in &module.globs {
            let Some(sources) = self.resolve_path(m, &g.path, g.leading_colon, &[], depth + 1)
            else {
                // A glob over something outside: it may bring any name.
                found.push(outside(g.cfg.clone()));
                continue;
            };
            for source in sources {
                let cfg = g.cfg.and(&source.cfg);
                match source.target {
                    Target::Module(inner) => {
                        for c in self.names_in_module(inner, name, depth + 1) {
                            found.push(Candidate {
                                cfg: cfg.and(&c.cfg),
                                ..c
                            });
                        }
                    }
                    Target::Type(k, ty) => {
                        for c in self.lookup_assoc(k, &ty, name) {
                            found.push(Candidate {
                                cfg: cfg.and(&c.cfg),
                                ..c
                            });
                        }
                    }
                    _ => found.push(outside(cfg)),
                }
            }
        }
        self.in_progress.borrow_mut().remove(&key);
        self.lookups.borrow_mut().insert(key, found.clone());
        found
    }

    fn lookup_assoc(&self, krate: usize, ty: &str, name: &str) -> Vec<Candidate> {
        self.assoc
            .get(&(krate, ty.to_string()))
            .and_then(|items| items.get(name))
            .into_iter()
            .flatten()
            .map(|b| Candidate {
                cfg: b.cfg.clone(),
                target: Target::Item,
                binding: Some(b.clone()),
            })
            .collect()
    }

    /// The associated items named `name` of the type `ty` of crate `krate`.
    pub fn assoc_of(&self, krate: usize, ty: &str, name: &str) -> Vec<Candidate> {
        self.lookup_assoc(krate, ty, name)
    }

    /// What a first path segment means where `blocks` and module `m` are in scope.
    pub fn lookup_first(
        &self,
        m: ModId,
        blocks: &[BlockScope],
        name: &str,
        depth: usize,
    ) -> Vec<Candidate> {
        let mut found = Vec::new();
        for scope in blocks.iter().rev() {
            for b in scope.get(name).into_iter().flatten() {
                found.push(Candidate {
                    cfg: b.cfg.clone(),
                    target: b.target.clone(),
                    binding: Some(b.clone()),
                });
            }
        }
        found.extend(self.lookup_in_module(m, name, true, depth));
        found
    }

    /// The members named `name` of what `c` means (a module's items, a type's associated
    /// items, an import's target), each with the cfg under which it exists. `None`: not
    /// known here (something outside, a trait method from elsewhere).
    pub fn members(&self, c: &Candidate, name: &str, depth: usize) -> Option<Vec<Candidate>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let found: Vec<Candidate> = match &c.target {
            Target::Module(_) if name == "self" => vec![Candidate {
                cfg: Cfg::True,
                ..c.clone()
            }],
            Target::Module(m) if name == "super" => {
                let parent = self.modules[*m].parent?;
                vec![Candidate {
                    cfg: Cfg::True,
                    target: Target::Module(parent),
                    binding: None,
                }]
            }
            Target::Module(m) => self.lookup_in_module(*m, name, false, depth + 1),
            Target::Type(k, ty) => self.lookup_assoc(*k, ty, name),
            Target::Use {
                path,
                from,
                leading_colon,
            } => {
                let mut all = Vec::new();
                for t in self.resolve_path(*from, path, *leading_colon, &[], depth + 1)? {
                    let via = Candidate {
                        cfg: c.cfg.and(&t.cfg),
                        ..t
                    };
                    all.extend(self.members(&via, name, depth + 1)?);
                }
                all
            }
            Target::Item | Target::Outside => return None,
        };
        if found.is_empty() || found.iter().any(|f| matches!(f.target, Target::Outside)) {
            return None;
        }
        Some(
            found
                .into_iter()
                .map(|f| Candidate {
                    cfg: c.cfg.and(&f.cfg),
                    ..f
                })
                .collect(),
        )
    }

    /// What a whole path written in module `m` means (the last segment's candidates);
    /// `None` when some segment is not known here.
    pub fn resolve_path(
        &self,
        m: ModId,
        path: &[String],
        leading_colon: bool,
        blocks: &[BlockScope],
        depth: usize,
    ) -> Option<Vec<Candidate>> {
        let mut current = self.first_segment(m, path, leading_colon, blocks, depth)?;
        for seg in path.iter().skip(1) {
            let mut next = Vec::new();
            for c in &current {
                next.extend(self.members(c, seg, depth + 1)?);
            }
            current = next;
        }
        Some(current)
    }

    /// The candidates of a path's first segment (`crate`, `self`, `super`, a crate name
    /// after `::`, or a name in scope); `None` when it is not known here.
    pub fn first_segment(
        &self,
        m: ModId,
        path: &[String],
        leading_colon: bool,
        blocks: &[BlockScope],
        depth: usize,
    ) -> Option<Vec<Candidate>> {
        let first = path.first()?;
        let module = |id| {
            Some(vec![Candidate {
                cfg: Cfg::True,
                target: Target::Module(id),
                binding: None,
            }])
        };
        let found = if leading_colon {
            self.libs_named(first)
        } else {
            match first.as_str() {
                "crate" => return module(self.crate_root(m)),
                "self" => return module(m),
                "super" => return self.modules[m].parent.and_then(module),
                _ => self.lookup_first(m, blocks, first, depth),
            }
        };
        if found.is_empty() {
            None
        } else {
            Some(found)
        }
    }
}

fn outside(cfg: Cfg) -> Candidate {
    Candidate {
        cfg,
        target: Target::Outside,
        binding: None,
    }
}
