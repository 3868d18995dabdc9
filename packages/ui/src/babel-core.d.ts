// The one @babel/core function Allo uses (@babel/core ships no types; @types/babel__core is not installed).
declare module "@babel/core" {
  export function transformAsync(
    code: string,
    options: Record<string, unknown>,
  ): Promise<{ code?: string | null; map?: import("vite").Rollup.SourceMapInput } | null>;
}
