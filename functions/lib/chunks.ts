/** Splits `items` into arrays of at most `size` (AWS per-call limits: 10, 100, 1000…). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
