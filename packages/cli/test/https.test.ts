// --https, --cert, --key: the certificate made at start, the files given, and what a wrong combination says.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { X509Certificate } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { selfSigned, tlsFromFlags } from "../src/https.ts";

const BIN = fileURLToPath(new URL("../bin/allo.mjs", import.meta.url));

describe("https for allo place and allo start", () => {
  it("makes a self-signed certificate for localhost and this machine's addresses, valid now", async () => {
    const tls = await selfSigned();
    const cert = new X509Certificate(tls.cert);
    expect(cert.subjectAltName).toContain("DNS:localhost");
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true); // signed with its own key
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3600 * 1000);
    expect(tls.generated).toBe(true);
  });

  it("says what to do when --cert comes without --key, or a file cannot be read", async () => {
    await expect(tlsFromFlags({ cert: "cert.pem" })).rejects.toThrow("--cert and --key go together");
    await expect(tlsFromFlags({ cert: "/nonexistent/cert.pem", key: "/nonexistent/key.pem" })).rejects.toThrow(
      "--cert: cannot read /nonexistent/cert.pem",
    );
    expect(await tlsFromFlags({})).toBeUndefined();
  });

  it("serves the certificate given with --cert/--key, and prints the https URL", { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "allo-tls-"));
    const tls = await selfSigned();
    writeFileSync(join(dir, "cert.pem"), tls.cert);
    writeFileSync(join(dir, "key.pem"), tls.key);
    const child = spawn(
      process.execPath,
      [
        BIN,
        "place",
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--cert",
        join(dir, "cert.pem"),
        "--key",
        join(dir, "key.pem"),
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ALLO_LOG_LEVEL: "warn" } },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    try {
      while (!/visit in VR at https:\/\/127\.0\.0\.1:\d+\//.test(stderr)) {
        if (child.exitCode !== null) throw new Error(`allo place exited ${child.exitCode}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(stderr).not.toContain("self-signed"); // the given certificate, not one made now
      const port = Number(/https:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)![1]);
      const served = await new Promise<string>((resolve, reject) => {
        const socket = tlsConnect(
          { host: "127.0.0.1", port, ca: tls.cert, checkServerIdentity: () => undefined },
          () => {
            resolve(socket.getPeerX509Certificate()!.fingerprint256);
            socket.end();
          },
        );
        socket.on("error", reject);
      });
      expect(served).toBe(new X509Certificate(tls.cert).fingerprint256);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("refuses --key alone with a readable message and exit code 2", { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, [BIN, "place", "--port", "0", "--key", "key.pem"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr).toContain("allo place: --cert and --key go together");
  });
});

describe("a place with tls, under hostile connections", () => {
  it(
    "survives a socket that closes before a byte, a broken handshake and garbage, and serves https and ws after",
    { timeout: 30_000 },
    async () => {
      const { startPlace } = await import("@allo/place");
      const { connect: netConnect } = await import("node:net");
      const tls = await selfSigned();
      const place = await startPlace({ port: 0, logLevel: "silent", tls });
      try {
        const raw = async (bytes: Buffer | undefined) => {
          const socket = netConnect(place.port, "127.0.0.1");
          await once(socket, "connect");
          if (bytes) socket.write(bytes);
          socket.end();
          socket.resume(); // read the answer (a 400, a TLS alert), or the socket never ends
          await once(socket, "close");
        };
        await raw(undefined);
        await raw(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3])); // a TLS record header, then nonsense
        await raw(Buffer.from("\x00\x01garbage\r\n\r\n"));
        const served = await new Promise<string>((resolve, reject) => {
          const socket = tlsConnect(
            { host: "127.0.0.1", port: place.port, ca: tls.cert, checkServerIdentity: () => undefined },
            () => {
              socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            },
          );
          let body = "";
          socket.on("data", (d) => (body += d));
          socket.on("end", () => resolve(body));
          socket.on("error", reject);
        });
        expect(served).toContain('"status":"ok"');
        expect(await (await fetch(`http://127.0.0.1:${place.port}/healthz`)).json()).toMatchObject({ status: "ok" });
      } finally {
        await place.close();
      }
    },
  );

  it("closes a connection that never sent a byte when the place closes", { timeout: 30_000 }, async () => {
    const { startPlace } = await import("@allo/place");
    const { connect: netConnect } = await import("node:net");
    const place = await startPlace({ port: 0, logLevel: "silent", tls: await selfSigned() });
    const silent = netConnect(place.port, "127.0.0.1");
    await once(silent, "connect");
    silent.resume();
    const closed = once(silent, "close");
    await place.close();
    await closed;
  });
});
