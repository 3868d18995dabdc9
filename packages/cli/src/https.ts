// `--https`, `--cert`, `--key`: a browser offers WebXR only on a secure origin, so a headset on the LAN needs the place
// over HTTPS. Either the given PEM files, or a self-signed certificate made now for this machine's names and addresses.
import { readFileSync } from "node:fs";
import { hostname, networkInterfaces } from "node:os";
import { generate } from "selfsigned";

export interface HttpsFlags {
  https?: boolean;
  cert?: string;
  key?: string;
}

export interface Tls {
  cert: string;
  key: string;
  /** Made now (the browser will ask once to trust it), not read from --cert/--key. */
  generated: boolean;
}

export const HTTPS_HELP = `  --https      also serve HTTPS and wss on the same port, with a self-signed certificate made at start
               (browsers offer WebXR only on a secure origin); listens on 0.0.0.0 unless --host is given
  --cert FILE  PEM certificate for HTTPS (with --key; implies --https)
  --key FILE   PEM private key for HTTPS`;

/** The TLS material the flags ask for, or undefined for plain HTTP. Throws a readable error. */
export async function tlsFromFlags(flags: HttpsFlags): Promise<Tls | undefined> {
  if (flags.cert === undefined && flags.key === undefined) return flags.https ? selfSigned() : undefined;
  if (flags.cert === undefined || flags.key === undefined)
    throw new Error("--cert and --key go together: give both PEM files, or --https alone for a generated certificate");
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(`${flag}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
    }
  };
  return { cert: read("--cert", flags.cert), key: read("--key", flags.key), generated: false };
}

/** A certificate for localhost, this machine's name and every address it has (the headset types one of them). */
export async function selfSigned(): Promise<Tls> {
  const name = hostname();
  const ips = ["127.0.0.1", "::1", ...lanAddresses()];
  const pems = await generate([{ name: "commonName", value: name }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 2, value: name },
          ...ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private, generated: true };
}

/** This machine's non-internal IPv4 addresses: what a headset on the same network can reach. */
export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) found.push(a.address);
  return found;
}

/** The https:// URLs to type into a headset, for a place listening on `host`:`port`. */
export function httpsUrls(host: string, port: number): string[] {
  const everywhere = host === "0.0.0.0" || host === "::";
  const hosts = everywhere ? [...lanAddresses(), "localhost"] : [host.includes(":") ? `[${host}]` : host];
  return hosts.map((h) => `https://${h}:${port}/`);
}
