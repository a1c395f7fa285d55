// Principal component analysis of a small-width matrix [n, d] (d up to a few hundred): eigenvectors of the
// d×d covariance by cyclic Jacobi rotations in float64, then projection of the centred rows.
import type { Tensor2D } from "@tensorflow/tfjs";

export interface PcaResult {
  /** Projections of the rows on the first k components: [n][k]. */
  scores: number[][];
  /** The components as rows [k][d] (unit length). */
  components: number[][];
  /** Share of the total variance each component explains. */
  explained: number[];
}

/** Eigen-decomposition of a symmetric matrix (row-major d×d): eigenvalues and eigenvectors (columns of V). */
export function symmetricEigen(A: Float64Array, d: number, sweeps = 60): { values: Float64Array; vectors: Float64Array } {
  if (A.length !== d * d) throw new Error(`A has ${A.length} entries; allowed: d * d = ${d * d}`);
  const a = Float64Array.from(A);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let off = 0, total = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) { const x = a[i * d + j] ** 2; total += x; if (i !== j) off += x; }
    if (off <= 1e-22 * total) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        // Rotation that zeroes a[p][q] (Golub & Van Loan, symmetric Schur decomposition).
        const tau = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t), s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => a[i * d + i]), vectors: v };
}

/** The first k principal components of the rows of X (a tensor [n, d] or nested arrays). */
export function pca(X: Tensor2D | number[][], k = 2): PcaResult {
  const rows = Array.isArray(X) ? X : (X.arraySync() as number[][]);
  const n = rows.length;
  const d = n > 0 ? rows[0].length : 0;
  if (n < 2 || d < 1) throw new Error(`X has shape [${n}, ${d}]; allowed: at least 2 rows and 1 column`);
  if (!Number.isInteger(k) || k < 1 || k > d) throw new Error(`k is ${k}; allowed: an integer in [1, ${d}]`);
  const mean = new Float64Array(d);
  for (const r of rows) {
    if (r.length !== d) throw new Error(`X is ragged: rows of length ${d} and ${r.length}`);
    for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  }
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (const r of rows) {
    for (let j = 0; j < d; j++) c[j] = r[j] - mean[j];
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) cov[i * d + j] += (c[i] * c[j]) / (n - 1);
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[i * d + j] = cov[j * d + i];
  const { values, vectors } = symmetricEigen(cov, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((p, q) => values[q] - values[p]);
  const total = values.reduce((s, x) => s + Math.max(x, 0), 0);
  const components = order.slice(0, k).map((col) => Array.from({ length: d }, (_, j) => vectors[j * d + col]));
  const scores = rows.map((r) => components.map((comp) => comp.reduce((s, w, j) => s + w * (r[j] - mean[j]), 0)));
  return { scores, components, explained: order.slice(0, k).map((col) => (total > 0 ? Math.max(values[col], 0) / total : 0)) };
}
