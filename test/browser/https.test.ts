// `allo place --https`: the visor over HTTPS with the certificate the command generated, its WebSocket over wss on the
// same port — a secure origin, where browsers offer WebXR — while plain http/ws go on working for local agents.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext } from "playwright-core";
import { connect, type AlloClient } from "@allo/client";
import { CHROMIUM, CHROMIUM_ARGS } from "./harness.ts";

/** A name for the place that is not localhost, mapped to 127.0.0.1 inside Chromium only. */
const LAN_NAME = "allo-lan.test";
const BIN = fileURLToPath(new URL("../../packages/cli/bin/allo.mjs", import.meta.url));

describe.skipIf(!existsSync(CHROMIUM))("allo place --https", { timeout: 60_000 }, () => {
  let child: ChildProcess;
  let stderr = "";
  let stdout = "";
  let printedUrl: URL;
  let secureUrl: URL;
  let wsUrl: string;
  let context: BrowserContext;
  let profile: string;
  let observer: AlloClient;

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [BIN, "place", "--https", "--auth", "open", "--port", "0", "--name", "Secure place"],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ALLO_LOG_LEVEL: "warn" } },
    );
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    await until(
      () => /visit in VR at https:\/\/localhost:\d+\//.test(stderr),
      () => `no https URL printed; stderr: ${stderr}`,
    );
    wsUrl = stdout.split("\n")[1];
    // The URL a headset would type (the first one printed: a LAN address, else localhost). The test's own traffic
    // stays on loopback: Chromium resolves LAN_NAME to 127.0.0.1, a name that is not localhost and so is only a
    // secure origin over https — what the headset sees at the LAN address.
    printedUrl = new URL(/visit in VR at (\S+)/.exec(stderr)![1]);
    secureUrl = new URL(`https://${LAN_NAME}:${printedUrl.port}/`);
    observer = await connect(wsUrl, { identity: { display_name: "observer on plain ws" } });
    profile = mkdtempSync(join(tmpdir(), "allo-chromium-"));
    // the certificate is self-signed: the test trusts it the way a person accepts it once in the headset
    const args = [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`];
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args,
      ignoreHTTPSErrors: true,
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await observer?.close();
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("listens on every interface and prints an https:// URL for each LAN address", () => {
    expect(stdout.split("\n")[0]).toMatch(/^alloplace:\/\/localhost:\d+$/);
    expect(wsUrl).toMatch(/^ws:\/\/localhost:\d+\/$/);
    expect(stderr).toContain("self-signed");
  });

  it("serves a certificate it generated for this machine's addresses", async () => {
    const cert = await peerCertificate("127.0.0.1", Number(printedUrl.port));
    expect(cert.subjectaltname).toContain("DNS:localhost");
    expect(cert.subjectaltname).toContain("IP Address:127.0.0.1");
    // the address printed for the headset is one the certificate names
    if (/^\d/.test(printedUrl.hostname)) expect(cert.subjectaltname).toContain(`IP Address:${printedUrl.hostname}`);
    expect(cert.issuer.CN).toBe(cert.subject.CN); // self-signed
  });

  it("loads the visor over https and connects over wss on the same port; another agent sees it arrive", async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${secureUrl.href}?name=secure%20visitor`);
    await page.waitForFunction(() => window.alloVisor?.state().phase === "connected", null, { timeout: 20_000 });
    const state = await page.evaluate(() => ({
      protocol: location.protocol,
      secure: window.isSecureContext,
      placeUrl: window.alloVisor.state().placeUrl,
      xr: "xr" in navigator,
    }));
    expect(state).toEqual({ protocol: "https:", secure: true, placeUrl: `wss://${secureUrl.host}/`, xr: true });
    await observer.waitForWorld(
      (w) => [...w.entities.values()].some((e) => e.components.visor?.display_name === "secure visitor"),
      { timeout: 10_000 },
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it("still serves plain http on the same port, which is not a secure origin on a LAN address", async () => {
    const page = await context.newPage();
    await page.goto(secureUrl.href.replace("https:", "http:"));
    await page.waitForFunction(() => window.alloVisor?.state().phase === "connected", null, { timeout: 20_000 });
    const secure = await page.evaluate(() => window.isSecureContext);
    expect(secure).toBe(false); // a name other than localhost is a secure origin only over https
    await page.close();
  });
});

function peerCertificate(host: string, port: number): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host, port, rejectUnauthorized: false, servername: /^\d/.test(host) ? undefined : host },
      () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      },
    );
    socket.on("error", reject);
  });
}

async function until(test: () => boolean, explain: () => string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > timeoutMs) throw new Error(explain());
    await new Promise((r) => setTimeout(r, 20));
  }
}
