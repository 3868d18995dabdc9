// HTTP and WebSocket on one port (docs/protocol.md §1); nothing else. GET /healthz, GET / (a page describing the place,
// until a visor is installed through `httpHandler`), and WebSocket upgrades on any path.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "@allo/protocol";
import { homePage } from "./home-page.ts";
import type { HttpHandler } from "./types.ts";

export interface PlaceInfo {
  name: string;
  agents: number;
  entities: number;
  revision: number;
  url: string;
  publicUrl: string;
}

export interface ServerOptions {
  host: string;
  port: number;
  /** ws closes a frame over this with 1009; text frames are checked against their own, lower limit by the caller. */
  maxPayload: number;
  log: Logger;
  httpHandler?: HttpHandler;
  info(): PlaceInfo;
  onConnection(socket: WebSocket, req: IncomingMessage): void;
  /** Also serve HTTPS and wss on the same port (a browser gets WebXR only from a secure origin). */
  tls?: TlsOptions;
}

const FIRST_BYTE_TIMEOUT_MS = 10_000;

/** PEM certificate (chain) and private key. */
export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface PlaceServer {
  readonly http: Server;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<PlaceServer> {
  const http = createServer((req, res) => serveHttp(options, req, res));
  const wss = new WebSocketServer({
    server: http,
    maxPayload: options.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
  });
  wss.on("connection", (socket, req) => options.onConnection(socket, req));
  wss.on("error", (e) => options.log.error("websocket server error", { error: e }));
  const secure = options.tls ? secureServer(options, options.tls) : undefined;
  const front = secure ? oneSocketTwoProtocols(http, secure.https) : undefined;
  const listener: Server | NetServer = front?.listener ?? http;
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(options.port, options.host, () => {
      listener.off("error", reject);
      resolve();
    });
  });
  http.on("error", (e) => options.log.error("http server error", { error: e }));
  const port = (listener.address() as AddressInfo).port;
  return {
    http,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        wss.close();
        secure?.close();
        front?.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

function secureServer(options: ServerOptions, tls: TlsOptions): { https: HttpsServer; close(): void } {
  const https = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => serveHttp(options, req, res));
  const wss = new WebSocketServer({
    server: https,
    maxPayload: options.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
  });
  wss.on("connection", (socket, req) => options.onConnection(socket, req));
  wss.on("error", (e) => options.log.error("websocket server error (tls)", { error: e }));
  https.on("tlsClientError", (e) => options.log.debug("tls handshake failed", { error: e }));
  return {
    https,
    close: () => {
      wss.close();
      https.close();
      https.closeAllConnections();
    },
  };
}

/** One port for both: a connection whose first byte opens a TLS handshake (0x16) goes to HTTPS, any other to HTTP. */
function oneSocketTwoProtocols(http: Server, https: HttpsServer): { listener: NetServer; close(): void } {
  const undecided = new Set<Socket>();
  const front = createNetServer((socket: Socket) => {
    undecided.add(socket);
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy()); // a peer that never speaks holds nothing
    socket.on("close", () => undecided.delete(socket));
    socket.on("error", () => socket.destroy()); // a peer gone before its first byte
    socket.once("data", (first: Buffer) => {
      undecided.delete(socket);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? https : http).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  });
  return {
    listener: front,
    close: () => {
      front.close();
      for (const socket of undecided) socket.destroy();
    },
  };
}

function serveHttp(options: ServerOptions, req: IncomingMessage, res: ServerResponse): void {
  try {
    if (options.httpHandler?.(req, res)) return;
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
    if (path === "/healthz") {
      const { name, agents, entities, revision } = options.info();
      return send(res, 200, "application/json", JSON.stringify({ status: "ok", name, agents, entities, revision }));
    }
    if (path === "/") return send(res, 200, "text/html; charset=utf-8", homePage(options.info()));
    send(res, 404, "text/plain", "not found\n");
  } catch (e) {
    options.log.error("http request failed", { url: req.url, error: e });
    if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
    else res.destroy();
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}
