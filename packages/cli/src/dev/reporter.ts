// What `allo dev` says in the terminal: each reload, and each syntax or runtime error in full, once, with the
// reassurance that the last good version keeps running.
import type { Writable } from "node:stream";

const RED = "\x1b[31m";
const GREEN = "\x1b[32m";
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

export class DevReporter {
  private lastChangeAt: number | undefined;
  private readonly color: boolean;

  constructor(private readonly out: Writable & { isTTY?: boolean }) {
    this.color = Boolean(out.isTTY) && !process.env.NO_COLOR;
  }

  started(entry: string, avatarId: string | undefined): void {
    this.line(
      `${this.paint(GREEN, "✓")} running ${entry}${avatarId ? ` (avatar ${avatarId})` : ""}; watching for changes`,
    );
  }

  reloaded(path: string): void {
    const since = this.lastChangeAt;
    this.lastChangeAt = undefined;
    const took = since === undefined ? "" : this.paint(DIM, ` ${Date.now() - since} ms after saving`);
    this.line(`${this.paint(GREEN, "✓")} hot updated ${path}${took}`);
  }

  failed(what: string, error: unknown, next = "the last good version keeps running; save again to retry"): void {
    const err = error as {
      message?: string;
      frame?: string;
      loc?: { file?: string; line?: number; column?: number };
      stack?: string;
    };
    const where = err?.loc?.file ? ` at ${err.loc.file}:${err.loc.line}:${err.loc.column}` : "";
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(err?.message ?? error);
    const lines = [`${this.paint(RED, "✗")} ${what}${where}`, indent(message)];
    if (err?.frame) lines.push(indent(err.frame));
    else if (err?.stack) lines.push(this.paint(DIM, indent(err.stack.split("\n").slice(1, 6).join("\n"))));
    lines.push(this.paint(DIM, `  ${next}`));
    this.line(lines.join("\n"));
  }

  /** A file was saved at `timestamp`: the next reload line says how long it took. */
  changed(timestamp: number): void {
    this.lastChangeAt = timestamp;
  }

  /** The module runner's HMR logger: "hot updated" becomes our line, failures become our error report. */
  hmrLogger(onReloaded: () => void = () => {}): { error(msg: string | Error): void; debug(...msg: unknown[]): void } {
    let lastError: unknown;
    // After a failed fetch Vite still runs the update (without a module) and logs "hot updated", then solid-refresh
    // asks for a full reload that fails the same way: one report per broken save is enough.
    const failed = new Set<string>();
    let broken = false;
    return {
      error: (msg) => {
        const text = typeof msg === "string" ? msg : "";
        if (text.startsWith("Failed to reload ")) {
          const path = text.slice("Failed to reload ".length).split(". ")[0];
          failed.add(path);
          broken = true;
          this.failed(`could not reload ${path}`, lastError ?? msg);
          lastError = undefined;
        } else if (text.startsWith("An error happened during full reload")) {
          if (!broken) this.failed("could not reload the app", text.split("\n").slice(1).join("\n"));
        } else lastError = msg;
      },
      debug: (...msg) => {
        const text = msg.map(String).join(" ");
        if (!text.startsWith("hot updated: ")) return;
        const path = text.slice("hot updated: ".length);
        if (failed.delete(path.split(" via ")[0])) return;
        failed.clear();
        broken = false;
        this.reloaded(path);
        onReloaded();
      },
    };
  }

  private line(text: string): void {
    this.out.write(text + "\n");
  }

  private paint(code: string, text: string): string {
    return this.color ? code + text + RESET : text;
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => "    " + l)
    .join("\n");
}
