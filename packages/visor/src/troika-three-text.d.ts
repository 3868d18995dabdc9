// The part of troika-three-text the visor uses (its shipped .d.ts types Text as a plain class, not a Mesh).
declare module "troika-three-text" {
  import type { Mesh } from "three";
  export class Text extends Mesh {
    text: string;
    font: string | null;
    fontSize: number;
    lineHeight: number | "normal";
    maxWidth: number;
    textAlign: "left" | "right" | "center" | "justify";
    anchorX: number | "left" | "center" | "right" | string;
    anchorY: number | "top" | "top-baseline" | "top-cap" | "top-ex" | "middle" | "bottom-baseline" | "bottom" | string;
    color: number | string;
    fillOpacity: number;
    textRenderInfo: { blockBounds: [number, number, number, number] } | null;
    sync(callback?: () => void): void;
    dispose(): void;
  }
  export function configureTextBuilder(config: { defaultFontURL?: string | null; useWorker?: boolean; sdfGlyphSize?: number; unicodeFontsURL?: string }): void;
}
