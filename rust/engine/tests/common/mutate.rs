//! Seeded mutations for the property tests that run the differential checks on stable
//! Rust: a small xorshift generator (the same sequence on every run) and byte edits of a
//! seed answer (a flipped bit, a cut, an inserted fragment).

/// xorshift64*: deterministic, seeded, good enough to spread mutations.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `seed` with one to three edits: a flipped bit, up to 16 bytes cut, or one of
/// `fragments` inserted (a duplicated key, an escape, a structural character).
pub fn mutate(rng: &mut Rng, seed: &[u8], fragments: &[&str]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(b.len() + 1);
        match rng.below(4) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 if !b.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(b.len());
                b.drain(at.min(b.len())..end);
            }
            _ => {
                let f = fragments[rng.below(fragments.len())].as_bytes();
                b.splice(at..at, f.iter().copied());
            }
        }
    }
    b
}
