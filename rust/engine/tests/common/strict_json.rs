//! An independent strict check of a Duo `auth_status` approval, written from RFC 8259 and
//! Duo's contract alone (no serde): a small recursive-descent parser that keeps every
//! member of every object in order, so a duplicate is seen rather than resolved. Used by
//! the `duo_differential` test and the `duo_differential` fuzz target, (for Okta's poll
//! and verify answers) by the `okta_strict` test and the `okta_differential` fuzz target, and
//! (for privacyIDEA's final check) by the `privacyidea_strict` test and the
//! `privacyidea_differential` fuzz target.

#![allow(dead_code)] // Each fuzz target includes this file and uses one of its checks.

#[derive(Debug)]
enum J {
    Null,
    Bool(bool),
    /// The number as written.
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

struct P<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    fn lit(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..]
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    fn value(&mut self) -> Option<J> {
        self.ws();
        let v = match *self.b.get(self.i)? {
            b'n' => self.lit(b"null").map(|_| J::Null),
            b't' => self.lit(b"true").map(|_| J::Bool(true)),
            b'f' => self.lit(b"false").map(|_| J::Bool(false)),
            b'"' => self.string().map(J::Str),
            b'[' => self.array(),
            b'{' => self.object(),
            _ => self.number(),
        };
        self.ws();
        v
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<J> {
        let start = self.i;
        let _ = self.eat(b'-');
        if self.eat(b'0').is_none() && self.digits() == 0 {
            return None;
        }
        if self.eat(b'.').is_some() && self.digits() == 0 {
            return None;
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(J::Num(
            String::from_utf8_lossy(&self.b[start..self.i]).into_owned(),
        ))
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = std::str::from_utf8(self.b.get(self.i..self.i + 4)?).ok()?;
        let v = u32::from_str_radix(h, 16).ok()?;
        if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        Some(v)
    }

    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                0..=0x1f => return None,
                b'\\' => {
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.lit(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    let mut tmp = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= 64).then_some(())
    }

    fn array(&mut self) -> Option<J> {
        self.nest()?;
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']').is_none() {
            loop {
                items.push(self.value()?);
                if self.eat(b']').is_some() {
                    break;
                }
                self.eat(b',')?;
            }
        }
        self.depth -= 1;
        Some(J::Arr(items))
    }

    fn object(&mut self) -> Option<J> {
        self.nest()?;
        self.eat(b'{')?;
        let mut members = Vec::new();
        self.ws();
        if self.eat(b'}').is_none() {
            loop {
                self.ws();
                let k = self.string()?;
                self.ws();
                self.eat(b':')?;
                members.push((k, self.value()?));
                if self.eat(b'}').is_some() {
                    break;
                }
                self.eat(b',')?;
            }
        }
        self.depth -= 1;
        Some(J::Obj(members))
    }
}

fn parse(bytes: &[u8]) -> Option<J> {
    let mut p = P {
        b: bytes,
        i: 0,
        depth: 0,
    };
    let v = p.value()?;
    (p.i == bytes.len()).then_some(v)
}

fn unique_keys(v: &J) -> bool {
    match v {
        J::Obj(m) => {
            let mut keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            let n = keys.len();
            keys.dedup();
            keys.len() == n && m.iter().all(|(_, v)| unique_keys(v))
        }
        J::Arr(a) => a.iter().all(unique_keys),
        J::Null | J::Bool(_) | J::Num(_) | J::Str(_) => true,
    }
}

/// The one member `key` of an object (`None` when missing or repeated).
fn one<'a>(members: &'a [(String, J)], key: &str) -> Option<&'a J> {
    let mut found = members.iter().filter(|(k, _)| k == key);
    let first = found.next()?;
    found.next().is_none().then_some(&first.1)
}

/// True when `bytes` is exactly one JSON document, with no key repeated anywhere, exactly
/// one `stat` = `OK`, one `response` object, and in it one `result` = `allow` and one
/// `status` = `allow`.
pub fn is_approval(bytes: &[u8]) -> bool {
    let Some(doc) = parse(bytes) else {
        return false;
    };
    if !unique_keys(&doc) {
        return false;
    }
    let J::Obj(top) = &doc else { return false };
    let is = |v: Option<&J>, want: &str| matches!(v, Some(J::Str(s)) if s == want);
    if !is(one(top, "stat"), "OK") {
        return false;
    }
    let Some(J::Obj(response)) = one(top, "response") else {
        return false;
    };
    is(one(response, "result"), "allow") && is(one(response, "status"), "allow")
}

/// True when `bytes` is exactly one JSON document, with no key repeated anywhere, whose top
/// level is an object with exactly one `factorResult` = `SUCCESS` (an Okta poll approval).
pub fn is_okta_approval(bytes: &[u8]) -> bool {
    let Some(doc) = parse(bytes) else {
        return false;
    };
    if !unique_keys(&doc) {
        return false;
    }
    let J::Obj(top) = &doc else { return false };
    matches!(one(top, "factorResult"), Some(J::Str(s)) if s == "SUCCESS")
}

/// True when `bytes` is a privacyIDEA `/validate/check` approval for a call that sent `nonce`
/// and the push tokens `serials`: exactly one JSON document, no key repeated anywhere, a top
/// object with at most one `nonce` (equal to `nonce` when there), one `result` object holding
/// one `status` = true, one `value` = true and one `authentication` = `ACCEPT`, and a
/// `detail` that is absent, null, or an object whose `serial`, when there, is one of `serials`.
pub fn is_privacyidea_approval(bytes: &[u8], nonce: &str, serials: &[&str]) -> bool {
    let Some(doc) = parse(bytes) else {
        return false;
    };
    if !unique_keys(&doc) {
        return false;
    }
    let J::Obj(top) = &doc else { return false };
    match top.iter().find(|(k, _)| k == "nonce") {
        None => {}
        Some((_, J::Str(n))) if n == nonce => {}
        Some(_) => return false,
    }
    let Some(J::Obj(result)) = one(top, "result") else {
        return false;
    };
    let accepted = matches!(one(result, "status"), Some(J::Bool(true)))
        && matches!(one(result, "value"), Some(J::Bool(true)))
        && matches!(one(result, "authentication"), Some(J::Str(a)) if a == "ACCEPT");
    if !accepted {
        return false;
    }
    match top.iter().find(|(k, _)| k == "detail").map(|(_, v)| v) {
        None | Some(J::Null) => true,
        Some(J::Obj(detail)) => match detail.iter().find(|(k, _)| k == "serial") {
            None | Some((_, J::Null)) => true,
            Some((_, J::Str(s))) => serials.contains(&s.as_str()),
            Some(_) => false,
        },
        Some(_) => false,
    }
}
/// An Okta poll answer's `_links.poll.href` as the strict parse sees it: `Some(None)` when
/// the document has no `_links` or no `poll` in it (or `null`), `Some(Some(href))` for
/// exactly one `poll` object with exactly one string `href`, `None` for anything else
/// (including a document that does not parse or repeats a key).
pub fn okta_poll_link(bytes: &[u8]) -> Option<Option<String>> {
    let doc = parse(bytes)?;
    if !unique_keys(&doc) {
        return None;
    }
    let J::Obj(top) = &doc else { return None };
    link(top, "poll")
}

fn link(top: &[(String, J)], name: &str) -> Option<Option<String>> {
    if !top.iter().any(|(k, _)| k == "_links") {
        return Some(None);
    }
    let J::Obj(links) = one(top, "_links")? else {
        return None;
    };
    if !links.iter().any(|(k, _)| k == name) {
        return Some(None);
    }
    match one(links, name)? {
        J::Null => Some(None),
        J::Obj(l) => match one(l, "href")? {
            J::Str(h) => Some(Some(h.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// An Okta verify answer (HTTP 201) that started a push, as the strict parse sees it: one
/// document, no repeated key, exactly one `factorResult` = `WAITING`, a poll link, the
/// cancel link when there is one, and `_embedded.challenge.correctAnswer` when there is one
/// (a whole number as written). `None` for anything else.
#[allow(clippy::type_complexity)]
pub fn okta_verify(bytes: &[u8]) -> Option<(String, Option<String>, Option<i64>)> {
    let doc = parse(bytes)?;
    if !unique_keys(&doc) {
        return None;
    }
    let J::Obj(top) = &doc else { return None };
    if !matches!(one(top, "factorResult"), Some(J::Str(s)) if s == "WAITING") {
        return None;
    }
    let poll = link(top, "poll")??;
    let cancel = link(top, "cancel")?;
    let number = if !top.iter().any(|(k, _)| k == "_embedded") {
        None
    } else {
        match one(top, "_embedded")? {
            J::Obj(e) if !e.iter().any(|(k, _)| k == "challenge") => None,
            J::Obj(e) => match one(e, "challenge")? {
                J::Null => None,
                J::Obj(c) => match one(c, "correctAnswer")? {
                    J::Num(n) => Some(n.parse::<i64>().ok()?),
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        }
    };
    Some((poll, cancel, number))
}
