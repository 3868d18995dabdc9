// render(() => <App/>, { url | client }): builds the tree, announces with the first root entity as the avatar,
// spawns the rest, routes interactions to handlers, and returns a handle whose dispose() despawns everything
// (solid-js/universal's own render does not: solidjs/solid#2202).
import { createComponent, createRoot, createSignal, type JSX } from "solid-js";
import {
  createLogger,
  identityMatrix,
  type EntityId,
  type Json,
  type JsonObject,
  type Logger,
  type LogLevel,
} from "@allo/protocol";
import { RootNode } from "./node.ts";
import { EntitySync, type AvatarPlan } from "./flush.ts";
import { forEachEntity } from "./tree.ts";
import { insert } from "./renderer.ts";
import { createEventRouter } from "./events.ts";
import { AppContext, type AppContextValue } from "./context.ts";
import { readLaunchInfo, type LaunchInfo } from "./launch.ts";
import type { UiClient } from "./client.ts";
import { AppAssets, type AssetPublisher } from "./asset-publishing.ts";
import { RejoinGate } from "./rejoin-gate.ts";

export interface RenderOptions {
  /** Place URL (alloplace://, ws://, wss://). The app connects and announces; its first root entity is the avatar. */
  url?: string;
  /** An already connected client: its avatar becomes the app's first root entity. */
  client?: UiClient;
  /** Announce identity (url only). Default { display_name: "Allo app" }. */
  identity?: JsonObject;
  /** Launch info; default from ALLO_APP_BOOT_ARGS / ALLO_APP_BOOTED_BY_IDENTITY (docs/protocol.md §8.5). */
  launch?: LaunchInfo;
  /** Exit the process after a `quit` request (docs/protocol.md §3). Default true. */
  exitOnQuit?: boolean;
  /** Called when the connection to the place ends without dispose(). Default: log, and exit if exitOnQuit. */
  onDisconnect?: (error: unknown) => void;
  logLevel?: LogLevel;
  /** Largest spawn_entity message in bytes (default 768 KiB, under the place's 1 MiB frame limit). */
  maxSpawnBytes?: number;
  /**
   * url only: reconnect when the place goes away, and re-spawn the whole tree as it is now (@allo/client's
   * ReconnectOptions; true for the defaults). Default false; runApp turns it on.
   */
  reconnect?: ReconnectSetting;
}

/** @allo/client's `reconnect` option, typed here so the renderer does not import the client at load time. */
export type ReconnectSetting =
  | boolean
  | {
      initialDelay?: number;
      maxDelay?: number;
      factor?: number;
      jitter?: number;
      maxAttempts?: number;
      giveUpAfter?: number;
    };

export interface AppHandle {
  /** The app's avatar id (a new one after each reconnect). */
  readonly avatarId: EntityId;
  readonly client: UiClient;
  readonly sync: EntitySync;
  /** Resolves when every message sent so far has been answered. */
  settled(): Promise<void>;
  /** Disposes the app: runs cleanups, despawns its entities, closes the connection if render() opened it. */
  dispose(): Promise<void>;
}

export async function render(code: () => JSX.Element, options: RenderOptions = {}): Promise<AppHandle> {
  if (!options.url && !options.client)
    throw new Error("render() needs { url } (a place URL) or { client } (a connected client).");
  const logger = createLogger("allo-ui", options.logLevel);
  const launch = options.launch ?? readLaunchInfo(process.env);
  const root = new RootNode();
  const sync = new EntitySync(root, logger);
  if (options.maxSpawnBytes) sync.maxSpawnBytes = options.maxSpawnBytes;
  const [client, setClient] = createSignal<UiClient | null>(null);
  let resolveConnected!: (c: UiClient) => void;
  const connected = new Promise<UiClient>((r) => (resolveConnected = r));
  const assets = new AppAssets();
  const context: AppContextValue = {
    sync,
    root,
    client,
    connected,
    assets,
    launchArgs: launch.args,
    launchedBy: launch.launchedBy,
    quitHandlers: new Set(),
    quit: () => quit(),
    placeUrl: options.url ?? options.client?.url ?? "",
  };

  let disposeRoot!: () => void;
  createRoot((dispose) => {
    disposeRoot = dispose;
    insert(
      root,
      createComponent(AppContext.Provider, {
        value: context,
        get children() {
          return code();
        },
      }),
    );
  });

  let connection: UiClient;
  let owned = false;
  let following: { unsubscribe(): void } | undefined;
  // Set once interactions are routed: after a reconnect, releases what arrived before the tree had its new ids.
  let rejoined = () => {};
  const afterRejoin = () => rejoined();
  try {
    if (options.client) {
      connection = options.client;
      // Published before the first flush spawns the entities that name them.
      assets.attach(connection, (await import("@allo/client")) as unknown as AssetPublisher);
      sync.connected(connection, connection.avatarId, avatarComponentsOf(connection));
      // A client that reconnects announces its own avatar again: the tree is spawned anew under it.
      const given = connection;
      following = followReconnects(
        given,
        () => sync.forgetPlace(),
        () => (sync.connected(given, given.avatarId, avatarComponentsOf(given)), afterRejoin()),
        logger,
        sync,
      );
    } else {
      const announced = await announce(
        options.url!,
        sync,
        assets,
        launch,
        options.identity ?? { display_name: "Allo app" },
        logger,
        options.reconnect ?? false,
        afterRejoin,
      );
      connection = announced.client;
      following = announced.following;
      owned = true;
    }
  } catch (error) {
    disposeRoot();
    throw error;
  }

  let disposed: Promise<void> | null = null;
  const exitOnQuit = options.exitOnQuit ?? true;
  let quitting: Promise<void> | null = null;
  const quit = () =>
    (quitting ??= (async () => {
      for (const handler of context.quitHandlers) await runQuietly(handler, logger);
      await handle.dispose();
      if (exitOnQuit) process.exit(0);
    })());
  const route = createEventRouter(sync, { logger, onQuit: () => void quit() });
  const gate = new RejoinGate(
    () => sync.client !== null,
    (interaction) =>
      void route(interaction).catch((error: unknown) => logger.error("event routing failed", { error: String(error) })),
  );
  rejoined = () => gate.release();
  const subscription = connection.interactions$.subscribe((interaction) => gate.receive(interaction));
  void connection.closed.then((error) => {
    if (disposed) return;
    subscription.unsubscribe();
    disposeRoot();
    if (options.onDisconnect) options.onDisconnect(error);
    else {
      logger.warn("the connection to the place ended", { error: error ? String(error) : undefined });
      if (exitOnQuit) process.exit(1);
    }
  });

  const handle: AppHandle = {
    get avatarId() {
      return sync.avatarId ?? connection.avatarId;
    },
    client: connection,
    sync,
    settled: () => sync.settled(),
    dispose() {
      disposed ??= (async () => {
        following?.unsubscribe();
        disposeRoot();
        await sync.despawnAll(owned);
        subscription.unsubscribe();
        if (owned) await connection.close();
      })();
      return disposed;
    },
  };
  setClient(connection);
  resolveConnected(connection);
  return handle;
}

/**
 * Connects with the first root entity as the avatar, its subtree nested (as much as fits one message). With
 * `reconnect`, each later announce carries the tree as it is then (live values, not initial ones) and the rest
 * spawns in the flush that follows; refs, handlers and animations follow their nodes to the new ids.
 */
async function announce(
  url: string,
  sync: EntitySync,
  assets: AppAssets,
  launch: LaunchInfo,
  identity: JsonObject,
  logger: Logger,
  reconnect: ReconnectSetting,
  afterRejoin: () => void,
): Promise<{ client: UiClient; following: { unsubscribe(): void } | undefined }> {
  let plan: AvatarPlan | null = null;
  let announces = 0;
  // Called by the client at each announce: the first one as launched, later ones with the tree as it is now.
  const avatar = (): Record<string, Json> => {
    const again = announces++ > 0;
    if (again) sync.forgetPlace();
    plan = planAnnounce(sync, again ? {} : launch);
    return avatarOf(plan, again ? undefined : launch.avatarToken);
  };
  const clientModule = (await import("@allo/client")) as unknown as AssetPublisher & {
    connect(
      url: string,
      options: {
        identity: JsonObject;
        avatar: () => JsonObject;
        logger?: Logger;
        beforeAnnounce?: (client: UiClient) => void;
        reconnect?: ReconnectSetting;
      },
    ): Promise<UiClient>;
  };
  // The avatar and what spawns with it may name assets: published before the announce, so the place finds them.
  const beforeAnnounce = (client: UiClient) => assets.attach(client, clientModule);
  const client = await clientModule.connect(url, {
    identity,
    avatar,
    logger: logger.child("client"),
    beforeAnnounce,
    reconnect,
  });
  sync.announced(client, client.avatarId, plan);
  const following = followReconnects(
    client,
    () => sync.suspend(),
    () => (sync.announced(client, client.avatarId, plan), afterRejoin()),
    logger,
    sync,
  );
  return { client, following };
}

/** While the client reconnects nothing is sent; once it is back, `reconnected` hands the tree to the new place. */
function followReconnects(
  client: UiClient,
  reconnecting: () => void,
  reconnected: () => void,
  logger: Logger,
  sync: EntitySync,
): { unsubscribe(): void } | undefined {
  let reconnects: number | undefined; // the state as subscribed is where we start from
  return client.connectionState$?.subscribe((state) => {
    if (state.status === "connected" && reconnects === undefined) reconnects = state.reconnects;
    else if (state.status === "reconnecting" && state.attempt === 1) reconnecting();
    else if (state.status === "connected" && state.reconnects > (reconnects ?? 0)) {
      reconnects = state.reconnects;
      reconnected();
      logger.info("re-rendered after reconnecting", { avatar: client.avatarId, entities: countEntities(sync) });
    }
  });
}

/** The first root entity's spec for the announce; it needs a transform (the launch's initialLocation wins). */
function planAnnounce(sync: EntitySync, launch: Pick<LaunchInfo, "initialLocation">): AvatarPlan | null {
  const first = sync.root.childEntities().next().value;
  if (first && launch.initialLocation) first.components.transform = { matrix: launch.initialLocation };
  if (first && !first.components.transform) first.components.transform = { matrix: identityMatrix() };
  return sync.avatarPlan();
}

function avatarOf(plan: AvatarPlan | null, avatarToken: string | undefined): Record<string, Json> {
  const avatar: Record<string, Json> = { ...(plan?.spec ?? { transform: { matrix: identityMatrix() } }) } as Record<
    string,
    Json
  >;
  // A launch's avatar token is good for one announce: the place that comes back does not know it.
  if (avatarToken) avatar.avatar = { token: avatarToken };
  return avatar;
}

function countEntities(sync: EntitySync): number {
  let count = 0;
  for (const top of sync.root.childEntities()) forEachEntity(top, () => count++);
  return count;
}

function avatarComponentsOf(client: UiClient): Record<string, Json> {
  const entity = client.world?.entities.get(client.avatarId);
  return entity ? ({ ...entity.components } as Record<string, Json>) : {};
}

async function runQuietly(handler: () => void | Promise<void>, logger: Logger): Promise<void> {
  try {
    await handler();
  } catch (error) {
    logger.warn("an onQuit handler threw", { error: String(error) });
  }
}
