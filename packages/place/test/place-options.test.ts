// startPlace's configuration through the package's public face: launch_app's limits and an ACL file.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LAUNCH_APP_CONFIG, readAclConfigFile } from "@allo/place";
import { setup, useHttpServers } from "./helpers.ts";

const servers = useHttpServers();

/** A gateway that accepts every launch; its apps never connect. */
async function acceptingGateway(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}'));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `alloapp:http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe("startPlace({ launchApp })", () => {
  it("sets how long a launched app has to connect and how many launches may wait", async () => {
    expect(DEFAULT_LAUNCH_APP_CONFIG).toEqual({
      connectTimeoutMs: 30_000,
      gatewayTimeoutMs: 5000,
      maxPendingPerAgent: 8,
      launchesPerMinute: 10,
      allowPrivateAddresses: [],
    });
    const {
      agents: [a],
    } = await setup(1, {
      launchApp: { connectTimeoutMs: 300, maxPendingPerAgent: 1, allowPrivateAddresses: ["127.0.0.1"] },
    });
    const app = await acceptingGateway();
    const first = a.request(["launch_app", app, {}]); // frames are handled in order: this one waits when the next comes
    expect(await a.request(["launch_app", app, {}])).toEqual([
      "launch_app",
      "error",
      "1 launches are already waiting for their apps; try again when they are done",
    ]);
    expect(await first).toEqual(["launch_app", "error", "app did not connect"]);
  });
});

describe("startPlace({ acl: readAclConfigFile(path) })", () => {
  it("puts the file's rules before the defaults", async () => {
    const dir = mkdtempSync(join(tmpdir(), "allo-acl-"));
    const file = join(dir, "acl.json");
    writeFileSync(file, JSON.stringify({ rules: [{ id: "no-lists", effect: "deny", pattern: `["list_agents"]` }] }));
    const {
      agents: [a],
    } = await setup(1, { acl: readAclConfigFile(file) });
    const denied = await a.request(["list_agents"]);
    expect(denied[0]).toBe("interaction_denied");
    expect(denied[2]).toBe(`deny ["list_agents"]`);
    expect((await a.request(["modify_acl", "list"]))[0]).toBe("interaction_denied"); // the defaults still follow
  });
});
