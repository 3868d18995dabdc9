// What a place POSTs to launch an app (docs/protocol.md §8.2), checked once here; the rest of the gateway trusts it.
import type { IncomingMessage } from "node:http";
import { parsePlaceUrl, type JsonObject } from "@allo/protocol";

export interface LaunchRequest {
  placeUrl: string;
  args: JsonObject;
  identity: JsonObject;
}

/** An HTTP error the gateway answers with `{"status":"error","error":message}`. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_BODY_BYTES = 64 * 1024;

export async function readLaunchRequest(req: IncomingMessage): Promise<LaunchRequest> {
  const server = header(req, "x-alloverse-server");
  if (!server)
    throw new HttpError(400, "missing header x-alloverse-server: the URL of the place to connect the app to");
  let placeUrl: string;
  try {
    placeUrl = parsePlaceUrl(server).href;
  } catch (e) {
    throw new HttpError(400, `x-alloverse-server: ${(e as Error).message}`);
  }
  const launchedBy = header(req, "x-alloverse-launched-by");
  const identity = launchedBy ? parseObject(launchedBy, "x-alloverse-launched-by") : {};
  const body = await readBody(req);
  const args = body.trim() === "" ? {} : parseObject(body, "the request body (launch args)");
  return { placeUrl, args, identity };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new HttpError(400, `${what} must be a JSON object`);
  return value as JsonObject;
}

function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(new HttpError(413, `launch args over ${MAX_BODY_BYTES} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `launch args over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", (error) => reject(new HttpError(400, `could not read the request: ${error.message}`)));
  });
}
