export { Pose, IDENTITY, matrixOf, worldMatrix, type PoseLike } from "./pose.ts";
export { Bounds, edge, type Horizontal, type Vertical, type Depth } from "./bounds.ts";
export { rgba, shade, palette, type Rgba, type ColorLike } from "./color.ts";
export { boxGeometry, quadGeometry, boxCollider } from "./geometry.ts";
