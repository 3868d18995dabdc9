// What the gateway tells an app it launched (docs/protocol.md §8.5): ALLO_APP_BOOT_ARGS, ALLO_APP_BOOTED_BY_IDENTITY.
import type { JsonObject, Mat4 } from "@allo/protocol";

export interface LaunchInfo {
  /** The launch_app args (JSON object), including avatarToken and initialLocation when present. */
  args: JsonObject;
  /** The identity of the agent that launched the app, or null when started by hand. */
  launchedBy: JsonObject | null;
  avatarToken?: string;
  /** Where to put the app's avatar: a column-major matrix (16 numbers). */
  initialLocation?: Mat4;
}

export function readLaunchInfo(env: Record<string, string | undefined>): LaunchInfo {
  const args = parseObject(env.ALLO_APP_BOOT_ARGS, "ALLO_APP_BOOT_ARGS") ?? {};
  const launchedBy = parseObject(env.ALLO_APP_BOOTED_BY_IDENTITY, "ALLO_APP_BOOTED_BY_IDENTITY");
  const info: LaunchInfo = { args, launchedBy };
  if (typeof args.avatarToken === "string") info.avatarToken = args.avatarToken;
  const location = matrixOf(args.initialLocation);
  if (location) info.initialLocation = location;
  return info;
}

function parseObject(text: string | undefined, name: string): JsonObject | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${name} is not valid JSON (${(error as Error).message}): ${text.slice(0, 80)}`, { cause: error });
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new Error(`${name} must be a JSON object, got: ${text.slice(0, 80)}`);
  return value as JsonObject;
}

// initialLocation may be a bare matrix or a {matrix} transform.
function matrixOf(value: unknown): Mat4 | undefined {
  const m =
    value && typeof value === "object" && !Array.isArray(value) ? (value as { matrix?: unknown }).matrix : value;
  return Array.isArray(m) && m.length === 16 && m.every((n) => typeof n === "number" && Number.isFinite(n))
    ? (m as Mat4)
    : undefined;
}
