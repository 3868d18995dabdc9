// RGBA colours (0..1) and the Alloverse palette (alloui's named colours).
export type Rgba = [number, number, number, number];
export type ColorLike = Rgba | string;

/** "#RRGGBB", "RRGGBBAA" or an RGBA array → RGBA array. */
export function rgba(color: ColorLike): Rgba {
  if (Array.isArray(color)) return color;
  const hex = color.replace(/^#/, "");
  if (!/^([0-9a-f]{6}|[0-9a-f]{8})$/i.test(hex))
    throw new Error(`"${color}" is not a colour: use "#RRGGBB", "RRGGBBAA" or [r, g, b, a].`);
  const n = (i: number) => Math.round((parseInt(hex.slice(i, i + 2), 16) / 255) * 1000) / 1000;
  return [n(0), n(2), n(4), hex.length === 8 ? n(6) : 1];
}

/** The colour multiplied by `factor` (alpha kept at 1): alloui's highlight (0.8) and pressed (0.6) looks. */
export function shade(color: ColorLike, factor: number): Rgba {
  const [r, g, b] = rgba(color);
  return [r * factor, g * factor, b * factor, 1];
}

export const palette = {
  lightPink: rgba("E7AADA"),
  darkPink: rgba("B98FDA"),
  lightGray: rgba("C8D0E0"),
  darkGray: rgba("A9B6D1"),
  lightBlue: rgba("CDEBFA"),
  darkBlue: rgba("9ACCF1"),
  white: rgba("FAFFFA"),
  dark: rgba("0C2B48"),
} as const;
