// The place's standard features beyond the core (docs/protocol.md §4, §6, §8, §9, live media): the simulation, pattern
// subscriptions, media relay, assets, launch_app's limits and the configured ACL. Installed by startPlace before
// options.setup runs, so a setup hook can still replace any of them.
import { aclOf, configureAcl, type AclConfig } from "./acl.ts";
import { configureAuth, type AuthConfig } from "./auth.ts";
import { installAssets, serveAssetHttp, type AssetOptions } from "./assets.ts";
import { configureLaunchApp, type LaunchAppConfig } from "./interactions/launch-app.ts";
import { installMedia } from "./media.ts";
import { createSimulation } from "./simulation/index.ts";
import { subscriptionsOf } from "./subscriptions.ts";
import type { HttpHandler, PlaceContext } from "./types.ts";

export interface StandardFeatureOptions {
  /** ACL rules loaded at start (before the defaults), or replacing them. */
  acl?: AclConfig;
  assets?: Partial<AssetOptions>;
  launchApp?: Partial<LaunchAppConfig>;
  auth?: AuthConfig;
}

export function installStandardFeatures(ctx: PlaceContext, options: StandardFeatureOptions = {}): void {
  ctx.simulation ??= createSimulation();
  subscriptionsOf(ctx);
  installMedia(ctx);
  installAssets(ctx, options.assets);
  configureLaunchApp(ctx, options.launchApp ?? {});
  if (options.auth) configureAuth(ctx, options.auth);
  if (options.acl) configureAcl(ctx, options.acl);
  else aclOf(ctx);
}

/** GET /assets/<id> first, then the embedder's own handler. */
export function standardHttp(ctx: PlaceContext, next: HttpHandler | undefined): HttpHandler {
  return (req, res) => serveAssetHttp(ctx, req, res) || (next?.(req, res) ?? false);
}
