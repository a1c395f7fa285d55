/** A map that keeps its newest `size` entries: get(key) returns the cached value or builds, stores and returns it. */
export function boundedCache<T>(size: number): (key: string, build: () => T) => T {
  const entries = new Map<string, T>();
  return (key, build) => {
    const hit = entries.get(key);
    if (hit !== undefined) return hit;
    const value = build();
    if (entries.size >= size) entries.delete(entries.keys().next().value as string);
    entries.set(key, value);
    return value;
  };
}
