// An app's durable key-value store: one SQLite file (WAL) under its data directory, values as JSON, keyed by scope
// (the place, by default) and key. Writes made in one tick go to disk in one transaction.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { Json } from "@allo/protocol";
import { appNameFor } from "./run-app.ts";

/** Where an app keeps its data: ALLO_DATA_DIR, else $XDG_DATA_HOME/allo/<app name> (~/.local/share/allo/<app name>). */
export function appDataDir(env = process.env, entry = process.argv[1]): string {
  if (env.ALLO_DATA_DIR) return resolve(env.ALLO_DATA_DIR);
  const name = appNameFor(entry) ?? (entry ? basename(dirname(entry)) : "");
  const safe = name.replace(/[^\w.-]+/g, "_") || "app";
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "allo", safe);
}

export class AppStore {
  private readonly db: BetterSqlite3.Database;
  private readonly select: BetterSqlite3.Statement<[string, string], { value: string }>;
  private readonly upsert: BetterSqlite3.Statement<[string, string, string]>;
  private readonly pending = new Map<string, { scope: string; key: string; value: string }>();
  private scheduled = false;
  /** Transactions committed (one per tick that wrote anything). */
  transactions = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    // Loaded on first use: an app that stores nothing never loads the native module.
    const Database = loadSqlite();
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // In WAL mode NORMAL survives the process being killed; only a power loss may undo the last transactions.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000"); // instances of one app in several places share the file
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS stored_signals (scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (scope, key))",
    );
    this.select = this.db.prepare("SELECT value FROM stored_signals WHERE scope = ? AND key = ?");
    this.upsert = this.db.prepare(
      "INSERT INTO stored_signals (scope, key, value) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
    );
  }

  /** The stored value, or undefined. A pending write is what will be stored, so it wins. */
  read(scope: string, key: string): Json | undefined {
    const pending = this.pending.get(JSON.stringify([scope, key]));
    const text = pending?.value ?? this.select.get(scope, key)?.value;
    return text === undefined ? undefined : (JSON.parse(text) as Json);
  }

  /** Stores `value` at the end of this tick, with every other write of the tick. */
  write(scope: string, key: string, value: Json): void {
    this.pending.set(JSON.stringify([scope, key]), { scope, key, value: JSON.stringify(value) });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes what is pending now, in one transaction. */
  flush(): void {
    this.scheduled = false;
    if (!this.pending.size || !this.db.open) return;
    const writes = [...this.pending.values()];
    this.pending.clear();
    this.db.transaction(() => {
      for (const { scope, key, value } of writes) this.upsert.run(scope, key, value);
    })();
    this.transactions++;
  }

  close(): void {
    this.flush();
    if (this.db.open) this.db.close();
  }
}

const stores = new Map<string, AppStore>();

/** The store in `dir` (one per process and directory), flushed when the process exits. */
export function appStoreIn(dir: string): AppStore {
  const path = join(dir, "stored-signals.sqlite");
  let store = stores.get(path);
  if (!store) {
    store = new AppStore(path);
    stores.set(path, store);
    if (stores.size === 1)
      process.once("exit", () => {
        for (const s of stores.values()) s.close();
      });
  }
  return store;
}

/**
 * better-sqlite3 is an optional peer of @allo/ui: a native module that compiles where no prebuilt binary can be
 * fetched, so only apps that store signals install it.
 */
function loadSqlite(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    throw new Error(
      "createStoredSignal keeps its values in SQLite: add it to the app with `npm install better-sqlite3@12` (12.x runs on Node 20)",
      { cause: e },
    );
  }
}
