/**
 * A map that keeps its newest `size` entries: get(key) returns the cached value or builds, stores and returns it;
 * `evict` is called on an entry pushed out.
 */
export function boundedCache<T>(size: number, evict?: (value: T) => void): (key: string, build: () => T) => T {
  const entries = new Map<string, T>();
  return (key, build) => {
    const hit = entries.get(key);
    if (hit !== undefined) return hit;
    const value = build();
    if (entries.size >= size) {
      const oldest = entries.keys().next().value as string;
      evict?.(entries.get(oldest)!);
      entries.delete(oldest);
    }
    entries.set(key, value);
    return value;
  };
}
