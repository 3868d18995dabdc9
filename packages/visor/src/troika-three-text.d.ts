// The part of troika-three-text the visor uses (its shipped .d.ts types Text as a plain class, not a Mesh).
declare module "troika-three-text" {
  import type { BufferGeometry, DataTexture, Material, Mesh, Object3DEventMap } from "three";
  export interface TextEventMap extends Object3DEventMap {
    syncstart: object;
    synccomplete: object;
  }
  export class Text extends Mesh<BufferGeometry, Material, TextEventMap> {
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
    hasOutline(): boolean;
    /** Sets the material's uniforms from this text's layout (called before each render). */
    _prepareForRender(material: Material): void;
  }
  /** Many Text members drawn in one call; members are not children, their `matrix` places them in the batch. */
  export class BatchedText extends Text {
    addText(text: Text): void;
    removeText(text: Text): void;
    protected _members: Map<Text, { index: number; dirty: boolean }>;
    protected _dataTextures: { main?: DataTexture; outline?: DataTexture };
  }
  export function configureTextBuilder(config: {
    defaultFontURL?: string | null;
    useWorker?: boolean;
    sdfGlyphSize?: number;
    unicodeFontsURL?: string;
  }): void;
}
