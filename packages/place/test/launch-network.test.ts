// launch_app's network policy (docs/protocol.md §10): the place never POSTs for an agent to loopback,
// private, link-local or unspecified addresses unless its operator allows them, checks the address it actually
// connects to, and limits launches per agent.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { NetworkPolicy } from "../src/network-policy.ts";
import { setup, useHttpServers } from "./helpers.ts";

const servers = useHttpServers();

/** A loopback service with a secret, counting the requests that reached it. */
async function loopbackService(host = "127.0.0.1"): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(403).end("admin token: s3cr3t");
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, host, r));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

describe("launch_app's network policy", () => {
  it("refuses loopback, private, link-local and unspecified destinations by default, reaching nothing", async () => {
    const {
      agents: [a],
    } = await setup(1, { launchApp: { launchesPerMinute: 100 } });
    const service = await loopbackService();
    const urls = [
      `http://127.0.0.1:${service.port}/admin`,
      `http://localhost:${service.port}/admin`, // a name that resolves to loopback
      `http://2130706433:${service.port}/`, // 127.0.0.1 as one number
      `http://[::1]:${service.port}/`,
      `http://[::ffff:127.0.0.1]:${service.port}/`, // IPv4-mapped IPv6
      `http://[::ffff:7f00:1]:${service.port}/`,
      `http://0.0.0.0:${service.port}/`,
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[fe80::1]/",
      "http://[fd00::1]/",
      "http://100.64.0.1/",
    ];
    for (const url of urls) {
      const r = await a.request(["launch_app", `alloapp:${url}`]);
      expect(r.slice(0, 2), url).toEqual(["launch_app", "error"]);
      expect(r[2], url).toMatch(
        /^the place will not launch apps from .*: it is a (loopback|private|link-local|unspecified|shared|unspecified, loopback or IPv4-compatible)[^;]* address; its operator can allow it/,
      );
      expect(r[2]).not.toContain("s3cr3t");
    }
    expect(service.hits()).toBe(0);
  });

  it("reaches a destination the operator allows, by address and port, and only that one", async () => {
    const allowed = await loopbackService();
    const other = await loopbackService();
    const {
      agents: [a],
    } = await setup(1, { launchApp: { allowPrivateAddresses: [`127.0.0.1:${allowed.port}`] } });
    const r = await a.request(["launch_app", `alloapp:http://localhost:${allowed.port}/`]);
    expect(allowed.hits()).toBe(1);
    // The service answered 403 with a raw body: only the status is passed on, never the body.
    expect(r).toEqual([
      "launch_app",
      "error",
      `the app gateway at http://localhost:${allowed.port}/ answered HTTP 403`,
    ]);
    expect((await a.request(["launch_app", `alloapp:http://127.0.0.1:${other.port}/`]))[2]).toMatch(
      /will not launch apps from 127\.0\.0\.1:\d+: it is a loopback address/,
    );
    expect(other.hits()).toBe(0);
  });

  it("limits launches per agent", async () => {
    const {
      agents: [a, b],
    } = await setup(2, { launchApp: { launchesPerMinute: 2 } });
    const refused = (url: string) => a.request(["launch_app", `alloapp:${url}`]);
    expect((await refused("http://localhost:1/"))[2]).toMatch(/loopback/); // names are checked when connecting: a launch spent
    expect((await refused("http://localhost:1/"))[2]).toMatch(/loopback/);
    expect((await refused("http://localhost:1/"))[2]).toMatch(
      /^too many launches: at most 2 a minute; try again in \d+ s$/,
    );
    expect((await b.request(["launch_app", "alloapp:http://localhost:1/"]))[2]).toMatch(/loopback/);
  });

  it("refuses a start with an allowed destination it cannot read", async () => {
    await expect(setup(0, { launchApp: { allowPrivateAddresses: ["localhost:8000"] } })).rejects.toThrow(
      /"localhost:8000" is not an address, address:port/,
    );
  });
});

describe("NetworkPolicy.lookup", () => {
  const resolve = (policy: NetworkPolicy, host: string, options: object) =>
    new Promise<{ error: (Error & { code?: string }) | null; result: unknown[] }>((done) =>
      (policy.lookup(80) as unknown as (h: string, o: object, cb: (...a: unknown[]) => void) => void)(
        host,
        options,
        (error, ...result) => done({ error: error as Error | null, result }),
      ),
    );

  it("fails the connection's own resolution of a name that resolves to a refused address, in both callback forms", async () => {
    for (const options of [{ all: true }, {}]) {
      const { error } = await resolve(new NetworkPolicy(), "localhost", options);
      expect(error?.code).toBe("ELAUNCHREFUSED");
      expect(error?.message).toMatch(
        /^localhost: it is a (loopback|unspecified, loopback or IPv4-compatible) address$/,
      );
    }
  });

  it("hands an allowed address to the connection, as the form asked for", async () => {
    const policy = new NetworkPolicy(["127.0.0.1:80", "[::1]:80"]);
    const all = await resolve(policy, "localhost", { all: true });
    expect(all.error).toBeNull();
    expect(all.result[0]).toEqual(
      expect.arrayContaining([expect.objectContaining({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) })]),
    );
    const one = await resolve(policy, "localhost", {});
    expect(one.error).toBeNull();
    expect(one.result[0]).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect([4, 6]).toContain(one.result[1]);
  });
});

describe("NetworkPolicy", () => {
  it("classifies addresses, IPv4 inside IPv6 included, and honours exceptions", () => {
    const policy = new NetworkPolicy(["10.0.0.0/8", "[::1]:8000", "192.168.1.5"]);
    expect(policy.refusal("93.184.216.34", 80)).toBeUndefined();
    expect(policy.refusal("2606:2800:220:1:248:1893:25c8:1946", 443)).toBeUndefined();
    expect(policy.refusal("10.9.9.9", 1)).toBeUndefined();
    expect(policy.refusal("::1", 8000)).toBeUndefined();
    expect(policy.refusal("::1", 8001)).toMatch(/loopback/);
    expect(policy.refusal("192.168.1.5", 22)).toBeUndefined();
    expect(policy.refusal("192.168.1.6", 22)).toMatch(/private/);
    expect(policy.refusal("::ffff:169.254.169.254", 80)).toMatch(/link-local/);
    expect(policy.refusal("::ffff:a00:1", 80)).toBeUndefined(); // 10.0.0.1, allowed above
    expect(new NetworkPolicy().refusal("::ffff:a00:1", 80)).toMatch(/private/);
    expect(new NetworkPolicy().refusal("::", 80)).toMatch(/unspecified/);
  });
});
