// The bundled table: year, month, temperature. A tiny CSV reader (no quoting needed for numbers).
import { readFileSync } from "node:fs";

export interface Row {
  year: number;
  month: number;
  value: number;
}

/** Parses `year,month,value` lines after a header. Throws on a malformed line, naming it. */
export function parseCsv(text: string): Row[] {
  const lines = text.trim().split(/\r?\n/).slice(1);
  return lines.map((line, i) => {
    const [year, month, value] = line.split(",").map(Number);
    if (![year, month, value].every(Number.isFinite))
      throw new Error(`temperatures.csv line ${i + 2} is not "year,month,value": ${line}`);
    return { year, month, value };
  });
}

export function loadRows(): Row[] {
  return parseCsv(readFileSync(new URL("../data/temperatures.csv", import.meta.url), "utf8"));
}
