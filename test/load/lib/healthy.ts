// "The place still works": after a fault, a fresh agent announces, spawns, changes and sees the result come back to
// an existing observer, and the world's invariants hold. Every fault test ends with this.
import type { Place } from "@allo/place";
import { checkWorldInvariants, mirrorDifferences } from "./invariants.ts";
import { WireAgent } from "./wire-agent.ts";

export async function assertPlaceHealthy(url: string, observer: WireAgent, placeDoc?: () => unknown): Promise<void> {
  const probe = await WireAgent.connect(url, { name: "probe" });
  try {
    const spawned = await probe.place([
      "spawn_entity",
      { transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 2, 3, 1] } },
    ]);
    if (spawned[0] !== "spawn_entity" || typeof spawned[1] !== "string")
      throw new Error(`spawn_entity answered ${JSON.stringify(spawned)}`);
    const id = spawned[1];
    const marker = Math.random();
    const changed = await probe.place(["change_components", id, "add_or_change", { probe: { marker } }, "remove", []]);
    if (changed[1] !== "ok") throw new Error(`change_components answered ${JSON.stringify(changed)}`);
    await observer.until(
      (a) => (a.entities.get(id)?.components.probe as { marker?: number } | undefined)?.marker === marker,
      5000,
    );
  } finally {
    probe.close();
  }
  if (placeDoc) {
    const doc = placeDoc() as { entities: Record<string, never>; revision: number };
    const problems = checkWorldInvariants(doc);
    if (problems.length) throw new Error(`world invariants broken: ${problems.slice(0, 5).join("; ")}`);
    await observer.until((a) => a.revision >= doc.revision, 5000);
  }
}

/** The observer's mirror equals the place's world (after the observer caught up with the place's revision). */
export async function assertMirrorEqual(place: Place, observer: WireAgent): Promise<void> {
  await observer.until((a) => a.revision === place.world.revision, 5000);
  const diff = mirrorDifferences(Object.fromEntries(observer.entities), place.world.toDocument().entities);
  if (diff.length) throw new Error(`mirror differs from the place: ${diff.join("; ")}`);
}

type Doc = { entities: Record<string, unknown>; revision: number };

/**
 * The place's document at the revision the agent holds. The place's clock makes a revision every second even when
 * nothing else happens, so "wait for the place's revision" can be overtaken: fetch, wait until the agent reached
 * it, and fetch again until both name the same revision.
 */
export async function documentAtAgentRevision(
  agent: WireAgent,
  fetchDocument: () => Promise<Doc>,
  timeoutMs = 30_000,
): Promise<Doc> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = await fetchDocument();
    await agent.until((a) => a.revision >= doc.revision, Math.max(1, deadline - Date.now()));
    if (agent.revision === doc.revision) return doc;
    if (Date.now() > deadline)
      throw new Error(
        `${agent.options.name ?? "agent"} never held the place's current revision (at ${agent.revision}, place ${doc.revision})`,
      );
  }
}
