// mountForTest(() => <App/>): a real place on a free port, the app rendered into it over a real WebSocket, and a
// second, independent agent (the observer) that sees what any visor would. Apps and the framework test the same way.
import type { JSX } from "solid-js";
import { connect, type AlloClient } from "@allo/client";
import { startTestPlace } from "@allo/place/testing";
import type { Place } from "@allo/place";
import { PLACE_ENTITY_ID, type Entity, type EntityId, type InteractionBody, type LogLevel } from "@allo/protocol";
import { render, type AppHandle, type RenderOptions, type UiClient } from "@allo/ui";

export interface TestMount {
  place: Place;
  app: AppHandle;
  /** The app's own connection (count its messages with client.stats / client.outgoing$). */
  appClient: AlloClient;
  /** An independent agent in the same place. */
  observer: AlloClient;
  /** The app's avatar (its root entity) as the observer sees it, with descendants nested. */
  tree(): EntityTree | undefined;
  /** Entities of the app (avatar and descendants) as the observer sees them. */
  entities(): Entity[];
  /** The first entity of the app whose components match `predicate`. */
  find(predicate: (entity: Entity) => boolean): Entity | undefined;
  /** Waits (on the observer's world updates) until `check` holds. */
  until(check: () => boolean, what?: string): Promise<void>;
  /** Pokes an entity as a hand would: press then release. Resolves with both responses. */
  poke(id: EntityId): Promise<[InteractionBody, InteractionBody]>;
  /** Waits for the app's messages to be answered, and for the observer to see the resulting revision. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface EntityTree {
  id: EntityId;
  components: Record<string, unknown>;
  children: EntityTree[];
}

export interface MountOptions {
  identity?: { display_name: string };
  logLevel?: LogLevel;
  /** Start the app on an existing place instead of a new one (not closed by close()). */
  place?: Place;
  /** More render() options (maxSpawnBytes…). */
  render?: Partial<RenderOptions>;
}

export async function mountForTest(code: () => JSX.Element, options: MountOptions = {}): Promise<TestMount> {
  const ownPlace = !options.place;
  const place = options.place ?? (await startTestPlace());
  const logLevel = options.logLevel ?? (process.env.ALLO_LOG_LEVEL as LogLevel | undefined) ?? "warn";
  const app = await render(code, {
    url: place.url,
    identity: options.identity ?? { display_name: "test app" },
    exitOnQuit: false,
    logLevel,
    onDisconnect: () => {},
    ...options.render,
  });
  const observer = await connect(place.url, { identity: { display_name: "observer" } });
  const appClient = app.client as unknown as AlloClient;
  const world = () => observer.world.entities as Map<EntityId, Entity>;

  const childrenOf = (id: EntityId) =>
    [...world().values()].filter((e) => (e.components.relationships as { parent?: string } | undefined)?.parent === id);
  const treeOf = (entity: Entity): EntityTree => ({
    id: entity.id,
    components: entity.components as Record<string, unknown>,
    children: childrenOf(entity.id).map(treeOf),
  });
  const entities = (): Entity[] => {
    const avatar = world().get(app.avatarId);
    if (!avatar) return [];
    const out: Entity[] = [];
    const walk = (e: Entity) => {
      out.push(e);
      childrenOf(e.id).forEach(walk);
    };
    walk(avatar);
    return out;
  };
  const until = async (check: () => boolean, what = "the awaited state") => {
    await observer
      .waitForWorld(() => check(), { timeout: 5000 })
      .catch((error: unknown) => {
        throw new Error(`${what} was not reached: ${(error as Error).message}`);
      });
  };

  const mount: TestMount = {
    place,
    app,
    appClient,
    observer,
    tree: () => {
      const avatar = world().get(app.avatarId);
      return avatar ? treeOf(avatar) : undefined;
    },
    entities,
    find: (predicate) => entities().find(predicate),
    until,
    async poke(id) {
      const down = await observer
        .request(observer.avatarId, id, ["poke", true])
        .catch((e: { body?: InteractionBody }) => e.body ?? ["poke", "failed", String(e)]);
      const up = await observer
        .request(observer.avatarId, id, ["poke", false])
        .catch((e: { body?: InteractionBody }) => e.body ?? ["poke", "failed", String(e)]);
      return [down as InteractionBody, up as InteractionBody];
    },
    async settle() {
      await app.settled();
      // A ping to the place after the app's messages: once answered, the place applied them, and the state it
      // sends next carries them. Wait for the observer to reach that revision.
      await (app.client as UiClient).request(app.avatarId, PLACE_ENTITY_ID, ["list_agents"]);
      const target = place.world.revision;
      await observer.waitForWorld((w) => w.revision >= target, { timeout: 5000 });
    },
    async close() {
      await app.dispose().catch(() => undefined);
      await observer.close();
      if (ownPlace) await place.close();
    },
  };
  await mount.settle();
  return mount;
}
