// Edge lists in order: a radix sort of (src, dst) pairs, the symmetric de-duplicated version of a directed
// list, and CSR row starts — shared by the GraphSAINT sampler's CSR and the data loaders. No tfjs here.
import type { EdgeList } from "./adjacency";

export type Pairs = { src: Int32Array; dst: Int32Array };

/**
 * Sorts edge pairs by (src, dst), stably: least-significant-digit radix passes of at most 11 bits over dst,
 * then over src (two passes per key below 2^22 nodes). Each pass reads sequentially and writes to 2^11 bucket
 * heads, which stay in cache; a counting sort's scatter over n rows would miss it at every edge. O(E) per
 * pass; the arrays given are reused as buffers, the result is either them or two new arrays.
 */
export function sortEdges(edges: Pairs, numNodes: number): Pairs {
  const m = edges.src.length;
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(numNodes, 2))));
  const passes = Math.ceil(bits / 11), width = Math.ceil(bits / passes), mask = (1 << width) - 1;
  const count = new Int32Array(mask + 2);
  let a = edges, b: Pairs = { src: new Int32Array(m), dst: new Int32Array(m) };
  for (const key of ["dst", "src"] as const) {
    for (let pass = 0, shift = 0; pass < passes; pass++, shift += width) {
      const k = a[key];
      count.fill(0);
      for (let e = 0; e < m; e++) count[((k[e] >>> shift) & mask) + 1]++;
      for (let d = 0; d <= mask; d++) count[d + 1] += count[d];
      const { src, dst } = a, outSrc = b.src, outDst = b.dst;
      for (let e = 0; e < m; e++) {
        const at = count[(k[e] >>> shift) & mask]++;
        outSrc[at] = src[e];
        outDst[at] = dst[e];
      }
      [a, b] = [b, a];
    }
  }
  return a;
}

export function checkIds(fn: string, edges: EdgeList, numNodes: number): void {
  if (!(Number.isInteger(numNodes) && numNodes >= 0)) throw new Error(`${fn}: numNodes is ${numNodes}; allowed: a non-negative integer`);
  const m = edges.src.length;
  if (edges.dst.length !== m) throw new Error(`${fn}: src has ${m} entries and dst ${edges.dst.length}; expected the same number`);
  for (let e = 0; e < m; e++) {
    const u = edges.src[e], v = edges.dst[e];
    if (!(u >= 0 && u < numNodes && v >= 0 && v < numNodes && Number.isInteger(u) && Number.isInteger(v))) {
      throw new Error(`${fn}: edge ${e} is (${u}, ${v}); allowed: node ids in [0, ${numNodes})`);
    }
  }
}

/**
 * The undirected version of a directed edge list: both directions of every edge, self loops dropped, duplicates
 * merged, sorted by (src, dst). O(E) (a radix sort), about four int32 per output edge of memory.
 */
export function symmetrize(edges: EdgeList, numNodes: number): Pairs {
  checkIds("symmetrize", edges, numNodes);
  const m = edges.src.length;
  let loops = 0;
  for (let e = 0; e < m; e++) if (edges.src[e] === edges.dst[e]) loops++;
  const both: Pairs = { src: new Int32Array(2 * (m - loops)), dst: new Int32Array(2 * (m - loops)) };
  for (let e = 0, at = 0; e < m; e++) {
    const u = edges.src[e], v = edges.dst[e];
    if (u === v) continue;
    both.src[at] = u; both.dst[at++] = v;
    both.src[at] = v; both.dst[at++] = u;
  }
  const { src, dst } = sortEdges(both, numNodes);
  let out = 0;
  for (let e = 0; e < src.length; e++) {
    if (out > 0 && src[e] === src[out - 1] && dst[e] === dst[out - 1]) continue;
    src[out] = src[e];
    dst[out++] = dst[e];
  }
  return out === src.length ? { src, dst } : { src: src.slice(0, out), dst: dst.slice(0, out) };
}

export function rowStarts(sortedSrc: Int32Array, numNodes: number): Int32Array {
  const start = new Int32Array(numNodes + 1);
  for (let e = 0; e < sortedSrc.length; e++) start[sortedSrc[e] + 1]++;
  for (let i = 0; i < numNodes; i++) start[i + 1] += start[i];
  return start;
}
