/**
 * A pure function of a string with its answers remembered, for values that come again with every
 * event of a conversation (its phone, its pages' URLs) and cost microseconds to work out each
 * time. Bounded whatever a webhook carries: only strings up to `maxLength` are remembered, and
 * the map is emptied when it holds `maxSize` answers.
 */
export function remembered<T>(fn: (s: string) => T, maxLength: number, maxSize: number): (s: string) => T {
  const known = new Map<string, T>();
  return (s) => {
    if (s.length > maxLength) return fn(s);
    const hit = known.get(s);
    if (hit !== undefined || known.has(s)) return hit as T;
    const v = fn(s);
    if (known.size >= maxSize) known.clear();
    known.set(s, v);
    return v;
  };
}
