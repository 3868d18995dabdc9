// B4 fanout.20hz (docs/performance.md, "The benchmarks"): a real place in its own process ticks at 20 Hz, its
// simulation moving enough entities for ~2 KB or ~20 KB patches; V viewers here parse and apply every state and
// ack it. Place CPU per tick and one-way latency (revision made → viewer applied) are divided by raw ws fan-out of
// the same size to the same number of clients, measured in the same run; the CPU also by raw ws fan-out whose clients
// ack every message, as viewers do (docs/protocol.md §5): reading V acks a tick costs a bare ws server about as much as
// sending V small frames.
import type WebSocket from "ws";
import { openSocket, rawFanout } from "./baselines.ts";
import { startChild } from "./lib/child.ts";
import { figure, printReport, sleep, summarize, type BenchReport, type Figure, type Profile } from "./lib/report.ts";
import { WireAgent } from "../test/load/lib/wire-agent.ts";
import { mirrorDifferences } from "../test/load/lib/invariants.ts";
import { documentAtAgentRevision } from "../test/load/lib/healthy.ts";

type Stats = {
  place: { revisionsMade: number; statesSent: number; statesSkipped: number };
  flush: { median: number; p99: number };
  cpuMs: number;
};

/**
 * Raw ws fan-out with acks: a bare ws server (its own process) sends one stamped Buffer of `bytes` to `clients`
 * sockets every 50 ms for `ticks` ticks; each client parses it and sends back an intent-shaped ack, which the server
 * parses. Server CPU per tick.
 */
async function rawFanoutAcked(opts: { clients: number; bytes: number; ticks: number }): Promise<number> {
  const server = startChild(new URL("./lib/acked-fanout-server.ts", import.meta.url));
  const { port } = (await server.ready) as { port: number };
  const sockets: WebSocket[] = await Promise.all(
    Array.from({ length: opts.clients }, () => {
      let socket: WebSocket | undefined;
      const ack = (text: string) => {
        const { revision } = JSON.parse(text) as { revision: number };
        socket?.send(
          `{"cmd":"intent","intent":{"xmovement":0,"zmovement":0,"yaw":0,"pitch":0,"poses":{},"ack_state_rev":${revision}}}`,
        );
      };
      return openSocket(`ws://127.0.0.1:${port}/`, ack).then((s) => (socket = s));
    }),
  );
  try {
    const cpu0 = await server.call<NodeJS.CpuUsage>("cpu");
    for (let i = 0; i < opts.ticks; i++) {
      await server.call("tick", { bytes: opts.bytes, revision: i + 1 });
      await sleep(50);
    }
    await sleep(100);
    const cpu1 = await server.call<NodeJS.CpuUsage>("cpu");
    const acks = await server.call<number>("acks");
    if (acks < opts.ticks * opts.clients * 0.9)
      throw new Error(`raw fan-out with acks: ${acks} of ${opts.ticks * opts.clients} acks`);
    return (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000 / opts.ticks;
  } finally {
    for (const s of sockets) s.terminate();
    await server.kill();
  }
}

/** Moved entities per tick for a patch of about `bytes` (a moved scenery entity is ~175 B of patch). */
const perTickFor = (bytes: number) => Math.max(1, Math.round(bytes / 175));

async function throughPlace(viewers: number, sizes: number[], seconds: number): Promise<Figure[]> {
  const host = startChild(new URL("../test/load/lib/place-host.ts", import.meta.url));
  const { url } = (await host.ready) as { url: string };
  const figures: Figure[] = [];
  try {
    await host.call("scenery", { n: 1000 });
    let oneWay: number[] = [];
    let bytes: number[] = [];
    const agents: WireAgent[] = [];
    for (let i = 0; i < viewers; i++) {
      agents.push(
        await WireAgent.connect(url, {
          name: `viewer${i}`,
          // Like the raw baseline's clients, most viewers only parse and ack; five keep a mirror to prove exactness.
          mirror: i < 5,
          onState(frame, size) {
            const stamp = (frame.entities as Record<string, { components?: { stamp?: { ns: string } } }> | undefined)
              ?.scenery0?.components?.stamp;
            if (stamp && frame.patch_style === "merge") {
              oneWay.push(Number(process.hrtime.bigint() - BigInt(stamp.ns)) / 1e6);
              bytes.push(size);
            }
          },
        }),
      );
    }
    for (const size of sizes) {
      await host.call("animate", { perTick: perTickFor(size) });
      await sleep(1000);
      oneWay = [];
      bytes = [];
      await host.call("stats", { reset: true });
      const before = await host.call<Stats>("stats");
      await sleep(seconds * 1000);
      const after = await host.call<Stats>("stats", { reset: true });
      const sampled = { oneWay, bytes };
      await host.call("animate", { perTick: 0 }); // the raw baseline runs alone
      ({ oneWay, bytes } = sampled);
      const revisions = after.place.revisionsMade - before.place.revisionsMade;
      const sent = after.place.statesSent - before.place.statesSent;
      const skipped = after.place.statesSkipped - before.place.statesSkipped;
      const patchBytes = summarize(bytes).median || size;
      const raw = await rawFanout({ clients: viewers, bytes: patchBytes, ticks: Math.round(seconds * 20) });
      const rawAcked = await rawFanoutAcked({ clients: viewers, bytes: patchBytes, ticks: Math.round(seconds * 20) });
      const label = `${viewers}×${(size / 1024).toFixed(0)} KB`;
      const cpuPerTick = after.cpuMs / Math.max(1, revisions);
      figures.push(
        figure(`${label}: place CPU per tick`, "ms", cpuPerTick, {
          baseline: { name: "raw ws", median: raw.cpuMsPerTick },
          goal: { op: "<=", value: 1.5, on: "ratio" },
          note: `patch ${Math.round(summarize(bytes).median)} B; flush p50 ${after.flush.median.toFixed(2)} ms, p99 ${after.flush.p99.toFixed(2)} ms; states sent ${sent}, skipped ${skipped} (lagging viewers coalesce)`,
        }),
      );
      figures.push(
        figure(`${label}: place CPU per tick, vs raw ws with acks`, "ms", cpuPerTick, {
          baseline: { name: "raw ws + reading every client's ack", median: rawAcked },
          note: `the raw server also reads and parses ${viewers} acks a tick, as the place does`,
        }),
      );
      figures.push(
        figure(`${label}: one-way latency`, "ms", oneWay, {
          baseline: { name: "raw ws", median: summarize(raw.oneWay).median },
          note: `raw ws p99 ${summarize(raw.oneWay).p99.toFixed(2)} ms; ${oneWay.length} of ${revisions * viewers} revision×viewer deliveries carried a stamp`,
        }),
      );
    }
    await sleep(500);
    let diverged = 0;
    for (const a of agents) {
      if (a.options.mirror === false) {
        a.terminate();
        continue;
      }
      const doc = await documentAtAgentRevision(a, () => host.call("document"));
      if (mirrorDifferences(Object.fromEntries(a.entities), doc.entities).length) diverged++;
      a.terminate();
    }
    figures.push(
      figure(`${viewers} viewers: of 5 mirrors, differing from the place at the end`, "viewers", diverged, {
        goal: { op: "<=", value: 0 },
      }),
    );
  } finally {
    await host.kill();
  }
  return figures;
}

export async function run(profile: Profile): Promise<BenchReport> {
  const full = profile === "full";
  const figures: Figure[] = [];
  // Quick: the 50-agent case of the goals in both sizes, plus 200 viewers at 2 KB; full: the whole grid.
  const grid: [number, number[]][] = full
    ? [
        [10, [2048, 20480]],
        [50, [2048, 20480]],
        [200, [2048, 20480]],
        [500, [2048, 20480]],
      ]
    : [
        [50, [2048, 20480]],
        [200, [2048]],
      ];
  for (const [viewers, sizes] of grid) figures.push(...(await throughPlace(viewers, sizes, full ? 10 : 3)));
  const report: BenchReport = { bench: "fanout", profile, figures };
  printReport(report);
  return report;
}
