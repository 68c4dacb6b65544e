//! A small seeded generator (SplitMix64) for the screening order and the
//! simulation. Its own code, not a crate's, so a seed gives the same order on
//! every platform and after every dependency upgrade: a review must be able
//! to say which order its records were screened in.

/// SplitMix64 (Steele, Lea & Flood 2014): one 64-bit state, full period.
#[derive(Debug, Clone)]
pub struct SeededRng {
    state: u64,
}

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias worth mentioning at
    /// the sizes of a batch (the bias is below n / 2^64).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A uniformly random permutation of `0..n` (Fisher–Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            order.swap(i, j);
        }
        order
    }
}

/// The SplitMix64 finaliser; also a good hash of one number, used to give
/// each pick slot its own independent coin.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in [0, 1) determined by `seed` and `slot` alone.
pub fn coin(seed: u64, slot: u64) -> f64 {
    (mix(seed ^ mix(slot.wrapping_add(0x5851_F42D_4C95_7F2D))) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_permutation_and_another_seed_does_not() {
        let a = SeededRng::new(7).permutation(50);
        let b = SeededRng::new(7).permutation(50);
        let c = SeededRng::new(8).permutation(50);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn uniform_draws_have_the_right_mean() {
        let mut rng = SeededRng::new(1);
        let mean = (0..100_000).map(|_| rng.next_f64()).sum::<f64>() / 100_000.0;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        let share = (0..100_000).filter(|&s| coin(3, s) < 0.1).count() as f64 / 100_000.0;
        assert!((share - 0.1).abs() < 0.005, "{share}");
    }
}
