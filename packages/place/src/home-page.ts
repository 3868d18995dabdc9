// The page at GET / until a visor is installed (startPlace({ httpHandler })): what this place is and how to join.
import type { PlaceInfo } from "./server.ts";

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function homePage(info: PlaceInfo): string {
  const name = escape(info.name);
  const url = escape(info.publicUrl);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name} — Allo place</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:.1em .3em}</style>
</head><body>
<h1>${name}</h1>
<p>An <strong>Allo place</strong>: a shared 3D world. ${info.agents} agent(s) connected, ${info.entities} entities, revision ${info.revision}.</p>
<h2>Connect</h2>
<p>Place URL: <code>${url}</code> (WebSocket: <code>${escape(info.url)}</code>).</p>
<p>Run an app in it: <code>npx allo run my-app.tsx ${url}</code></p>
<p>From code: <code>connect("${url}", { identity: { display_name: "me" }, avatar: {} })</code> with <code>@allo/client</code>.</p>
<p>Health: <a href="/healthz">/healthz</a>.</p>
</body></html>
`;
}
