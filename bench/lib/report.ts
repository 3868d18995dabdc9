// The shape every bench returns, plus sampling and table printing shared by all of them.
// Absolute times vary ±30 % on these VMs, so a figure may carry its ratio to a baseline measured in the same run
// (docs/performance.md, "Reproduce").

export type Profile = "quick" | "full";

export interface Goal {
  /** "<=": the median (or p99, see `on`) must stay at or below value; ">=": at or above. */
  op: "<=" | ">=";
  value: number;
  on?: "median" | "p99" | "ratio";
}

export interface Figure {
  name: string;
  unit: string;
  median: number;
  p99?: number;
  samples?: number;
  /** The raw baseline this figure is compared with, measured in the same run. */
  baseline?: { name: string; median: number };
  /** median / baseline.median */
  ratio?: number;
  goal?: Goal;
  /** Set by `judge` from goal. */
  pass?: boolean;
  note?: string;
}

export interface BenchReport {
  bench: string;
  profile: Profile;
  figures: Figure[];
  /** Anything else a bench wants to keep (raw samples, counts). */
  details?: Record<string, unknown>;
}

export interface Summary {
  median: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
  n: number;
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { median: NaN, p99: NaN, min: NaN, max: NaN, mean: NaN, n: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { median: at(0.5), p99: at(0.99), min: sorted[0], max: sorted[sorted.length - 1], mean, n: sorted.length };
}

/** Times fn `samples` times after `warmup` untimed runs; milliseconds per call. */
/** The q-quantile of samples (nearest rank). */
export function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Milliseconds samples as a results row: count, p50, p95, extremes and the samples, rounded. */
export function latencyStats(samples: number[]) {
  const s = summarize(samples);
  return {
    n: s.n,
    p50_ms: Math.round(percentile(samples, 0.5)),
    p95_ms: Math.round(percentile(samples, 0.95)),
    min_ms: Math.round(s.min),
    max_ms: Math.round(s.max),
    samples_ms: samples.map(Math.round),
  };
}

export function sampleSync(fn: () => unknown, samples: number, warmup = Math.max(2, samples >> 2)): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function sampleAsync(
  fn: () => Promise<unknown>,
  samples: number,
  warmup = Math.max(2, samples >> 2),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Builds a figure from samples, with an optional baseline (its median) and goal. */
export function figure(
  name: string,
  unit: string,
  samples: number[] | number,
  extra: { baseline?: { name: string; median: number }; goal?: Goal; note?: string } = {},
): Figure {
  const s = typeof samples === "number" ? summarize([samples]) : summarize(samples);
  const f: Figure = { name, unit, median: s.median, samples: s.n };
  if (s.n > 1) f.p99 = s.p99;
  if (extra.baseline) {
    f.baseline = extra.baseline;
    f.ratio = extra.baseline.median > 0 ? s.median / extra.baseline.median : undefined;
  }
  if (extra.goal) f.goal = extra.goal;
  if (extra.note) f.note = extra.note;
  return judge(f);
}

export function judge(f: Figure): Figure {
  if (!f.goal) return f;
  const on = f.goal.on ?? "median";
  const value = on === "p99" ? f.p99 : on === "ratio" ? f.ratio : f.median;
  if (value === undefined || Number.isNaN(value)) return f;
  f.pass = f.goal.op === "<=" ? value <= f.goal.value : value >= f.goal.value;
  return f;
}

export function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return "–";
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a >= 0.01) return x.toFixed(3);
  return x.toPrecision(2);
}

export function goalText(g: Goal | undefined, unit: string): string {
  if (!g) return "";
  const on = g.on && g.on !== "median" ? `${g.on} ` : "";
  return `${on}${g.op} ${fmt(g.value)}${g.on === "ratio" ? "×" : ` ${unit}`}`;
}

/** Prints a report as an aligned table on stdout. */
export function printReport(report: BenchReport): void {
  const rows = report.figures.map((f) => [
    f.name,
    `${fmt(f.median)} ${f.unit}`,
    f.p99 === undefined ? "" : fmt(f.p99),
    f.ratio === undefined ? "" : `${fmt(f.ratio)}× ${f.baseline?.name ?? ""}`,
    goalText(f.goal, f.unit),
    f.pass === undefined ? "" : f.pass ? "ok" : "MISS",
  ]);
  console.log(`\n## ${report.bench} (${report.profile})`);
  console.log(table(["figure", "median", "p99", "ratio to baseline", "goal", ""], rows));
  for (const f of report.figures) if (f.note) console.log(`  · ${f.name}: ${f.note}`);
}

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? "").padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs the GC if node was started with --expose-gc (the runner does), a few times to settle. */
export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) for (let i = 0; i < 3; i++) g();
}
