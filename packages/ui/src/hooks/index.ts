export { useServerTime } from "./use-server-time.ts";
export { useLaunchArgs, useLaunchedBy } from "./use-launch.ts";
export { useAgents, type AgentInfo } from "./use-agents.ts";
export { onQuit } from "./on-quit.ts";
