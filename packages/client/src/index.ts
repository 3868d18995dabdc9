// @allo/client: an Allo agent's connection to a place, for Node and the browser.
export { connect, AlloClient } from "./client.ts";
export type {
  ConnectOptions,
  IncomingInteraction,
  PlaceRequestOptions,
  SenderOption,
  ClientClosed,
  RemoveMode,
} from "./client.ts";
export type { Identity } from "./announce.ts";
export type { RequestOptions } from "./requests.ts";
export { DEFAULT_REQUEST_TIMEOUT, errorInResponse } from "./requests.ts";
export { DEFAULT_RECONNECT, backoffDelay, isRetriedClose } from "./reconnect.ts";
export type { ReconnectOptions, ConnectionState, CloseInfo } from "./reconnect.ts";
export { WorldMirror } from "./mirror.ts";
export type { EntityChange, EntityRemoval, StateApplied } from "./mirror.ts";
export type { IntentUpdate } from "./intent.ts";
export { DEFAULT_SEND_BUDGET, type SendBudget } from "./send-pacer.ts";
export type { ConnectionStats, WebSocketConstructor, WebSocketLike } from "./connection.ts";
export {
  AlloError,
  PlaceUnreachableError,
  AnnounceRefusedError,
  RequestTimeoutError,
  ConnectionLostError,
  ReconnectingError,
  InteractionError,
  InteractionDeniedError,
} from "./errors.ts";
export { PlaceUrlError } from "@allo/protocol";
export { assetIdOf, publishAsset, publishAssetFile, unpublishAsset, fetchAsset, AssetError } from "./assets.ts";
