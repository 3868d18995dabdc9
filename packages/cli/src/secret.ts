// The operator's token secret (docs/hosting.md "Running a public place"): a file only its owner can read, made on
// first use, or ALLO_PLACE_SECRET. `allo place --auth token` verifies with it; `allo token` signs with it.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { MIN_SECRET_BYTES } from "@allo/place";

/** The secret from `file` (made with 32 random bytes when `create` and missing), else ALLO_PLACE_SECRET; throws a readable Error. */
export function readSecret(
  file: string | undefined,
  create: boolean,
): { secret: string; created: boolean } | undefined {
  if (file === undefined) {
    const env = process.env.ALLO_PLACE_SECRET;
    if (env === undefined) return undefined;
    if (Buffer.byteLength(env) < MIN_SECRET_BYTES)
      throw new Error(`ALLO_PLACE_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
    return { secret: env, created: false };
  }
  if (!existsSync(file)) {
    if (!create)
      throw new Error(
        `no secret file ${file}: start the place with --auth token --secret-file ${file} first (it makes one)`,
      );
    writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    return { secret: readFileSync(file, "utf8").trim(), created: true };
  }
  if (process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) {
    throw new Error(
      `${file} can be read by others (mode ${(statSync(file).mode & 0o777).toString(8)}): chmod 600 ${file}`,
    );
  }
  const secret = readFileSync(file, "utf8").trim();
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES)
    throw new Error(`${file} holds a secret shorter than ${MIN_SECRET_BYTES} bytes`);
  return { secret, created: false };
}
