export { startGateway, requestPath, type Gateway, type GatewayOptions } from "./gateway.ts";
export { loadAppFolder, discoverAppFolders, appCommand, AppFolderError, type AppFolder } from "./app-folder.ts";
export {
  Supervisor,
  InstanceLimitError,
  AppStartError,
  ShuttingDownError,
  type InstanceInfo,
  type InstanceExit,
  type LaunchSpec,
} from "./supervisor.ts";
export type { StandbyInfo } from "./standby.ts";
export { HttpError, MAX_BODY_BYTES, type LaunchRequest } from "./launch-request.ts";
