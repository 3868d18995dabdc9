// @allo/cli as a library: the command table and main(), for tests and wrappers.
export { main, commands, usage, type Command } from "./main.ts";
export { placeCommand, PLACE_USAGE } from "./commands/place.ts";
