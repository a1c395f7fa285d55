// Seeded randomness: initial weights, dropout masks and synthetic data are functions of the seed alone.
/** A small fast PRNG (mulberry32): uniform floats in [0, 1), reproducible from a 32-bit seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed is ${seed}; allowed: a finite number`);
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A new generator whose stream depends on this one's seed and `salt` (e.g. the epoch). */
  fork(salt: number): Rng {
    return new Rng(Math.floor(this.next() * 4294967296) ^ Math.imul(salt + 1, 0x85ebca6b));
  }
  /** A uniformly random permutation of 0 .. n − 1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const a = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
  uniform(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }
  /** Inverted-dropout mask: 0 with probability `rate`, else 1 / (1 - rate). */
  dropoutMask(n: number, rate: number): Float32Array {
    const out = new Float32Array(n);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < n; i++) out[i] = this.next() < rate ? 0 : keep;
    return out;
  }
}
