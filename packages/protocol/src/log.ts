// Leveled logs on stderr, shared by every Allo process (place, gateway, cli, apps).
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
  level: LogLevel;
}

function envLevel(): LogLevel {
  const env = typeof process !== "undefined" ? process.env?.ALLO_LOG_LEVEL : undefined;
  return env && env in ORDER ? (env as LogLevel) : "info";
}

/** A logger writing `LEVEL scope: message {fields}` lines to stderr. Level from options, else ALLO_LOG_LEVEL, else info. */
export function createLogger(
  scope: string,
  level: LogLevel = envLevel(),
  write: (line: string) => void = writeStderr,
): Logger {
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < ORDER[logger.level]) return;
    const extra = fields && Object.keys(fields).length ? " " + safeJson(fields) : "";
    write(`${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} ${scope}: ${message}${extra}`);
  };
  const logger: Logger = {
    level,
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (sub) => createLogger(`${scope}/${sub}`, logger.level, write),
  };
  return logger;
}

function writeStderr(line: string): void {
  if (typeof process !== "undefined" && process.stderr) process.stderr.write(line + "\n");
  else console.error(line);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (v instanceof Error ? { message: v.message } : v));
  } catch {
    return "[unserializable]";
  }
}
