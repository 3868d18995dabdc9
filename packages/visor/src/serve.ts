// Node side: serve the built visor (dist/) from a place's HTTP hook (startPlace({ httpHandler })).
// index.html is never cached stale (no-cache + ETag); hashed files under /static/ are immutable.
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";

export const VISOR_DIST_DIR = fileURLToPath(new URL("../dist/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
};

/** A hashed file name as vite writes them: only these may be served, so no path ever leaves dist/static. */
const STATIC_NAME = /^\/static\/([A-Za-z0-9._-]+)$/;

export function isVisorBuilt(distDir = VISOR_DIST_DIR): boolean {
  return existsSync(join(distDir, "index.html"));
}

export interface VisorHandlerOptions {
  distDir?: string;
}

/**
 * An HTTP handler for the place: answers GET/HEAD for `/`, `/index.html` and `/static/<file>` from the built visor
 * and returns true; returns false for anything else (the place then answers: /healthz, /assets/…, its own 404),
 * and for `/` while the visor is not built (the place shows its page describing itself).
 */
export function visorHttpHandler(
  options: VisorHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const distDir = options.distDir ?? VISOR_DIST_DIR;
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/" || path === "/index.html") {
      const file = join(distDir, "index.html");
      if (!existsSync(file)) return false;
      serveFile(req, res, file, "no-cache");
      return true;
    }
    const match = STATIC_NAME.exec(path);
    if (!match || match[1].startsWith(".")) return false;
    const file = join(distDir, "static", match[1]);
    if (!existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" });
      res.end(`no such visor file: ${match[1]} (rebuilt since this page loaded? reload it)\n`);
      return true;
    }
    serveFile(req, res, file, "public, max-age=31536000, immutable");
    return true;
  };
}

function serveFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): void {
  const stat = statSync(file);
  const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
  const headers = {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": cacheControl,
    etag,
    "x-content-type-options": "nosniff",
  };
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, "content-length": stat.size });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on("error", (error) => res.destroy(error));
  stream.pipe(res);
}
