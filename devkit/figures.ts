// Figures the benches report: rounded, and percentiles of measured times.

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The p-th percentile (0-100) of numbers sorted ascending, by nearest rank. */
export function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** These percentiles of the samples (in any order), each rounded to 0.1, keyed p50, p95, ...; null for no samples. */
export function percentiles<P extends number>(samples: readonly number[], ps: readonly P[]): Record<`p${P}`, number> | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return Object.fromEntries(ps.map((p) => [`p${p}`, round(nearestRank(sorted, p), 1)])) as Record<`p${P}`, number>;
}
