// text component → crisp SDF text (troika-three-text) of the given height, alignment and wrap
// (alloverse-protocol-facts.md §8: string, height, wrap, width, halign, valign, fitToWidth, insertionMarker).
// The font ships with the visor (no network: troika would otherwise fetch one from a CDN).
import { Text, configureTextBuilder } from "troika-three-text";
import type { TextComponent } from "@allo/protocol";
import fontUrl from "@fontsource/inter/files/inter-latin-400-normal.woff?url";

configureTextBuilder({ defaultFontURL: fontUrl, useWorker: true });

const DEFAULT_HEIGHT = 0.1;

export interface TextView {
  readonly mesh: Text;
  /** The string now on screen (after the glyph layout finished), or undefined before the first layout. */
  readonly shown: string | undefined;
}

export class SdfText implements TextView {
  readonly mesh = new Text();
  shown: string | undefined;
  private wanted = "";

  constructor(private readonly onLaidOut: () => void) {
    this.mesh.font = fontUrl;
  }

  update(component: TextComponent, color: [number, number, number, number]): void {
    const mesh = this.mesh;
    const height = positive(component.height, DEFAULT_HEIGHT);
    const width = positive(component.width, 0);
    const halign = component.halign === "left" || component.halign === "right" ? component.halign : "center";
    const valign = component.valign === "top" || component.valign === "bottom" ? component.valign : "middle";
    this.wanted = String(component.string ?? "") + (component.insertionMarker ? "|" : "");
    mesh.text = this.wanted;
    mesh.fontSize = height;
    mesh.lineHeight = 1.2;
    mesh.maxWidth = component.wrap && width > 0 ? width : Infinity;
    mesh.textAlign = halign;
    // The entity's origin is the anchor: the box's centre for "center", its left/right edge otherwise (alloui Label).
    mesh.anchorX = halign === "center" ? "center" : halign === "left" ? (width > 0 ? -width / 2 : "left") : width > 0 ? width / 2 : "right";
    mesh.anchorY = valign;
    mesh.color = (Math.round(color[0] * 255) << 16) | (Math.round(color[1] * 255) << 8) | Math.round(color[2] * 255);
    mesh.fillOpacity = color[3];
    const fitToWidth = component.fitToWidth === true && width > 0;
    mesh.sync(() => {
      if (mesh.text !== this.wanted) return; // a newer update is on its way
      const bounds = mesh.textRenderInfo?.blockBounds;
      const blockWidth = bounds ? bounds[2] - bounds[0] : 0;
      const scale = fitToWidth && blockWidth > width ? width / blockWidth : 1;
      mesh.scale.setScalar(scale);
      this.shown = mesh.text;
      this.onLaidOut();
    });
  }

  dispose(): void {
    this.mesh.dispose();
  }
}

function positive(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : fallback;
}
