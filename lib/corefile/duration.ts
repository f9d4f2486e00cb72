// Go's time.ParseDuration subset the Corefile uses (`5s`, `1m30s`, `500ms`); its own file so option readers can
// share it without importing the whole mapping.

/** Go duration (`5s`, `1m30s`, `500ms`) → seconds. */
export function parseDuration(s: string): number | null {
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(s)) return null;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const part of s.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(part[1]) * unit[part[2]];
  return total;
}
