// `node --import @allo/ui/register app.tsx`: compiles .tsx/.jsx with Solid's universal JSX and gives
// solid-js alone its reactive build. A global --conditions=browser would also break `ws`
// (docs/renderer.md, "Compiling").
import { register } from "node:module";

register("./solid-hooks.mjs", import.meta.url);
