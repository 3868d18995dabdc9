// A bare `ws` server for the fan-out floor a place cannot go below: on "tick" it sends one pre-encoded, stamped
// Buffer to every client (as raw-server.ts does), and every message a client sends back (an ack shaped like the
// intent an agent sends, docs/protocol.md §5) is read and JSON.parsed, as a place must read every agent's ack.
import { WebSocketServer, type WebSocket } from "ws";
import { serveParent } from "./child.ts";

const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", maxPayload: 1 << 20, perMessageDeflate: false });
const clients = new Set<WebSocket>();
let acks = 0;
wss.on("connection", (ws) => {
  clients.add(ws);
  ws.on("close", () => clients.delete(ws));
  ws.on("message", (data: Buffer) => {
    const ack = JSON.parse(data.toString()) as { intent?: { ack_state_rev?: number } };
    if (typeof ack.intent?.ack_state_rev === "number") acks++;
  });
});
await new Promise<void>((r) => wss.once("listening", () => r()));
const port = (wss.address() as { port: number }).port;

serveParent(
  {
    tick: ({ bytes, revision }) => {
      const head = `{"t":"${process.hrtime.bigint()}","revision":${Number(revision)},"pad":"`;
      const payload = Buffer.from(head + "x".repeat(Math.max(0, Number(bytes) - head.length - 2)) + `"}`);
      for (const ws of clients) ws.send(payload, { binary: false });
      return clients.size;
    },
    cpu: () => process.cpuUsage(),
    acks: () => acks,
  },
  { port },
);
