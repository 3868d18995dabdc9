#!/usr/bin/env node
// `npx create-alloapp my-app`: runs the TypeScript sources through tsx (Allo packages ship TS, docs/architecture.md).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
