// Types for babel-options.mjs.
export declare const JSX_MODULE: string;
export declare const JSX_FILE: RegExp;
export declare function compilesAsAlloJsx(path: string): boolean;
export declare function solidBabelOptions(filename: string, options?: { refresh?: boolean }): Record<string, unknown>;
