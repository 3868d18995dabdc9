// Apps in their own process: each a WireAgent owning a few entities that it moves at a steady rate, every change
// carrying (app, seq) so viewers can prove nothing was lost, duplicated or reordered; optionally it also sends
// requests to other apps' entities at a steady rate. Started with startChild(app-swarm.ts, [url]).
import { identityMatrix } from "@allo/protocol";
import { serveParent } from "../../../bench/lib/child.ts";
import { summarize } from "../../../bench/lib/report.ts";
import { WireAgent } from "./wire-agent.ts";

const url = process.argv[2];
interface App {
  agent: WireAgent;
  index: number;
  entities: string[];
  seq: number;
  acked: number;
  errors: string[];
}
const apps: App[] = [];
let timers: NodeJS.Timeout[] = [];
const rtts: number[] = [];
let requestErrors = 0;
let pendingChanges = 0;

/** A transform moving with seq, plus the load component: which app, which change. */
function changeFor(app: App, entity: number) {
  const t = app.seq * 0.01;
  return {
    transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, Math.sin(t + entity), 1, Math.cos(t + entity), 1] },
    load: { app: app.index, seq: app.seq, sent: Number(process.hrtime.bigint() / 1000n) },
  };
}

serveParent({
  /** Connects `count` apps, each spawning `entities` entities (no request answered when `silent`). */
  connect: async ({ count, entities, first, silent }) => {
    const made: { avatarId: string; entities: string[] }[] = [];
    for (let i = 0; i < Number(count); i++) {
      const index = Number(first ?? 0) + i;
      const agent = await WireAgent.connect(url, {
        name: `app${index}`,
        onRequest: silent ? () => undefined : undefined,
      });
      const spawned = await agent.place([
        "spawn_entity",
        {
          transform: { matrix: identityMatrix() },
          children: Array.from({ length: Math.max(0, Number(entities) - 1) }, () => ({})),
        },
      ]);
      if (spawned[1] === "error") throw new Error(`spawn_entity failed: ${JSON.stringify(spawned)}`);
      const ids = [spawned[1] as string, ...(spawned[2] as string[])];
      apps.push({ agent, index, entities: ids, seq: 0, acked: 0, errors: [] });
      made.push({ avatarId: agent.avatarId, entities: ids });
    }
    return made;
  },
  /** Every app changes one of its entities `changesPerSecond` times a second, round robin; `requestsPerSecond` requests to `targets`. */
  start: ({ changesPerSecond, requestsPerSecond, targets }) => {
    for (const app of apps) {
      const cps = Number(changesPerSecond);
      if (cps > 0) {
        timers.push(
          setInterval(() => {
            app.seq++;
            const entity = app.seq % app.entities.length;
            pendingChanges++;
            app.agent
              .place(["change_components", app.entities[entity], "add_or_change", changeFor(app, entity), "remove", []])
              .then(
                (body) => {
                  pendingChanges--;
                  if (body[1] === "ok") app.acked++;
                  else app.errors.push(JSON.stringify(body));
                },
                (e) => {
                  pendingChanges--;
                  app.errors.push(String(e));
                },
              );
          }, 1000 / cps),
        );
      }
      const rps = Number(requestsPerSecond ?? 0);
      const to = (targets as string[] | undefined) ?? [];
      if (rps > 0 && to.length) {
        timers.push(
          setInterval(() => {
            const t0 = performance.now();
            app.agent.request(app.entities[0], to[Math.floor(Math.random() * to.length)], ["poke", true]).then(
              (body) => (body[1] === "ok" ? rtts.push(performance.now() - t0) : requestErrors++),
              () => requestErrors++,
            );
          }, 1000 / rps),
        );
      }
    }
    return true;
  },
  stop: async () => {
    for (const t of timers) clearInterval(t);
    timers = [];
    const deadline = Date.now() + 10_000;
    while (pendingChanges > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return { pendingChanges };
  },
  /** Per app: the last seq sent, how many were confirmed, errors; per entity: its last change's seq. */
  report: () => ({
    apps: apps.map((a) => ({
      index: a.index,
      avatarId: a.agent.avatarId,
      seq: a.seq,
      acked: a.acked,
      errors: a.errors.slice(0, 5),
      errorCount: a.errors.length,
      closeCode: a.agent.closeCode,
    })),
    requestRtt: summarize(rtts),
    requestErrors,
  }),
  /** Sends requests to `target` and never waits: used to leave requests pending when the target dies. */
  requestTo: ({ target, count }) => {
    const app = apps[0];
    for (let i = 0; i < Number(count); i++)
      app.agent.request(app.entities[0], String(target), ["poke", true]).catch(() => {});
    return true;
  },
});
