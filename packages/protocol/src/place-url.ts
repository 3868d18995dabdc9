// Place and app URLs (docs/protocol.md §1, §8).
import { DEFAULT_PORT } from "./types.ts";

export class PlaceUrlError extends Error {
  override name = "PlaceUrlError";
}

const SCHEMES: Record<string, "ws:" | "wss:"> = {
  "alloplace:": "ws:",
  "ws:": "ws:",
  "http:": "ws:",
  "wss:": "wss:",
  "https:": "wss:",
};

/**
 * `alloplace://host[:port][/path]` → `ws://host:port/path`; `ws://` and `wss://` as they are; `http(s)://` → `ws(s)://`;
 * a bare `host[:port][/path]` is read as alloplace. Without a port: 21337, except wss/https which keep 443.
 * Throws PlaceUrlError saying what is wrong.
 */
export function parsePlaceUrl(input: string): URL {
  if (typeof input !== "string" || input.trim() === "")
    throw new PlaceUrlError("a place URL is required, e.g. alloplace://localhost");
  let text = input.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(text))
      throw new PlaceUrlError(`"${input}" is not a place URL: use alloplace://host[:port][/path], ws:// or wss://`);
    text = `alloplace://${text}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PlaceUrlError(`"${input}" is not a valid URL: use alloplace://host[:port][/path], ws:// or wss://`);
  }
  const protocol = SCHEMES[url.protocol];
  if (!protocol)
    throw new PlaceUrlError(
      `"${input}" has scheme ${url.protocol}//; a place URL is alloplace://, ws://, wss://, http:// or https://`,
    );
  if (!url.hostname) throw new PlaceUrlError(`"${input}" has no host: use alloplace://host[:port][/path]`);
  const explicitPort = explicitPortOf(text);
  const port = explicitPort ?? (protocol === "wss:" ? "" : String(DEFAULT_PORT));
  const path = url.pathname === "" ? "/" : url.pathname;
  let result: URL;
  try {
    result = new URL(`${protocol}//${url.host.replace(/:\d*$/, "")}${port ? ":" + port : ""}${path}${url.search}`);
  } catch {
    throw new PlaceUrlError(`"${input}" is not a valid place URL`);
  }
  return result;
}

/** The port as written in the URL's authority, or undefined; URL() drops ports equal to the scheme's default. */
function explicitPortOf(text: string): string | undefined {
  const authority = text
    .replace(/^[^:]+:\/\//, "")
    .split(/[/?#]/, 1)[0]
    .replace(/^.*@/, "");
  const hostEnd = authority.startsWith("[") ? authority.indexOf("]") + 1 : 0;
  const match = /:(\d+)$/.exec(authority.slice(hostEnd));
  return match ? String(Number(match[1])) : undefined;
}

/** `alloapp:http(s)://host:port/path` → the URL the place POSTs to (docs/protocol.md §8.1). Path defaults to `/`. */
export function parseAppUrl(input: string): URL {
  if (typeof input !== "string" || !input.startsWith("alloapp:")) {
    throw new PlaceUrlError(`"${String(input)}" is not an app URL: use alloapp:http://host:port/path`);
  }
  let url: URL;
  try {
    url = new URL(input.slice("alloapp:".length));
  } catch {
    throw new PlaceUrlError(`"${input}" does not hold a valid http(s) URL after "alloapp:"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new PlaceUrlError(`"${input}" must hold an http:// or https:// URL after "alloapp:", not ${url.protocol}//`);
  }
  if (!url.hostname) throw new PlaceUrlError(`"${input}" has no host`);
  url.hash = "";
  return url;
}
