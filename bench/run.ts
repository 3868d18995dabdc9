// `npm run bench [-- --full] [names…]`: runs every bench/*.ts module's run(profile), each in its own Node process
// (one failing bench does not stop the others, and memory figures start clean), collects their JSON into
// bench/results/<timestamp>.json and prints one summary table with goals and ratios to the same-run baselines.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fmt, goalText, table, type BenchReport, type Figure, type Profile } from "./lib/report.ts";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const NOT_BENCHES = new Set(["run.ts"]);

/** Child mode: `run.ts --child <file> <profile> <out.json>` imports one bench and writes what run() returns. */
async function runChild(file: string, profile: Profile, out: string): Promise<void> {
  const mod = (await import(pathToFileURL(file).href)) as { run?: (p: Profile) => Promise<unknown> | unknown };
  if (typeof mod.run !== "function") throw new Error(`${basename(file)} exports no run(profile) function`);
  const result = await mod.run(profile);
  writeFileSync(out, JSON.stringify(result ?? null));
}

interface Outcome {
  bench: string;
  ok: boolean;
  seconds: number;
  result?: unknown;
  error?: string;
}

function runOne(file: string, profile: Profile, timeoutMs: number): Promise<Outcome> {
  const bench = basename(file, ".ts");
  const out = join(tmpdir(), `allo-bench-${process.pid}-${bench}.json`);
  rmSync(out, { force: true });
  const started = performance.now();
  // The Solid hook (reactive solid-js, .tsx compile) for the ui bench; harmless for the others.
  const args = [
    "--import",
    "tsx",
    "--import",
    "@allo/ui/register",
    "--expose-gc",
    fileURLToPath(import.meta.url),
    "--child",
    file,
    profile,
    out,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ["ignore", "inherit", "pipe"],
      env: { ...process.env, ALLO_LOG_LEVEL: process.env.ALLO_LOG_LEVEL ?? "warn" },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      process.stderr.write(d);
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) {
        try {
          resolve({ bench, ok: true, seconds, result: JSON.parse(readFileSync(out, "utf8")) });
        } catch (e) {
          resolve({ bench, ok: false, seconds, error: `no result written: ${(e as Error).message}` });
        }
      } else {
        const why = signal === "SIGKILL" ? `timed out after ${timeoutMs / 1000} s` : `exit ${code ?? signal}`;
        resolve({ bench, ok: false, seconds, error: `${why}\n${lastLines(stderr, 6)}` });
      }
      rmSync(out, { force: true });
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join("\n");
}

/** Figures from a bench's result: our BenchReport shape, or any top-level array of {name, median} objects. */
function figuresOf(result: unknown): Figure[] {
  if (!result || typeof result !== "object") return [];
  const r = result as Partial<BenchReport> & Record<string, unknown>;
  if (Array.isArray(r.figures)) return r.figures as Figure[];
  const found: Figure[] = [];
  for (const value of Object.values(r)) {
    if (Array.isArray(value))
      for (const v of value) if (v && typeof v === "object" && "name" in v && "median" in v) found.push(v as Figure);
  }
  return found;
}

function summaryTable(outcomes: Outcome[]): string {
  const rows: string[][] = [];
  for (const o of outcomes) {
    if (!o.ok) {
      rows.push([o.bench, `FAILED: ${o.error?.split("\n")[0] ?? ""}`, "", "", "", ""]);
      continue;
    }
    const figures = figuresOf(o.result);
    if (figures.length === 0)
      rows.push([o.bench, "(no figures in the common shape; see its own table)", "", "", "", ""]);
    for (const f of figures) {
      rows.push([
        `${o.bench}: ${f.name}`,
        `${fmt(f.median)} ${f.unit ?? ""}`,
        f.p99 === undefined ? "" : fmt(f.p99),
        f.ratio === undefined ? "" : `${fmt(f.ratio)}× ${f.baseline?.name ?? ""}`,
        goalText(f.goal, f.unit ?? ""),
        f.pass === undefined ? "" : f.pass ? "ok" : "MISS",
      ]);
    }
  }
  return table(["figure", "median", "p99", "ratio to baseline", "goal", ""], rows);
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--child") {
    await runChild(argv[1], argv[2] as Profile, argv[3]);
    return 0;
  }
  const profile: Profile = argv.includes("--full") ? "full" : "quick";
  const only = argv.filter((a) => !a.startsWith("--"));
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !NOT_BENCHES.has(f))
    .filter((f) => only.length === 0 || only.includes(basename(f, ".ts")))
    .sort();
  if (files.length === 0) {
    console.error(
      `no bench matches ${only.join(", ")}; available: ${readdirSync(benchDir)
        .filter((f) => f.endsWith(".ts"))
        .join(", ")}`,
    );
    return 2;
  }
  const timeoutMs = (profile === "full" ? 1800 : 150) * 1000;
  console.log(`Allo benchmarks, ${profile} profile: ${files.map((f) => basename(f, ".ts")).join(", ")}`);
  const startedAt = new Date();
  const outcomes: Outcome[] = [];
  for (const f of files) {
    const o = await runOne(join(benchDir, f), profile, timeoutMs);
    console.log(`${o.ok ? "done" : "FAILED"}: ${o.bench} in ${o.seconds.toFixed(1)} s${o.ok ? "" : ` — ${o.error}`}`);
    outcomes.push(o);
  }
  const record = {
    startedAt: startedAt.toISOString(),
    profile,
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    benches: Object.fromEntries(
      outcomes.map((o) => [
        o.bench,
        o.ok ? { seconds: o.seconds, result: o.result } : { seconds: o.seconds, error: o.error },
      ]),
    ),
  };
  const resultsDir = join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const out = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, "-")}-${profile}.json`);
  writeFileSync(out, JSON.stringify(record, null, 2));
  console.log(`\n# Summary (${profile}; ratios are to baselines measured in the same run)\n`);
  console.log(summaryTable(outcomes));
  const failed = outcomes.filter((o) => !o.ok).length;
  const total = outcomes.reduce((s, o) => s + o.seconds, 0);
  console.log(`\n${outcomes.length - failed}/${outcomes.length} benches ran in ${total.toFixed(0)} s; results: ${out}`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
