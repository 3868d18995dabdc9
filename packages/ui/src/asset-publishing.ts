// Publishing an app's assets while entities use them: counted per app (uses can start before the app has a client),
// then per client and id (apps sharing a client publish an id once), unpublished when the last use ends.
import type { UiClient } from "./client.ts";
import type { AssetRef } from "./asset.ts";

/** What @allo/client provides (loaded with it, when the app connects). */
export interface AssetPublisher {
  publishAsset(client: never, bytes: Uint8Array, options: { id: string }): Promise<string>;
  unpublishAsset(client: never, id: string): boolean;
}

interface ClientAssets {
  client: UiClient;
  publisher: AssetPublisher;
  users: Map<string, number>;
}

const byClient = new WeakMap<UiClient, ClientAssets>();

function clientAssetsOf(client: UiClient, publisher: AssetPublisher): ClientAssets {
  let assets = byClient.get(client);
  if (!assets) byClient.set(client, (assets = { client, publisher, users: new Map() }));
  return assets;
}

function publish(assets: ClientAssets, ref: AssetRef): void {
  const users = assets.users.get(ref.id) ?? 0;
  if (users === 0 && typeof (assets.client as { sendBinary?: unknown }).sendBinary !== "function") {
    throw new Error(
      `cannot publish ${ref.source}: this app's client cannot send binary frames (use @allo/client's AlloClient)`,
    );
  }
  assets.users.set(ref.id, users + 1);
  // With the id given, the bytes are published before publishAsset returns (the promise only reports the id).
  if (users === 0) void assets.publisher.publishAsset(assets.client as never, ref.bytes, { id: ref.id });
}

function unpublish(assets: ClientAssets, id: string): void {
  const users = (assets.users.get(id) ?? 0) - 1;
  if (users > 0) return void assets.users.set(id, users);
  assets.users.delete(id);
  assets.publisher.unpublishAsset(assets.client as never, id);
}

/** One app's asset uses. Entities retain the refs they name and release them when they change or unmount. */
export class AppAssets {
  private readonly uses = new Map<string, { ref: AssetRef; count: number }>();
  private client: ClientAssets | null = null;

  /** Ids in use now. */
  get ids(): string[] {
    return [...this.uses.keys()];
  }

  retain(ref: AssetRef): void {
    const use = this.uses.get(ref.id);
    if (use) return void use.count++;
    this.uses.set(ref.id, { ref, count: 1 });
    if (this.client) publish(this.client, ref);
  }

  release(ref: AssetRef): void {
    const use = this.uses.get(ref.id);
    if (!use || --use.count > 0) return;
    this.uses.delete(ref.id);
    if (this.client) unpublish(this.client, ref.id);
  }

  /** The app has its client (before its announce): publish what is in use, and from now on as uses start. */
  attach(client: UiClient, publisher: AssetPublisher): void {
    if (this.client) return;
    const assets = clientAssetsOf(client, publisher);
    this.client = assets;
    for (const { ref } of this.uses.values()) publish(assets, ref);
  }
}
