// A minimal agent speaking the wire protocol directly (docs/protocol.md), for load and fault tests: it announces,
// sends requests and matches responses, keeps a mirror of the world from state frames, acknowledges every revision
// and answers requests routed to it. It counts everything it sees, so a test can prove nothing was lost.
import WebSocket from "ws";
import { applyMergePatchInPlace, identityMatrix, type Json } from "@allo/protocol";

type Envelope = ["interaction", string, string, string, string, [string, ...Json[]]];
export type EntityDoc = { id: string; components: Record<string, Json> };

export interface WireAgentOptions {
  name?: string;
  /** Extra components of the avatar entity. */
  avatar?: Record<string, Json>;
  /** Acknowledge revisions (default true); a lagging agent can turn it off. */
  ack?: boolean;
  /** Answer a request routed to this agent; default answers [name, "ok"]. */
  onRequest?: (env: Envelope) => Json[] | undefined;
  /**
   * Apply patches with components replaced whole instead of merged into (RFC 7386 down to the component, then
   * replacement). Off by default (RFC 7386 as docs/protocol.md §5 says); on with ALLO_COMPONENTS_WHOLE=1.
   */
  componentsWhole?: boolean;
  /** Keep a mirror of the world (default true); false only parses and acks, like the raw ws baseline's clients. */
  mirror?: boolean;
  /** Minimum time between acks, ms (default 10, like @allo/client's ack budget of 100/s). */
  ackIntervalMs?: number;
  /** Called for every state frame after it is applied. */
  onState?: (frame: Record<string, Json>, bytes: number, previousRevision: number) => void;
}

let requestCounter = 0;

export class WireAgent {
  ws!: WebSocket;
  avatarId = "";
  placeName = "";
  entities = new Map<string, EntityDoc>();
  revision = 0;
  stats = { stateFrames: 0, stateBytes: 0, sets: 0, requestsSent: 0, responses: 0, routedRequests: 0, badPatches: 0 };
  /** Every response received, by request id (whether or not this agent's request() waited for it). */
  readonly responsesById = new Map<string, number>();
  closeCode?: number;
  readonly closed: Promise<number>;
  private resolveClosed!: (code: number) => void;
  private pending = new Map<string, { resolve: (body: Json[]) => void; reject: (e: Error) => void }>();

  constructor(
    readonly url: string,
    readonly options: WireAgentOptions = {},
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  static async connect(url: string, options: WireAgentOptions = {}): Promise<WireAgent> {
    const agent = new WireAgent(url, options);
    await agent.open();
    return agent;
  }

  async open(): Promise<void> {
    this.ws = new WebSocket(this.url, { perMessageDeflate: false });
    this.ws.on("message", (data) => this.onText(data.toString()));
    this.ws.on("close", (code) => {
      this.closeCode = code;
      for (const p of this.pending.values()) p.reject(new Error(`connection closed (${code}) before the response`));
      this.pending.clear();
      this.resolveClosed(code);
    });
    await new Promise<void>((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
    const spec = { transform: { matrix: identityMatrix() }, ...(this.options.avatar ?? {}) };
    const body = await this.request("", "place", [
      "announce",
      "version",
      3,
      "identity",
      { display_name: this.options.name ?? "load" },
      "spawn_avatar",
      spec,
    ]);
    if (body[1] === "error" || typeof body[1] !== "string")
      throw new Error(`announce refused: ${JSON.stringify(body)}`);
    this.avatarId = body[1];
    this.placeName = String(body[2] ?? "");
  }

  /** Sends a request and resolves its response body. */
  request(sender: string, receiver: string, body: [string, ...Json[]], timeoutMs = 30_000): Promise<Json[]> {
    const id = `r${++requestCounter}`;
    this.stats.requestsSent++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no response to ${body[0]} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (b) => (clearTimeout(timer), resolve(b)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.sendRaw(["interaction", "request", sender, receiver, id, body]);
    });
  }

  /** A request from this agent's avatar to the place. */
  place(body: [string, ...Json[]], timeoutMs?: number): Promise<Json[]> {
    return this.request(this.avatarId, "place", body, timeoutMs);
  }

  sendRaw(message: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN)
      this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  private ackTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private lastAckAt = -Infinity;

  /**
   * Acks the newest revision soon: coalesced per event-loop turn and at most one per `ackIntervalMs` (default 10 ms,
   * like @allo/client's ack budget), so an agent that gets a patch per change stays inside the place's rate limit
   * (docs/protocol.md §5) — over budget, the place drops messages, requests included.
   */
  private scheduleAck(): void {
    if (this.ackTimer) return;
    const wait = this.lastAckAt + (this.options.ackIntervalMs ?? 10) - performance.now();
    const fire = () => {
      this.ackTimer = undefined;
      this.lastAckAt = performance.now();
      this.ackNow();
    };
    this.ackTimer = wait > 0 ? setTimeout(fire, wait) : setImmediate(fire);
  }

  ackNow(revision = this.revision): void {
    this.sendRaw({
      cmd: "intent",
      intent: { xmovement: 0, zmovement: 0, yaw: 0, pitch: 0, poses: {}, ack_state_rev: revision },
    });
  }

  /** Waits until the mirror satisfies `predicate`, checked after each state frame. */
  async until(predicate: (a: WireAgent) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline)
        throw new Error(
          `${this.options.name ?? "agent"}: condition not met within ${timeoutMs} ms (revision ${this.revision}, ${this.entities.size} entities)`,
        );
      if (this.closeCode !== undefined)
        throw new Error(`${this.options.name ?? "agent"}: closed (${this.closeCode}) while waiting`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  document(): { entities: Record<string, EntityDoc>; revision: number } {
    return { entities: Object.fromEntries(this.entities), revision: this.revision };
  }

  close(): void {
    this.cancelAck();
    this.ws.close();
  }

  terminate(): void {
    this.cancelAck();
    this.ws.terminate();
  }

  private cancelAck(): void {
    if (this.ackTimer) {
      clearTimeout(this.ackTimer as NodeJS.Timeout);
      clearImmediate(this.ackTimer as NodeJS.Immediate);
      this.ackTimer = undefined;
    }
  }

  private onText(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new Error(`the place sent invalid JSON: ${text.slice(0, 80)}`);
    }
    if (Array.isArray(msg)) return this.onInteraction(msg as Envelope);
    const m = msg as Record<string, Json>;
    if (typeof m.patch_style === "string") this.onState(m, text.length);
  }

  private onInteraction(env: Envelope): void {
    const [, type, sender, receiver, id, body] = env;
    if (type === "response") {
      this.responsesById.set(id, (this.responsesById.get(id) ?? 0) + 1);
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      this.stats.responses++;
      p.resolve(body);
    } else if (type === "request") {
      this.stats.routedRequests++;
      const answer = this.options.onRequest ? this.options.onRequest(env) : [body[0], "ok"];
      if (answer) this.sendRaw(["interaction", "response", receiver, sender, id, answer]);
    }
  }

  private replaceComponents(id: string, patch: Record<string, Json>): void {
    const existing = this.entities.get(id);
    if (!existing) return void this.entities.set(id, patch as unknown as EntityDoc);
    const components = (patch.components ?? {}) as Record<string, Json>;
    for (const name in components) {
      if (components[name] === null) delete existing.components[name];
      else existing.components[name] = components[name];
    }
  }

  private onState(frame: Record<string, Json>, bytes: number): void {
    this.stats.stateFrames++;
    this.stats.stateBytes += bytes;
    const revision = frame.revision as number;
    const previousRevision = this.revision;
    if (frame.patch_style === "set") this.stats.sets++;
    if (this.options.mirror === false) {
      // parse-and-ack only
    } else if (frame.patch_style === "set") {
      this.entities = new Map(Object.entries((frame.entities ?? {}) as Record<string, EntityDoc>));
    } else {
      const entities = (frame.entities ?? {}) as Record<string, Json>;
      const whole = this.options.componentsWhole ?? process.env.ALLO_COMPONENTS_WHOLE === "1";
      for (const id in entities) {
        const value = entities[id];
        if (value === null) this.entities.delete(id);
        else if (whole) this.replaceComponents(id, value as Record<string, Json>);
        else
          this.entities.set(
            id,
            applyMergePatchInPlace((this.entities.get(id) ?? null) as unknown as Json, value) as unknown as EntityDoc,
          );
      }
    }
    this.revision = revision;
    this.options.onState?.(frame, bytes, previousRevision);
    if (this.options.ack !== false) this.scheduleAck();
  }
}
