// Tokens of the pattern language, each with its line and column (1-based) for precise errors (docs/protocol.md §4).
import type { Literal } from "./ast.ts";

export type TokenKind = "punct" | "op" | "string" | "number" | "word" | "eof";
export interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value of a string or number token. */
  value?: Literal;
  line: number;
  column: number;
}

/** A syntax error at a position; parsePattern turns it into an error value. */
export class PatternSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = "PatternSyntaxError";
  }
}

const PUNCT = ["...", "[", "]", "{", "}", "(", ")", ",", ":"];
const OPS = ["==", "!=", "<=", ">=", "<", ">"];
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = () => ({ line, column: i - lineStart + 1 });
  const failAt = (message: string, index: number): never => {
    throw new PatternSyntaxError(message, line, index - lineStart + 1);
  };
  const fail = (message: string): never => failAt(message, i);

  while (i < source.length) {
    const c = source[i];
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    const at = here();
    const punct = PUNCT.find((p) => source.startsWith(p, i));
    if (punct) {
      tokens.push({ kind: "punct", text: punct, ...at });
      i += punct.length;
      continue;
    }
    const op = OPS.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ kind: "op", text: op, ...at });
      i += op.length;
      continue;
    }
    if (c === '"') {
      const end = scanString(source, i, failAt);
      const text = source.slice(i, end);
      tokens.push({ kind: "string", text, value: JSON.parse(text) as string, ...at });
      i = end;
      continue;
    }
    if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(source);
      if (!m) fail(`"${c}" does not start a number`);
      const text = m![0];
      const value = Number(text);
      if (!Number.isFinite(value)) fail(`number ${text} is out of range`);
      tokens.push({ kind: "number", text, value, ...at });
      i += text.length;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(source);
    if (word) {
      tokens.push({ kind: "word", text: word[0], ...at });
      i += word[0].length;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ kind: "eof", text: "end of pattern", ...here() });
  return tokens;
}

/** The index just past the closing quote of a JSON string starting at `start`; JSON's escape rules. */
function scanString(source: string, start: number, failAt: (message: string, index: number) => never): number {
  let i = start + 1;
  const fail = (message: string): never => failAt(message, i);
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) fail("a string may not contain a raw control character or line break (use \\n)");
    if (c === 0x5c) {
      const next = source[i + 1];
      if (next === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) fail("\\u must be followed by 4 hex digits");
        i += 6;
        continue;
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) fail(`invalid escape \\${next ?? ""} in string`);
      i += 2;
      continue;
    }
    i++;
  }
  return failAt('string is not closed (missing ")', start);
}
