import { defineConfig } from "vitest/config";
import { alloSolid } from "@allo/ui/vite";

export default defineConfig({
  // Solid's JSX compiled for Allo, and one reactive Solid for the app and @allo/ui.
  plugins: [alloSolid()],
  test: {
    environment: "node",
    // The @allo packages ship TypeScript sources; let Vite compile them too.
    server: { deps: { inline: [/@allo\//] } },
    testTimeout: 20_000,
  },
});
