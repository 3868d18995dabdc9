// launch_app against a real HTTP server standing in for a gateway (the real @allo/gateway is in test/hosting/).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { configureLaunchApp, pendingLaunches, type LaunchAppConfig } from "../src/interactions/launch-app.ts";
import { connectRawAgent, type RawAgent } from "../src/testing.ts";
import { setup, spawn } from "./helpers.ts";

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: any;
}
interface FakeGateway {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

const gateways: Server[] = [];
afterEach(async () => {
  await Promise.all(
    gateways.splice(0).map(
      (g) =>
        new Promise((r) => {
          g.closeAllConnections();
          g.close(r);
        }),
    ),
  );
});

/** A real HTTP server; `answer` decides the response to each POST after it was recorded. */
async function fakeGateway(answer: (req: Received, res: ServerResponse) => void): Promise<FakeGateway> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      const r = { path: req.url ?? "", headers: req.headers, body: JSON.parse(text) };
      received.push(r);
      answer(r, res);
    });
  });
  gateways.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise((r) => server.close(() => r())) };
}

/** Polls a condition about the fake gateway (raw agents only re-check on messages they receive). */
async function poll(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 400) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ok = (_req: Received | undefined, res: ServerResponse) =>
  res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');

/** The fake gateways listen on loopback, which a place refuses unless its operator allows it (as here). */
const LOOPBACK_ALLOWED: Partial<LaunchAppConfig> = { allowPrivateAddresses: ["127.0.0.1"] };

async function placeWith(config: Partial<LaunchAppConfig> = {}, agents = 1) {
  return setup(agents, { setup: (ctx) => configureLaunchApp(ctx, { ...LOOPBACK_ALLOWED, ...config }) });
}

/** What an app started by the gateway does: connect to the place it was given and announce with the token. */
async function appAnnounces(
  placeUrl: string,
  token: string,
  name = "launched app",
): Promise<{ app: RawAgent; avatarId: string }> {
  const app = await connectRawAgent(placeUrl);
  const r = await app.announce({ display_name: name }, { avatar: { token }, text: { string: "hello" } });
  return { app, avatarId: r[1] as string };
}

describe("launch_app", () => {
  it("POSTs the args with a token, and answers ok with the app's avatar id once the app announces with it", async () => {
    const {
      place,
      agents: [a],
    } = await placeWith();
    let app: RawAgent | undefined;
    const gateway = await fakeGateway(async (req, res) => {
      ok(req, res);
      app = (await appAnnounces(place.url, req.body.avatarToken)).app;
    });
    const response = await a.request([
      "launch_app",
      `alloapp:${gateway.url}/clock?x=1`,
      { initialLocation: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], theme: "dark" },
    ]);
    expect(response).toEqual(["launch_app", "ok", expect.any(String)]);
    const [req] = gateway.received;
    expect(req.path).toBe("/clock?x=1");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["x-alloverse-server"]).toBe(place.publicUrl);
    // An open place verified nobody: only the declared name goes, marked so (auth.test.ts has the verified case).
    expect(JSON.parse(req.headers["x-alloverse-launched-by"] as string)).toEqual({
      display_name: "a",
      verified: false,
    });
    expect(req.body).toEqual({
      initialLocation: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
      theme: "dark",
      avatarToken: expect.stringMatching(/^[\w-]{20,}$/),
    });
    const avatar = place.world.get(response[2]);
    expect(avatar?.components.text).toEqual({ string: "hello" });
    expect(avatar?.components).not.toHaveProperty("avatar");
    expect(place.world.ownerOf(response[2])).not.toBe(
      [...place.agents.values()].find((x) => x.identity?.display_name === "a")?.id,
    );
    expect(pendingLaunches(place.ctx)).toBe(0);
    await app?.close();
  });

  it("defaults the path to / and the args to {}, and sends identities with any characters as valid JSON", async () => {
    const { place, connect } = await placeWith({}, 0);
    const a = await connect('Håkan 🚀 "quoted"\nnewline');
    const gateway = await fakeGateway(async (req, res) => {
      ok(req, res);
      await appAnnounces(place.url, req.body.avatarToken);
    });
    expect((await a.request(["launch_app", `alloapp:${gateway.url}`]))[1]).toBe("ok");
    expect(gateway.received[0].path).toBe("/");
    expect(Object.keys(gateway.received[0].body)).toEqual(["avatarToken"]);
    expect(JSON.parse(gateway.received[0].headers["x-alloverse-launched-by"] as string)).toEqual({
      display_name: 'Håkan 🚀 "quoted"\nnewline',
      verified: false,
    });
  });

  it("refuses a bad app URL or bad args at once, without calling anything", async () => {
    const {
      agents: [a],
      place,
    } = await placeWith();
    const cases: [unknown[], RegExp][] = [
      [["launch_app"], /launch_app takes/],
      [["launch_app", 42], /launch_app takes/],
      [["launch_app", "http://localhost:8000/"], /invalid app URL: .*alloapp:/],
      [["launch_app", "alloapp:ftp://localhost/"], /invalid app URL: .*http:\/\/ or https:\/\//],
      [["launch_app", "alloapp:not a url"], /invalid app URL/],
      [["launch_app", "alloapp:http://localhost/", [1, 2]], /args must be an object/],
      [["launch_app", "alloapp:http://localhost/", {}, "extra"], /launch_app takes/],
      [
        ["launch_app", "alloapp:http://localhost/", { a: "x".repeat(40_000), b: "y".repeat(40_000) }],
        /over 65536 bytes/,
      ],
    ];
    for (const [body, reason] of cases) {
      const r = await a.request(body as any).catch((e) => {
        throw new Error(JSON.stringify(body).slice(0, 80) + " " + e.message);
      });
      expect(r.slice(0, 2), JSON.stringify(body).slice(0, 60)).toEqual(["launch_app", "error"]);
      expect(r[2]).toMatch(reason);
    }
    expect(pendingLaunches(place.ctx)).toBe(0);
  });

  it("answers an error when the gateway cannot be reached", async () => {
    const {
      agents: [a],
    } = await placeWith();
    const gateway = await fakeGateway(ok);
    await gateway.close(); // nothing listens on that port any more
    const r = await a.request(["launch_app", `alloapp:${gateway.url}/`]);
    expect(r).toEqual(["launch_app", "error", `Failed to reach the app gateway at ${gateway.url}/: ECONNREFUSED`]);
  });

  it("relays the gateway's documented error text, and never a raw body", async () => {
    const {
      agents: [a],
    } = await placeWith();
    const json = await fakeGateway((_req, res) =>
      res
        .writeHead(503, { "content-type": "application/json" })
        .end('{"status":"error","error":"clock runs its limit of 2 instances"}'),
    );
    expect(await a.request(["launch_app", `alloapp:${json.url}/`])).toEqual([
      "launch_app",
      "error",
      "clock runs its limit of 2 instances",
    ]);
    const text = await fakeGateway((_req, res) => res.writeHead(502).end("Bad Gateway from nginx\nsecret=hunter2\n"));
    expect(await a.request(["launch_app", `alloapp:${text.url}/`])).toEqual([
      "launch_app",
      "error",
      `the app gateway at ${text.url}/ answered HTTP 502`,
    ]);
    const long = await fakeGateway((_req, res) =>
      res.writeHead(500).end(JSON.stringify({ error: "xx\u0001".repeat(300) })),
    );
    const capped = await a.request(["launch_app", `alloapp:${long.url}/`]);
    expect(capped[2]).toHaveLength(500);
    expect(capped[2]).toMatch(/^[x ]+$/);
    const empty = await fakeGateway((_req, res) => res.writeHead(404).end());
    expect(await a.request(["launch_app", `alloapp:${empty.url}/x`])).toEqual([
      "launch_app",
      "error",
      `the app gateway at ${empty.url}/x answered HTTP 404`,
    ]);
    const redirect = await fakeGateway((_req, res) =>
      res.writeHead(302, { location: "http://elsewhere.invalid/" }).end(),
    );
    expect(await a.request(["launch_app", `alloapp:${redirect.url}/`])).toEqual([
      "launch_app",
      "error",
      `the app gateway at ${redirect.url}/ answered HTTP 302`,
    ]);
  });

  it("gives up on a gateway that does not answer in time, and keeps serving everyone meanwhile", async () => {
    const {
      agents: [a, b],
      place,
    } = await placeWith({ gatewayTimeoutMs: 400 }, 2);
    const held: ServerResponse[] = [];
    const gateway = await fakeGateway((_req, res) => held.push(res));
    const launching = a.request(["launch_app", `alloapp:${gateway.url}/`], { timeoutMs: 5000 });
    await poll(() => gateway.received.length === 1);
    // The gateway holds the call; the place still answers other requests and sends states.
    const id = await spawn(b, { text: { string: "still ticking" } });
    expect(place.world.get(id)?.components.text).toEqual({ string: "still ticking" });
    expect(await launching).toEqual([
      "launch_app",
      "error",
      `the app gateway at ${gateway.url}/ did not answer within 0.4 s`,
    ]);
    held.forEach((r) => r.destroy());
  });

  it("answers 'app did not connect' when no app announces with the token in time", async () => {
    const {
      agents: [a],
      place,
    } = await placeWith({ connectTimeoutMs: 300 });
    const gateway = await fakeGateway(ok);
    expect(await a.request(["launch_app", `alloapp:${gateway.url}/`])).toEqual([
      "launch_app",
      "error",
      "app did not connect",
    ]);
    expect(pendingLaunches(place.ctx)).toBe(0);
    // The token is spent: an app announcing with it late is just another agent.
    const late = await appAnnounces(place.url, gateway.received[0].body.avatarToken);
    expect(late.avatarId).toEqual(expect.any(String));
    await late.app.close();
  });

  it("forgets the launch when the requester leaves before the app connects", async () => {
    const {
      agents: [a],
      place,
    } = await placeWith();
    const gateway = await fakeGateway(ok);
    a.send(["interaction", "request", a.avatarId, "place", "launch-1", ["launch_app", `alloapp:${gateway.url}/`]]);
    await poll(() => gateway.received.length === 1);
    expect(pendingLaunches(place.ctx)).toBe(1);
    await a.close();
    await poll(() => pendingLaunches(place.ctx) === 0);
    const { app, avatarId } = await appAnnounces(place.url, gateway.received[0].body.avatarToken);
    expect(place.world.get(avatarId)).toBeDefined();
    await app.close();
  });

  it("limits the launches one agent may have waiting", async () => {
    const {
      agents: [a, b],
    } = await placeWith({ maxPendingPerAgent: 2 }, 2);
    const gateway = await fakeGateway(ok);
    a.send(["interaction", "request", a.avatarId, "place", "l1", ["launch_app", `alloapp:${gateway.url}/`]]);
    a.send(["interaction", "request", a.avatarId, "place", "l2", ["launch_app", `alloapp:${gateway.url}/`]]);
    const third = await a.request(["launch_app", `alloapp:${gateway.url}/`]);
    expect(third).toEqual([
      "launch_app",
      "error",
      "2 launches are already waiting for their apps; try again when they are done",
    ]);
    await poll(() => gateway.received.length === 2);
    const forB = b.request(["launch_app", `alloapp:${gateway.url}/`]);
    await poll(() => gateway.received.length === 3);
    await appAnnounces(b.socket.url.replace(/\/?$/, "/"), gateway.received[2].body.avatarToken);
    expect((await forB)[1]).toBe("ok");
  });

  it("answers waiting launches when the place closes", async () => {
    const {
      agents: [a],
      place,
    } = await placeWith();
    const gateway = await fakeGateway(ok);
    const launching = a.request(["launch_app", `alloapp:${gateway.url}/`]).catch((e: Error) => e.message);
    await poll(() => gateway.received.length === 1);
    const closed = place.close();
    const result = await launching;
    await closed;
    // Either the error arrives before the socket closes, or the connection closes first; never a hang.
    expect(String(result)).toMatch(/place is closing|connection closed/);
  });
});
