import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverAppFolders, loadAppFolder, startGateway, type AppFolder } from "../src/index.ts";
import { fixtures, isAlive, launch, rawRequest, readReport, useGateways, waitFor } from "./helpers.ts";

const { gateway, app, reportFile, logger, dir } = useGateways("allo-gateway-");

describe("POST <app path>", () => {
  it("starts a fresh app process with the place URL, the launch args and the launcher's identity", async () => {
    const g = await gateway([app("echo-app")]);
    const file = reportFile();
    const args = {
      avatarToken: "tok123",
      initialLocation: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, -2, 1],
      reportFile: file,
    };
    const res = await launch(g.url, "/", args, { display_name: "Harry", id: 7 });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("ok");
    expect(res.headers["content-type"]).toBe("application/json");
    const report = await readReport(file);
    expect(report.placeUrl).toBe("ws://127.0.0.1:21999/");
    expect(report.argv).toEqual(["ws://127.0.0.1:21999/"]);
    expect(report.bootArgs).toEqual(args);
    expect(report.identity).toEqual({ display_name: "Harry", id: 7 });
    expect(report.cwd).toBe(join(fixtures, "echo-app"));
    expect(g.instances().map((i) => i.pid)).toEqual([report.pid]);
  });

  it("runs apps with NODE_ENV=production unless the gateway's environment sets it", async () => {
    const g = await gateway([app("echo-app")]);
    const [unset, set] = [reportFile(), reportFile()];
    const before = process.env.NODE_ENV;
    try {
      delete process.env.NODE_ENV;
      await launch(g.url, "/", { reportFile: unset });
      process.env.NODE_ENV = "staging";
      await launch(g.url, "/", { reportFile: set });
    } finally {
      if (before === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = before;
    }
    expect((await readReport(unset)).nodeEnv).toBe("production");
    expect((await readReport(set)).nodeEnv).toBe("staging");
  });

  it("starts one process per launch", async () => {
    const g = await gateway([app("echo-app")]);
    const [a, b] = [reportFile(), reportFile()];
    await Promise.all([launch(g.url, "/", { reportFile: a }), launch(g.url, "/", { reportFile: b })]);
    const [ra, rb] = await Promise.all([readReport(a), readReport(b)]);
    expect(ra.pid).not.toBe(rb.pid);
    expect(g.instances()).toHaveLength(2);
  });

  it("normalises an alloplace:// place URL to ws://", async () => {
    const g = await gateway([app("echo-app")]);
    const file = reportFile();
    const res = await rawRequest(g.url, "POST", "/", {
      headers: { "x-alloverse-server": "alloplace://example.com" },
      body: JSON.stringify({ reportFile: file }),
    });
    expect(res.status).toBe(200);
    expect((await readReport(file)).placeUrl).toBe("ws://example.com:21337/");
  });

  it("refuses a launch without a place URL, with a bad place URL, or with args that are not a JSON object", async () => {
    const g = await gateway([app("echo-app")]);
    const noPlace = await rawRequest(g.url, "POST", "/", { body: "{}" });
    expect(noPlace.status).toBe(400);
    expect(noPlace.json).toEqual({ status: "error", error: expect.stringContaining("x-alloverse-server") });
    const badPlace = await rawRequest(g.url, "POST", "/", { headers: { "x-alloverse-server": "ftp://x" }, body: "{}" });
    expect(badPlace.status).toBe(400);
    const notJson = await rawRequest(g.url, "POST", "/", {
      headers: { "x-alloverse-server": "ws://x/" },
      body: "{nope",
    });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/not valid JSON/);
    const array = await rawRequest(g.url, "POST", "/", { headers: { "x-alloverse-server": "ws://x/" }, body: "[1]" });
    expect(array.json.error).toMatch(/must be a JSON object/);
    const badIdentity = await rawRequest(g.url, "POST", "/", {
      headers: { "x-alloverse-server": "ws://x/", "x-alloverse-launched-by": "{" },
      body: "{}",
    });
    expect(badIdentity.status).toBe(400);
    const huge = await rawRequest(g.url, "POST", "/", {
      headers: { "x-alloverse-server": "ws://x/" },
      body: JSON.stringify({ x: "a".repeat(70_000) }),
    });
    expect(huge.status).toBe(413);
    expect(g.instances()).toHaveLength(0);
  });

  it("answers 500 with the reason when the app process cannot be started", async () => {
    const broken: AppFolder = { ...app("echo-app"), command: [join(dir(), "no-such-program")] };
    const g = await gateway([broken]);
    const res = await launch(g.url, "/", {});
    expect(res.status).toBe(500);
    expect(res.json.error).toMatch(/could not start echo-app: spawn .*ENOENT/);
  });
});

describe("paths", () => {
  it("serves one app per path and answers 404 for any other", async () => {
    const g = await gateway(discoverAppFolders(fixtures).map((d) => loadAppFolder(d, "/" + d.split("/").pop())));
    const file = reportFile();
    expect((await launch(g.url, "/echo-app/", { reportFile: file })).status).toBe(200);
    expect((await readReport(file)).cwd).toBe(join(fixtures, "echo-app"));
    const missing = await launch(g.url, "/nope", {});
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatch(/no app is served at \/nope/);
    expect((await launch(g.url, "/", {})).status).toBe(404);
  });

  it("refuses paths that try to leave the app folder, encoded or not", async () => {
    const g = await gateway([app("echo-app", "/echo")]);
    for (const path of [
      "/echo/../crash-app",
      "/../../etc/passwd",
      "/echo/%2e%2e/crash-app",
      "/%2E%2E%2f%2e%2e%2fetc",
      "/echo/..%5c..%5cetc",
      "/echo/./",
      "/%zz",
    ]) {
      const res = await launch(g.url, path, {});
      expect(res.status, path).toBe(400);
      expect(res.json.status).toBe("error");
    }
    expect(g.instances()).toHaveLength(0);
  });
});

describe("limits", () => {
  it("answers 503 over the per-app limit, and launches again once an instance exited", async () => {
    const g = await gateway([app("echo-app")], { maxInstancesPerApp: 2 });
    const files = [reportFile(), reportFile()];
    for (const f of files) expect((await launch(g.url, "/", { reportFile: f })).status).toBe(200);
    const refused = await launch(g.url, "/", {});
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatch(/echo-app runs its limit of 2 instances/);
    process.kill((await readReport(files[0])).pid, "SIGTERM");
    await waitFor(() => g.instances().length === 1, "the instance to be reaped");
    expect((await launch(g.url, "/", { reportFile: reportFile() })).status).toBe(200);
  });

  it("answers 503 over the total limit, whichever app is asked for", async () => {
    const g = await gateway([app("echo-app", "/a"), app("echo-app", "/b")], { maxInstances: 1 });
    expect((await launch(g.url, "/a", { reportFile: reportFile() })).status).toBe(200);
    const refused = await launch(g.url, "/b", {});
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatch(/limit of 1 app instances/);
  });
});

describe("reaping", () => {
  it("reaps an app that crashes on start and keeps its exit status and stderr tail", async () => {
    const g = await gateway([app("crash-app")]);
    const exited = new Promise((resolve) => g.onExit(resolve));
    expect((await launch(g.url, "/", {})).status).toBe(200);
    const exit: any = await exited;
    expect(exit.code).toBe(3);
    expect(exit.stderrTail).toEqual(["crash-app: starting", "Error: boom (the app could not start)"]);
    expect(isAlive(exit.pid)).toBe(false);
    expect(g.instances()).toEqual([]);
    expect(g.recentExits.map((e) => e.code)).toEqual([3]);
  });

  it("stops every app on close, killing one that ignores SIGTERM", async () => {
    const g = await startGateway({
      apps: [app("echo-app", "/echo"), app("stubborn-app", "/stubborn")],
      port: 0,
      host: "127.0.0.1",
      logger,
      stopTimeoutMs: 300,
    });
    const [a, b] = [reportFile(), reportFile()];
    await launch(g.url, "/echo", { reportFile: a });
    await launch(g.url, "/stubborn", { reportFile: b });
    const pids = [(await readReport(a)).pid, (await readReport(b)).pid];
    await g.close();
    expect(pids.map(isAlive)).toEqual([false, false]);
    expect(g.recentExits.map((e) => [e.appPath, e.signal ?? e.code]).sort()).toEqual([
      ["/echo", 0],
      ["/stubborn", "SIGKILL"],
    ]);
    await expect(rawRequest(g.url, "GET", "/healthz")).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("GET", () => {
  it("GET / lists the served apps from their package.json", async () => {
    const g = await gateway([app("echo-app", "/echo"), app("crash-app", "/crash")]);
    const res = await rawRequest(g.url, "GET", "/", {
      headers: { host: "apps.example.com", "x-forwarded-proto": "https" },
    });
    expect(res.status).toBe(200);
    expect(res.json.apps).toEqual([
      {
        path: "/echo",
        name: "echo-app",
        display_name: "Echo",
        description: "Writes what it was launched with to a report file, then stays alive.",
        url: "alloapp:https://apps.example.com/echo",
        instances: 0,
      },
      {
        path: "/crash",
        name: "crash-app",
        display_name: "crash-app",
        description: "",
        url: "alloapp:https://apps.example.com/crash",
        instances: 0,
      },
    ]);
    expect((await rawRequest(g.url, "GET", "/echo")).json.display_name).toBe("Echo");
  });

  it("GET /healthz reports the number of apps and live instances", async () => {
    const g = await gateway([app("echo-app")]);
    expect((await rawRequest(g.url, "GET", "/healthz")).json).toEqual({
      status: "ok",
      apps: 1,
      instances: 0,
      standby: 0,
    });
    await launch(g.url, "/", { reportFile: reportFile() });
    expect((await rawRequest(g.url, "GET", "/healthz")).json).toEqual({
      status: "ok",
      apps: 1,
      instances: 1,
      standby: 0,
    });
  });

  it("answers 405 to other methods", async () => {
    const g = await gateway([app("echo-app")]);
    const res = await rawRequest(g.url, "PUT", "/", { body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, HEAD, POST");
  });
});
