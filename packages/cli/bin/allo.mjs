#!/usr/bin/env node
// The `allo` command. Allo ships TypeScript sources: tsx runs .ts, the Solid hook compiles app .tsx files.
import { register } from "tsx/esm/api";

register();
await import("@allo/ui/register");
const { main } = await import("../src/main.ts");
const code = await main(process.argv.slice(2));
// Long-running commands resolve once stopped; exit even if a library left a handle open.
process.exit(code);
