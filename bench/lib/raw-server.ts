// A bare `ws` server in its own process: the floor the place is compared with. Two jobs:
// - fan-out: on "tick", send one pre-encoded, hrtime-stamped Buffer to every connected client (what a place tick
//   does at best) and report the synchronous send time and the CPU it took;
// - relay: forward every text message to the other connected client (a routed request's two hops, minus the place).
import { WebSocketServer, type WebSocket } from "ws";
import { serveParent } from "./child.ts";

const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", maxPayload: 1 << 20 });
const clients = new Set<WebSocket>();
wss.on("connection", (ws) => {
  clients.add(ws);
  ws.on("close", () => clients.delete(ws));
  ws.on("message", (data, isBinary) => {
    // relay: to every other client
    for (const other of clients) if (other !== ws) other.send(data, { binary: isBinary });
  });
});
await new Promise<void>((r) => wss.once("listening", () => r()));
const port = (wss.address() as { port: number }).port;

/** A JSON text of about `bytes` bytes whose first field is the send time (ns, monotonic, shared by processes). */
function stampedPayload(bytes: number): Buffer {
  const head = `{"t":"${process.hrtime.bigint()}","pad":"`;
  return Buffer.from(head + "x".repeat(Math.max(0, bytes - head.length - 2)) + `"}`);
}

serveParent(
  {
    clients: () => clients.size,
    tick: ({ bytes }) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const payload = stampedPayload(Number(bytes));
      for (const ws of clients) ws.send(payload, { binary: false });
      const sendMs = performance.now() - t0;
      return { sendMs, sent: clients.size, cpu0 };
    },
    cpu: () => process.cpuUsage(),
    memory: () => process.memoryUsage(),
  },
  { port },
);
