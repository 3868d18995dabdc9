// Warm standbys (standby.ts): real gateway, real child processes speaking the handshake (fixtures/standby-app).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "@allo/protocol";
import type { AppFolder, Gateway } from "../src/index.ts";
import { childPids, fixtures, isAlive, launch, rawRequest, readReport, useGateways, waitFor } from "./helpers.ts";

const { gateway, app, reportFile } = useGateways("allo-standby-");
const readyStandby = (g: Gateway, path = "/") =>
  waitFor(() => g.standbys(path).find((s) => s.ready), "a ready standby");

// Each test starts several real Node processes (tsx loading an app); on a loaded 2-core machine one start can take
// seconds, so the tests get room for that — the waits inside are on conditions, not on time.
describe("warm standbys", { timeout: 60_000 }, () => {
  it("serves a launch from a ready standby, with the launch's place URL, args and identity, once per process", async () => {
    const g = await gateway([app("standby-app")]);
    expect(app("standby-app").standby).toBe(true);
    const standby = await readyStandby(g);
    expect(g.instances()).toEqual([]); // a standby is not an instance: it serves nobody yet

    const file = reportFile();
    const args = { avatarToken: "tok1", reportFile: file };
    const res = await launch(g.url, "/", args, { display_name: "Ada" });
    expect(res.status).toBe(200);
    const report = await readReport(file);
    expect(report).toMatchObject({
      pid: standby.pid,
      standby: true,
      launches: 1,
      placeUrl: "ws://127.0.0.1:21999/",
      bootArgs: args,
      identity: { display_name: "Ada" },
      standbyEnv: null,
      cwd: join(fixtures, "standby-app"),
    });
    expect(g.instances()).toEqual([expect.objectContaining({ pid: standby.pid, warm: true, id: res.json.instance })]);

    // The pool replenishes with a new process; the next launch gets that one, and the first process hears nothing.
    const next = await waitFor(() => g.standbys().find((s) => s.ready && s.pid !== standby.pid), "a new standby");
    const second = reportFile();
    expect((await launch(g.url, "/", { reportFile: second }, { display_name: "Bob" })).status).toBe(200);
    expect(await readReport(second)).toMatchObject({ pid: next.pid, launches: 1, identity: { display_name: "Bob" } });
    expect((await readReport(file)).launches).toBe(1);
    expect(new Set(g.instances().map((i) => i.pid)).size).toBe(2);
  });

  it("starts cold when the standby died, and replaces the dead one", async () => {
    const g = await gateway([app("standby-app")]);
    const standby = await readyStandby(g);
    process.kill(standby.pid, "SIGKILL");
    // The launch must find no standby: wait until the gateway has seen this one end (a launch racing the death is
    // handed to it, finds it gone and starts cold too, but then counts as the app's failure).
    await waitFor(() => !g.standbys().some((s) => s.pid === standby.pid), "the gateway to see its standby end");
    const file = reportFile();
    expect((await launch(g.url, "/", { reportFile: file }, { display_name: "Cy" })).status).toBe(200);
    const report = await readReport(file);
    expect(report).toMatchObject({
      standby: false,
      launches: 1,
      argv: ["ws://127.0.0.1:21999/"],
      identity: { display_name: "Cy" },
    });
    expect(report.pid).not.toBe(standby.pid);
    expect(g.instances()).toEqual([expect.objectContaining({ pid: report.pid, warm: false })]);
    await waitFor(() => g.standbys().some((s) => s.ready && s.pid !== standby.pid), "a replacement standby", 30_000);
  });

  it("keeps an app cold after its standbys keep dying before they are ready, says why, and still launches it", async () => {
    const lines: string[] = [];
    const crashing: AppFolder = { ...app("crash-app"), standby: true };
    const g = await gateway([crashing], { logger: createLogger("gateway", "warn", (line) => lines.push(line)) });
    // Three standbys in a row end (retried 1 s, then 2 s later), then the pool gives up on this app.
    await waitFor(
      () => lines.some((l) => l.includes("its launches start cold from now on")),
      "the pool to give up",
      50_000,
    );
    const ended = lines.filter((l) => l.includes("standby ended before it was ready"));
    expect(ended).toHaveLength(3);
    expect(ended[0]).toContain("Error: boom (the app could not start)");
    expect(g.standbys()).toEqual([]);
    expect(g.recentExits).toEqual([]); // standbys are not instances
    const exited = new Promise((resolve) => g.onExit(resolve));
    expect((await launch(g.url, "/", {})).status).toBe(200);
    expect(await exited).toMatchObject({ code: 3, warm: false });
  });

  it("counts standbys against the limits without refusing a launch that fits", async () => {
    const g = await gateway([app("standby-app", "/a"), app("standby-app", "/b")], { maxInstances: 2 });
    await waitFor(() => g.standbys().filter((s) => s.ready).length === 2, "a standby for each app");
    const processes = () => g.instances().length + g.standbys().length;
    expect((await launch(g.url, "/a", { reportFile: reportFile() })).status).toBe(200);
    expect(processes()).toBeLessThanOrEqual(2);
    // /a has no standby left and no room for one; a second launch of /a makes room by stopping /b's standby.
    const file = reportFile();
    expect((await launch(g.url, "/a", { reportFile: file })).status).toBe(200);
    expect((await readReport(file)).standby).toBe(false);
    expect(g.instances("/a")).toHaveLength(2);
    expect(processes()).toBeLessThanOrEqual(2);
    expect((await launch(g.url, "/b", {})).status).toBe(503);
    expect(g.standbys()).toEqual([]);
    // An instance ends: room again, and a standby comes back.
    process.kill(g.instances("/a")[0].pid, "SIGTERM");
    await waitFor(() => g.standbys().some((s) => s.ready), "a standby once there is room");
    expect(processes()).toBeLessThanOrEqual(2);
  });

  it("keeps no standbys with standby: 0, and for apps not on @allo/ui", async () => {
    const off = await gateway([app("standby-app")], { standby: 0 });
    const echo = await gateway([app("echo-app")]);
    const file = reportFile();
    expect((await launch(off.url, "/", { reportFile: file })).status).toBe(200);
    expect((await readReport(file)).standby).toBe(false);
    expect(off.standbys()).toEqual([]);
    expect(echo.standbys()).toEqual([]);
    expect((await rawRequest(off.url, "GET", "/healthz")).json).toEqual({
      status: "ok",
      apps: 1,
      instances: 1,
      standby: 0,
    });
  });

  it("leaves no child process after close: instances, ready standbys, and a standby still starting", async () => {
    const g = await gateway([app("standby-app")], { maxInstances: 8 });
    const first = await readyStandby(g);
    await launch(g.url, "/", { reportFile: reportFile() });
    await launch(g.url, "/", { reportFile: reportFile() });
    expect(childPids().length).toBeGreaterThanOrEqual(2);
    await g.close();
    expect(childPids()).toEqual([]);
    expect(isAlive(first.pid)).toBe(false);
    expect(g.standbys()).toEqual([]);
    expect(g.instances()).toEqual([]);

    // Closed while its first standby is still being started.
    const early = await gateway([app("standby-app")]);
    await early.close();
    expect(childPids()).toEqual([]);
  });
});
