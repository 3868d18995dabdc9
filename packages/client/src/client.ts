// An agent connected to a place: the composition of connection, announce, requests, mirror, intent and clock.
import { BehaviorSubject, Subject, type Observable } from "rxjs";
import {
  createLogger,
  identityMatrix,
  parsePlaceUrl,
  PLACE_ENTITY_ID,
  toEnvelope,
  type Components,
  type Entity,
  type EntityId,
  type EntitySpec,
  type Interaction,
  type InteractionBody,
  type InteractionType,
  type Json,
  type Logger,
  type PlaceMessage,
} from "@allo/protocol";
import { announce, type Identity } from "./announce.ts";
import { serveAssets } from "./assets.ts";
import { ClockSync } from "./clock.ts";
import { Connection, type ConnectionClose, type ConnectionStats, type WebSocketConstructor } from "./connection.ts";
import { AlloError, AnnounceRefusedError, ConnectionLostError, ReconnectingError } from "./errors.ts";
import { IntentSender, type IntentUpdate } from "./intent.ts";
import { HELD_INTERACTIONS_LIMIT, InteractionInbox } from "./interaction-inbox.ts";
import { WorldMirror, type EntityChange, type EntityRemoval, type StateApplied } from "./mirror.ts";
import { PendingRequests, type RequestOptions } from "./requests.ts";
import type { SendBudget } from "./send-pacer.ts";
import {
  backoffDelay,
  isRetriedClose,
  reconnectPolicy,
  type CloseInfo,
  type ConnectionState,
  type ReconnectOptions,
} from "./reconnect.ts";

export interface ConnectOptions {
  /** Who this agent is (docs/protocol.md §3 announce). Default `{ display_name: "Allo agent" }`. */
  identity?: Identity;
  /**
   * The avatar entity spawned on announce, children allowed. Default: an entity with an identity transform. A function
   * is called at every announce, reconnects included (a renderer passes the tree as it is now).
   */
  avatar?: EntitySpec | (() => EntitySpec);
  /**
   * Reconnect when the place goes away (close 1001, 1012, an abnormal close, a refused connection): exponential
   * backoff with jitter, then a new announce and a new avatar (reconnect.ts). true: the defaults. Default false.
   */
  reconnect?: ReconnectOptions | boolean;
  /** Milliseconds for the whole connect: socket, announce, first world state and clock sample. Default 10 000. */
  timeout?: number;
  /** A WebSocket constructor. Default: the browser's, or the `ws` package in Node. */
  WebSocket?: WebSocketConstructor;
  /** Default: createLogger("client") from @allo/protocol (level from ALLO_LOG_LEVEL). */
  logger?: Logger;
  /** The protocol version to announce. Only tests change it. */
  protocolVersion?: number;
  /**
   * Paces sending to stay inside the place's rate limit (default 180 messages/s, burst 360, under the place's default
   * 200/burst 400): over budget, messages wait in order instead of being dropped by the place. false: no pacing.
   */
  sendBudget?: SendBudget | false;
  /**
   * Called with the client once the socket is open, before the announce: publish the assets the avatar names here
   * (publishAsset with a known id), so the place can fetch them as soon as the avatar exists.
   */
  beforeAnnounce?: (client: AlloClient) => void;
}

/** An interaction another agent (or the place) sent us. Responses to our own requests settle their promise instead. */
export interface IncomingInteraction extends Interaction {
  /** body[0] */
  name: string;
  /**
   * Answers a request: a response with the same request id, from the entity it was sent to, back to its sender.
   * Returns false if the connection is already closed. Throws if this is not a request or was answered already.
   */
  respond(body: InteractionBody): boolean;
}

/** Options of spawnEntity, changeComponents and removeEntity. */
export interface PlaceRequestOptions extends RequestOptions {
  /** The entity the request is sent from; it must be ours. Default: the avatar. */
  sender?: EntityId;
}
/** @deprecated the old name of PlaceRequestOptions */
export type SenderOption = PlaceRequestOptions;

export interface ClientClosed {
  code: number;
  reason: string;
  /** Set when the connection ended without close() being called. */
  error?: ConnectionLostError;
  /** Whether this side closed, the place closed (a kick, a refused announce, or a close that is not retried), or reconnecting gave up. */
  why: "closed by client" | "closed by place" | "gave up";
}

export type RemoveMode = "cascade" | "reparent";

const DEFAULT_TIMEOUT = 10_000;

/**
 * Connects to a place, announces, and resolves once the avatar is in the mirror and the clock is synced.
 * Rejects with PlaceUrlError, PlaceUnreachableError, AnnounceRefusedError or ConnectionLostError.
 */
export function connect(url: string, options: ConnectOptions = {}): Promise<AlloClient> {
  return AlloClient.connect(url, options);
}

/** One agent's connection to a place. Create it with connect(). */
export class AlloClient {
  /** The place's ws:// or wss:// URL. */
  readonly url: string;
  /** The world as last received; also the source of entityAdded$/entityChanged$/entityRemoved$/state$. */
  readonly world = new WorldMirror();
  /** Every text frame sent, in order (tests count messages with it). */
  readonly outgoing$: Observable<{ text: string }>;
  /**
   * Requests, oneways and publications addressed to us. Responses to our requests are not emitted here. What arrives
   * before the first subscriber (from the announce on) is held, up to 256, and delivered to it on the next microtask.
   */
  readonly interactions$: Observable<IncomingInteraction>;
  /** Resolves when the connection has ended for good (after the last reconnect attempt, if reconnecting). */
  readonly closed: Promise<ClientClosed>;
  /** The connection state, the current one first (reconnect.ts ConnectionState). */
  readonly connectionState$: Observable<ConnectionState>;

  private readonly interactions = new InteractionInbox<IncomingInteraction>(HELD_INTERACTIONS_LIMIT, (dropped, count) =>
    this.droppedUnheard(dropped, count),
  );
  private readonly outgoing = new Subject<{ text: string }>();
  private readonly binary = new Subject<Uint8Array>();
  private readonly stateSubject = new BehaviorSubject<ConnectionState>({ status: "connecting" });
  private readonly policy: ReturnType<typeof reconnectPolicy>;
  private readonly timeout: number;
  // One set per connection: a reconnect opens a new socket, with its own requests, intent and clock.
  private connection!: Connection;
  private requests!: PendingRequests;
  private intent!: IntentSender;
  private clock!: ClockSync;
  private statesReceived = 0;
  private avatar: EntityId = "";
  private place = "";
  private reconnects = 0;
  private resolveClosed!: (closed: ClientClosed) => void;
  private hasClosed = false;
  private closeRequested = false;
  private cancelWait: (() => void) | undefined;

  /** Same as connect(). */
  static async connect(url: string, options: ConnectOptions = {}): Promise<AlloClient> {
    const client = new AlloClient(parsePlaceUrl(url).toString(), options, options.logger ?? createLogger("client"));
    try {
      await client.join(true);
    } catch (error) {
      // The place went away after letting us in (a restart during our first connect): retried like a later loss.
      const lost = client.policy && !client.closeRequested ? placeWentAway(error) : undefined;
      if (!lost) {
        void client.close(); // the error is the answer; the socket finishes closing on its own
        throw error;
      }
      client.logger.warn("the place went away while connecting; reconnecting", {
        code: lost.code,
        reason: lost.reason,
      });
      await client.reconnect(lost);
      if (client.hasClosed) throw (await client.closed).error ?? error;
      return client;
    }
    client.setConnected();
    return client;
  }

  private constructor(
    url: string,
    private readonly options: ConnectOptions,
    private readonly logger: Logger,
  ) {
    this.url = url;
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.policy = reconnectPolicy(options.reconnect);
    this.outgoing$ = this.outgoing.asObservable();
    this.interactions$ = this.interactions.stream;
    this.connectionState$ = this.stateSubject.asObservable();
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Where the connection stands now (connectionState$ emits each change). */
  get connectionState(): ConnectionState {
    return this.stateSubject.value;
  }

  /** Traffic counters of the current connection. */
  get stats(): ConnectionStats {
    return this.connection.stats;
  }

  /** Opens a socket, announces and waits for the avatar and the clock: the first connect and every reconnect. */
  private async join(first: boolean): Promise<void> {
    const deadline = Date.now() + this.timeout;
    const { WebSocket, sendBudget } = this.options;
    const connection = await Connection.open(this.url, {
      WebSocket,
      timeout: this.timeout,
      logger: this.logger,
      sendBudget,
    });
    if (this.closeRequested) {
      connection.close(1000, "client closed");
      throw new ConnectionLostError(1000, "closed by this client");
    }
    const ended = this.use(connection);
    try {
      if (first) {
        serveAssets(this);
        this.options.beforeAnnounce?.(this);
      }
      const given = this.options.avatar;
      const avatar = (typeof given === "function" ? given() : given) ?? { transform: { matrix: identityMatrix() } };
      const identity = this.options.identity ?? { display_name: "Allo agent" };
      const joined = await announce(this.requests, identity, avatar, {
        timeout: deadline - Date.now(),
        version: this.options.protocolVersion,
      });
      this.joined(joined.avatarId, joined.placeName);
      await this.settledIn(deadline, ended);
    } catch (error) {
      if (connection.isOpen) connection.close(1000, "client closed");
      throw error;
    }
  }

  /** Makes `connection` the current one: new requests, intent and clock; its frames feed the client's streams. */
  private use(connection: Connection): Promise<ConnectionClose> {
    this.connection = connection;
    this.requests = new PendingRequests(connection);
    this.intent = new IntentSender(connection);
    this.clock = new ClockSync(connection);
    this.statesReceived = 0;
    connection.outgoing$.subscribe({ next: (frame) => this.outgoing.next(frame) });
    connection.binary$.subscribe({ next: (frame) => this.binary.next(frame) });
    return new Promise((resolve) => {
      connection.attach({
        onMessage: (message) => this.receive(message),
        onClose: (close) => {
          resolve(close);
          this.connectionClosed(connection, close);
        },
      });
    });
  }

  private setConnected(): void {
    this.stateSubject.next({
      status: "connected",
      avatarId: this.avatar,
      placeName: this.place,
      reconnects: this.reconnects,
    });
  }

  /** Our avatar entity's id. */
  get avatarId(): EntityId {
    return this.avatar;
  }

  /** The name the place gave in its announce response. */
  get placeName(): string {
    return this.place;
  }

  /** Whether a connection is open now (false while reconnecting). */
  get isOpen(): boolean {
    return !this.hasClosed && this.connection?.isOpen === true;
  }

  get entityAdded$(): Observable<Entity> {
    return this.world.entityAdded$;
  }
  get entityChanged$(): Observable<EntityChange> {
    return this.world.entityChanged$;
  }
  get entityRemoved$(): Observable<EntityRemoval> {
    return this.world.entityRemoved$;
  }
  get state$(): Observable<StateApplied> {
    return this.world.state$;
  }

  /** Sends a request; resolves with the response body (see PendingRequests.request for the rejections). */
  request(
    senderEntityId: EntityId,
    receiverEntityId: EntityId,
    body: InteractionBody,
    options?: RequestOptions,
  ): Promise<InteractionBody> {
    return this.requests.request(senderEntityId, receiverEntityId, body, options);
  }

  /** Sends a oneway interaction. Throws AlloError if the connection is closed. */
  send(senderEntityId: EntityId, receiverEntityId: EntityId, body: InteractionBody): void {
    this.sendInteraction("oneway", senderEntityId, receiverEntityId, "", body);
  }

  /** Binary frames from the place, channel byte first (media, assets: see assets.ts). */
  get binary$(): Observable<Uint8Array> {
    return this.binary.asObservable();
  }

  /** Sends one binary frame, channel byte first (docs/protocol.md §1). Throws AlloError if the connection is closed. */
  sendBinary(frame: Uint8Array): void {
    this.connection.sendBinary(frame);
  }

  /** Publishes to every agent subscribed to a matching pattern (docs/protocol.md §2 rule 6, §4). */
  publish(senderEntityId: EntityId, body: InteractionBody): void {
    this.sendInteraction("publication", senderEntityId, "", "", body);
  }

  /** spawn_entity: resolves with the new root id and its descendants' ids (depth-first, in the spec's order). */
  async spawnEntity(
    spec: EntitySpec,
    options: PlaceRequestOptions = {},
  ): Promise<{ id: EntityId; descendants: EntityId[] }> {
    const response = await this.request(
      options.sender ?? this.avatar,
      PLACE_ENTITY_ID,
      ["spawn_entity", spec as Json],
      options,
    );
    const [, id, descendants = []] = response;
    if (typeof id !== "string" || !Array.isArray(descendants) || !descendants.every((d) => typeof d === "string")) {
      throw new AlloError(
        `The place answered spawn_entity with ${JSON.stringify(response)}, not ["spawn_entity", id, [descendant ids]]`,
      );
    }
    return { id, descendants: descendants as EntityId[] };
  }

  /** change_components: each component in `addOrChange` is replaced whole, then `remove` are deleted. */
  async changeComponents(
    id: EntityId,
    addOrChange: Components,
    remove: string[] = [],
    options: PlaceRequestOptions = {},
  ): Promise<void> {
    const body: InteractionBody = ["change_components", id, "add_or_change", addOrChange as Json, "remove", remove];
    await this.request(options.sender ?? this.avatar, PLACE_ENTITY_ID, body, options);
  }

  /** remove_entity: "cascade" (default) removes descendants too; "reparent" makes them roots. */
  async removeEntity(id: EntityId, mode: RemoveMode = "cascade", options: PlaceRequestOptions = {}): Promise<void> {
    await this.request(options.sender ?? this.avatar, PLACE_ENTITY_ID, ["remove_entity", id, mode], options);
  }

  /** Merges fields into our intent (movement, poses by name); it goes out at most 20 times a second. */
  setIntent(update: IntentUpdate): void {
    this.intent.update(update);
  }

  /** The place's clock now, in seconds (docs/protocol.md §7). */
  serverTime(): number {
    return this.clock.serverTime();
  }

  /** The round-trip time of the clock sample in use, in seconds. */
  get rtt(): number {
    return this.clock.rtt;
  }

  /**
   * Resolves once `predicate(world)` holds: at once if it does now, else after the state frame that makes it true.
   * Rejects with AlloError after `timeout` ms (default 10 000; Infinity waits for ever), or with ConnectionLostError if
   * the connection ends.
   */
  waitForWorld(predicate: (world: WorldMirror) => boolean, options: { timeout?: number } = {}): Promise<void> {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (error?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        subscription?.unsubscribe();
        if (error === undefined) resolve();
        else reject(error);
      };
      // A predicate that throws rejects the wait with its error, instead of escaping into the stream.
      const check = () => {
        try {
          if (predicate(this.world)) finish();
        } catch (error) {
          finish(error ?? new AlloError("waitForWorld's predicate threw"));
        }
      };
      // Infinity waits for ever (setTimeout would read it as 1 ms).
      const timer = Number.isFinite(timeout)
        ? setTimeout(() => {
            finish(
              new AlloError(
                `The world did not reach the awaited state within ${timeout} ms (at revision ${this.world.revision}).`,
              ),
            );
          }, timeout)
        : undefined;
      let subscription: { unsubscribe(): void } | undefined;
      check();
      if (done) return;
      subscription = this.world.state$.subscribe({
        next: check,
        complete: () =>
          void this.closed.then((closed) =>
            finish(closed.error ?? new ConnectionLostError(closed.code, closed.reason)),
          ),
      });
      if (done) subscription.unsubscribe();
    });
  }

  /**
   * Closes the connection, or stops reconnecting (pending requests reject with ConnectionLostError), and resolves once
   * it has closed.
   */
  async close(): Promise<void> {
    this.closeRequested = true;
    this.cancelWait?.();
    if (!this.hasClosed && this.connectionState.status !== "reconnecting") {
      if (this.connection?.isOpen) this.connection.close(1000, "client closed");
      else this.finish({ code: 1000, reason: "closed by this client" }, "closed by client");
    }
    await this.closed;
  }

  // connect() resolves only when the avatar is in the mirror and serverTime() works, so callers can use both at once.
  private settledIn(deadline: number, ended: Promise<ConnectionClose>): Promise<void> {
    const avatarId = this.avatar;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        subscription.unsubscribe();
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        // A state frame from this connection: after a reconnect the mirror still holds the old place's world.
        if (this.statesReceived > 0 && this.world.get(avatarId) && this.clock.isSynced) finish();
      };
      const timer = setTimeout(
        () => {
          const missing = [
            this.world.get(avatarId) ? "" : "a world state with our avatar",
            this.clock.isSynced ? "" : "an answer to clock sync",
          ];
          finish(
            new AlloError(
              `The place accepted the announce but did not send ${missing.filter(Boolean).join(" or ")} in time; is it an Allo place?`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      const subscription = this.world.state$.subscribe({ next: check });
      void this.clock.synced.then(check);
      void ended.then((closed) => finish(new ConnectionLostError(closed.code, closed.reason)));
      check();
    });
  }

  private joined(avatarId: EntityId, placeName: string): void {
    this.avatar = avatarId;
    this.place = placeName;
    this.intent.start();
    this.clock.start();
  }

  private receive(message: PlaceMessage): void {
    if (message.kind === "state") {
      this.statesReceived++;
      const applied = this.world.apply(message.state);
      if (!applied)
        this.logger.debug("state patch not based on our revision; asking for a full state", {
          revision: this.world.revision,
        });
      this.intent.acknowledge(applied ? this.world.revision : 0);
    } else if (message.kind === "clock") {
      this.clock.receive(message.clientTime, message.serverTime);
    } else if (message.interaction.type === "response") {
      if (!this.requests.settle(message.interaction)) {
        this.logger.debug("dropped a response to no pending request", {
          name: message.interaction.body[0],
          requestId: message.interaction.requestId,
        });
      }
    } else {
      this.interactions.next(this.incoming(message.interaction));
    }
  }

  // Nobody subscribed to interactions$ yet and the hold is full: a dropped request is refused, not left to time out.
  private droppedUnheard(dropped: IncomingInteraction, count: number): void {
    const details = { name: dropped.name, type: dropped.type, sender: dropped.senderEntityId, dropped: count };
    if (count === 1)
      this.logger.warn(
        `no subscriber to interactions$ yet and ${HELD_INTERACTIONS_LIMIT} interactions held; dropping the oldest`,
        details,
      );
    else this.logger.debug("dropped an interaction nobody subscribed to", details);
    if (dropped.type === "request")
      dropped.respond([dropped.name, "failed", "the agent was not listening to interactions yet"]);
  }

  private incoming(interaction: Interaction): IncomingInteraction {
    let answered = false;
    return {
      ...interaction,
      name: interaction.body[0],
      respond: (body) => {
        if (interaction.type !== "request")
          throw new AlloError(
            `Cannot respond to a ${interaction.type} ("${interaction.body[0]}"): only requests get responses.`,
          );
        if (answered)
          throw new AlloError(`The "${interaction.body[0]}" request ${interaction.requestId} was already answered.`);
        answered = true;
        if (!this.isOpen) return false;
        this.sendInteraction(
          "response",
          interaction.receiverEntityId,
          interaction.senderEntityId,
          interaction.requestId,
          body,
        );
        return true;
      },
    };
  }

  private sendInteraction(
    type: InteractionType,
    senderEntityId: EntityId,
    receiverEntityId: EntityId,
    requestId: string,
    body: InteractionBody,
  ): void {
    this.connection.send(toEnvelope({ type, senderEntityId, receiverEntityId, requestId, body }), body[0]);
  }

  private connectionClosed(connection: Connection, close: ConnectionClose): void {
    if (connection !== this.connection || this.hasClosed) return;
    this.intent.stop();
    this.clock.stop();
    const status = this.connectionState.status;
    const retried = this.policy !== null && !close.byClient && !this.closeRequested && isRetriedClose(close.code);
    if (status === "reconnecting" || (status === "connecting" && retried)) {
      // A reconnect attempt's (or the first connect's) socket closed: its announce fails, and the loop decides.
      this.requests.rejectAll(new ConnectionLostError(close.code, close.reason));
      return;
    }
    if (status === "connected" && retried) {
      this.requests.rejectAll(new ReconnectingError(close.code, close.reason));
      this.logger.warn("connection to the place lost; reconnecting", { code: close.code, reason: close.reason });
      void this.reconnect({ code: close.code, reason: close.reason });
      return;
    }
    this.finish(close, close.byClient ? "closed by client" : "closed by place", close.byClient);
  }

  /** Attempts to join again until one succeeds, the place sends us away, close() is called, or the policy gives up. */
  private async reconnect(lost: CloseInfo): Promise<void> {
    const policy = this.policy!;
    const since = Date.now();
    let lastClose = lost;
    let lastError: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const away = Date.now() - since;
      if (attempt > policy.maxAttempts || away >= policy.giveUpAfter) {
        const reason = `the place did not come back: ${attempt - 1} attempts in ${Math.round(away / 1000)} s${lastError ? ` (last: ${lastError})` : ""}`;
        this.logger.error("gave up reconnecting", { attempts: attempt - 1, awayMs: away });
        return this.finish({ code: lastClose.code, reason }, "gave up");
      }
      const delay = Math.min(backoffDelay(attempt, policy), policy.giveUpAfter - away);
      this.stateSubject.next({ status: "reconnecting", attempt, delay, since, lastClose, lastError });
      this.logger.info("reconnect attempt", { attempt, delayMs: delay, awayMs: away, code: lastClose.code });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.cancelWait = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.cancelWait = undefined;
      if (this.closeRequested) return this.finish({ code: 1000, reason: "closed by this client" }, "closed by client");
      try {
        await this.join(false);
      } catch (error) {
        if (this.closeRequested)
          return this.finish({ code: 1000, reason: "closed by this client" }, "closed by client");
        // The place answered and refused us (kicked, announce refused): final. A place still away: try again.
        if (error instanceof AnnounceRefusedError && !(typeof error.code === "number" && isRetriedClose(error.code))) {
          return this.finish(
            { code: typeof error.code === "number" ? error.code : 4403, reason: error.reason },
            "closed by place",
          );
        }
        if (error instanceof ConnectionLostError) lastClose = { code: error.code, reason: error.reason };
        lastError = error instanceof Error ? error.message : String(error);
        continue;
      }
      this.reconnects++;
      this.logger.info("reconnected", { attempt, avatar: this.avatar, awayMs: Date.now() - since });
      this.setConnected();
      return;
    }
  }

  /** The end, for good: pending requests fail, streams complete, `closed` resolves. */
  private finish(close: CloseInfo, why: ClientClosed["why"], byClient = why === "closed by client"): void {
    if (this.hasClosed) return;
    this.hasClosed = true;
    this.intent?.stop();
    this.clock?.stop();
    const lost = new ConnectionLostError(close.code, close.reason);
    this.requests?.rejectAll(
      byClient ? new ConnectionLostError(close.code, close.reason || "closed by this client") : lost,
    );
    if (!byClient && why !== "gave up")
      this.logger.warn("connection to the place lost", { code: close.code, reason: close.reason });
    this.stateSubject.next({ status: "closed", why, code: close.code, reason: close.reason });
    this.stateSubject.complete();
    this.resolveClosed({ code: close.code, reason: close.reason, error: byClient ? undefined : lost, why });
    this.interactions.complete();
    this.world.complete();
    this.outgoing.complete();
    this.binary.complete();
  }
}

/** How the place went away, if `error` (from a join) says it did after the socket opened; else undefined. */
function placeWentAway(error: unknown): CloseInfo | undefined {
  if (error instanceof ConnectionLostError && isRetriedClose(error.code))
    return { code: error.code, reason: error.reason };
  if (error instanceof AnnounceRefusedError && typeof error.code === "number" && isRetriedClose(error.code))
    return { code: error.code, reason: error.reason };
  return undefined;
}
