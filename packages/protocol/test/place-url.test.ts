import { describe, expect, it } from "vitest";
import { PlaceUrlError, parseAppUrl, parsePlaceUrl } from "../src/index.ts";

describe("parsePlaceUrl (docs/protocol.md §1)", () => {
  it.each([
    ["alloplace://localhost", "ws://localhost:21337/"],
    ["alloplace://localhost/", "ws://localhost:21337/"],
    ["alloplace://example.org:9000", "ws://example.org:9000/"],
    ["alloplace://example.org:80/rooms/a", "ws://example.org:80/rooms/a"],
    ["alloplace://example.org/rooms/a?x=1#frag", "ws://example.org:21337/rooms/a?x=1"],
    ["alloplace://[::1]:4000/", "ws://[::1]:4000/"],
    ["alloplace://[::1]", "ws://[::1]:21337/"],
    ["ALLOPLACE://Host", "ws://host:21337/"],
    ["  alloplace://h  ", "ws://h:21337/"],
    ["ws://127.0.0.1:21337/", "ws://127.0.0.1:21337/"],
    ["ws://127.0.0.1", "ws://127.0.0.1:21337/"],
    ["ws://127.0.0.1:80/x", "ws://127.0.0.1:80/x"],
    ["wss://place.example.org", "wss://place.example.org:443/"],
    ["wss://place.example.org:8443/p", "wss://place.example.org:8443/p"],
    ["http://localhost:21337/", "ws://localhost:21337/"],
    ["http://localhost", "ws://localhost:21337/"],
    ["https://place.example.org/", "wss://place.example.org:443/"],
    ["localhost", "ws://localhost:21337/"],
    ["localhost:9000", "ws://localhost:9000/"],
    ["10.0.0.2:9000/room", "ws://10.0.0.2:9000/room"],
  ])("%s → %s", (input, expected) => {
    const url = parsePlaceUrl(input);
    // URL drops default ports from href, so compare the parts.
    expect(
      `${url.protocol}//${url.hostname}:${url.port || (url.protocol === "wss:" ? "443" : "80")}${url.pathname}${url.search}`,
    ).toBe(expected);
  });

  it.each([
    ["", "a place URL is required, e.g. alloplace://localhost"],
    ["ftp://host", '"ftp://host" has scheme ftp://; a place URL is alloplace://, ws://, wss://, http:// or https://'],
    [
      "mailto:me@example.org",
      '"mailto:me@example.org" is not a place URL: use alloplace://host[:port][/path], ws:// or wss://',
    ],
    ["alloplace://", '"alloplace://" has no host: use alloplace://host[:port][/path]'],
    [
      "alloplace://host:99999",
      '"alloplace://host:99999" is not a valid URL: use alloplace://host[:port][/path], ws:// or wss://',
    ],
    ["ws://ho st", '"ws://ho st" is not a valid URL: use alloplace://host[:port][/path], ws:// or wss://'],
  ])("refuses %j with a readable PlaceUrlError", (input, message) => {
    expect(() => parsePlaceUrl(input)).toThrow(PlaceUrlError);
    expect(() => parsePlaceUrl(input)).toThrow(message);
  });
});

describe("parseAppUrl (docs/protocol.md §8)", () => {
  it.each([
    ["alloapp:http://localhost:8000/clock", "http://localhost:8000/clock"],
    ["alloapp:http://localhost:8000", "http://localhost:8000/"],
    ["alloapp:https://apps.example.org/a?x=1#f", "https://apps.example.org/a?x=1"],
  ])("%s → %s", (input, expected) => {
    expect(parseAppUrl(input).href).toBe(expected);
  });

  it.each([
    ["http://localhost:8000", '"http://localhost:8000" is not an app URL: use alloapp:http://host:port/path'],
    ["alloapp:ftp://x", '"alloapp:ftp://x" must hold an http:// or https:// URL after "alloapp:", not ftp://'],
    ["alloapp:", '"alloapp:" does not hold a valid http(s) URL after "alloapp:"'],
  ])("refuses %j", (input, message) => {
    expect(() => parseAppUrl(input)).toThrow(PlaceUrlError);
    expect(() => parseAppUrl(input)).toThrow(message);
  });
});
