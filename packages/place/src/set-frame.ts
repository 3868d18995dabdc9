// The `set` frame a joiner gets (PROTOCOL.md §5), encoded straight into bytes one entity at a time. The last frame
// is kept with each entity's byte range while the world's history can still say what changed since it, so the
// next one copies the unchanged entities' bytes and stringifies only what changed: a burst of joiners (a reconnect
// storm, where every arrival makes a revision) costs one full encode, then a memcpy and the changes per revision.
import type { EntityId } from "@allo/protocol";
import type { World } from "./world.ts";

const PREFIX = Buffer.from(`{"patch_style":"set","entities":{`);
const COMMA = 0x2c;

interface Kept {
  revision: number;
  bytes: Buffer;
  /** The frame's entities in order, and where each one's `"id":{…}` member ends in `bytes` (exclusive). */
  ids: EntityId[];
  ends: Uint32Array;
}

/** One entity as a member of the `entities` object. */
function member(world: World, id: EntityId): string {
  return `${JSON.stringify(id)}:${JSON.stringify(world.get(id))}`;
}

export class SetFrames {
  private kept: Kept | undefined;
  /** Full encodes (every entity stringified) and incremental ones (unchanged bytes copied), for stats and tests. */
  readonly counts = { full: 0, incremental: 0 };
  get encodes(): number { return this.counts.full + this.counts.incremental; }

  constructor(private readonly world: World) {}

  /** The frame of the world's current revision; the same Buffer for every call at that revision. */
  encode(): Buffer {
    const revision = this.world.revision;
    const kept = this.kept;
    if (kept?.revision === revision) return kept.bytes;
    const changes = kept && this.world.history.compose(kept.revision);
    this.kept = changes && kept ? this.incremental(kept, changes, revision) : this.full(revision);
    return this.kept.bytes;
  }

  /** Forgets the kept frame once the history no longer holds its revision (it could not be updated any more). */
  prune(): void {
    if (this.kept && !this.world.history.canCompose(this.kept.revision)) this.kept = undefined;
  }

  /** Bytes held by the kept frame (0 when none), for memory accounting. */
  get keptBytes(): number {
    return this.kept?.bytes.length ?? 0;
  }

  private full(revision: number): Kept {
    this.counts.full++;
    const ids = [...this.world.ids()];
    const members = ids.map((id) => member(this.world, id));
    let size = PREFIX.length;
    for (const m of members) size += Buffer.byteLength(m) + 1;
    const suffix = suffixOf(revision);
    const bytes = Buffer.allocUnsafe(size + Buffer.byteLength(suffix) - (ids.length ? 1 : 0));
    const ends = new Uint32Array(ids.length);
    let at = PREFIX.copy(bytes, 0);
    for (let i = 0; i < members.length; i++) {
      if (i) bytes[at++] = COMMA;
      at += bytes.write(members[i], at);
      ends[i] = at;
    }
    bytes.write(suffix, at);
    return { revision, bytes, ids, ends };
  }

  /** The kept frame with every entity changed since it re-encoded, removed ones dropped and added ones appended. */
  private incremental(kept: Kept, changes: ReadonlyMap<EntityId, unknown>, revision: number): Kept {
    this.counts.incremental++;
    const world = this.world;
    // Plan: runs of unchanged entities copied as one range, changed entities as new strings.
    const plan: (string | number)[] = []; // a string member, or a pair [start, end) of the kept bytes
    const ids: EntityId[] = [];
    const lengths: number[] = []; // byte length of each new member, for the ends
    const seen = new Set<EntityId>();
    let size = PREFIX.length;
    let runStart = -1;
    let runEnd = -1;
    const closeRun = () => {
      if (runStart < 0) return;
      plan.push(runStart, runEnd);
      runStart = -1;
    };
    for (let i = 0; i < kept.ids.length; i++) {
      const id = kept.ids[i];
      const start = i === 0 ? PREFIX.length : kept.ends[i - 1] + 1;
      const end = kept.ends[i];
      if (!changes.has(id)) {
        if (runStart < 0) runStart = start;
        runEnd = end;
        ids.push(id);
        lengths.push(end - start);
        size += end - start + 1;
        continue;
      }
      closeRun();
      seen.add(id);
      if (!world.has(id)) continue;
      const m = member(world, id);
      const length = Buffer.byteLength(m);
      plan.push(m);
      ids.push(id);
      lengths.push(length);
      size += length + 1;
    }
    closeRun();
    for (const id of changes.keys()) {
      if (seen.has(id) || !world.has(id)) continue;
      const m = member(world, id);
      const length = Buffer.byteLength(m);
      plan.push(m);
      ids.push(id);
      lengths.push(length);
      size += length + 1;
    }
    const suffix = suffixOf(revision);
    const bytes = Buffer.allocUnsafe(size + Buffer.byteLength(suffix) - (ids.length ? 1 : 0));
    let at = PREFIX.copy(bytes, 0);
    let first = true;
    for (let p = 0; p < plan.length; p++) {
      const step = plan[p];
      if (!first) bytes[at++] = COMMA;
      first = false;
      // A copied run keeps its inner commas: runs are consecutive members of the kept frame.
      if (typeof step === "string") at += bytes.write(step, at);
      else at += kept.bytes.copy(bytes, at, step, plan[++p] as number);
    }
    bytes.write(suffix, at);
    const ends = new Uint32Array(ids.length);
    let end = PREFIX.length;
    for (let i = 0; i < lengths.length; i++) {
      end += lengths[i] + (i ? 1 : 0);
      ends[i] = end;
    }
    return { revision, bytes, ids, ends };
  }
}

function suffixOf(revision: number): string {
  return `},"revision":${revision}}`;
}
