// Property animations (docs/protocol.md §6.2): easings, key paths, interpolation, descriptor validation, one step.
export { EASING_NAMES, ease, easingFormula, isEasingName, type Easing, type EasingName } from "./easings.ts";
export {
  MAX_PATH_LENGTH,
  MAX_SEGMENT_LENGTH,
  matrixRotation,
  parseKeyPath,
  readKeyPath,
  resolveKeyPath,
  rotationToQuat,
  stillFits,
  valueKind,
  writeFiniteKeyPath,
  writeKeyPath,
  writeMatrixPart,
  type AnimationKind,
  type AnimationResult,
  type Axis,
  type KeyPath,
  type MatrixPart,
  type ResolvedPath,
} from "./key-path.ts";
export { interpolate, sampleAnimation, type AnimationSample, type AnimationTiming } from "./interpolate.ts";
export {
  DESCRIPTOR_FIELDS,
  MAX_ANIMATED_MAGNITUDE,
  MAX_DURATION_SECONDS,
  checkAnimationTarget,
  descriptorJson,
  validateAnimationDescriptor,
  type PropertyAnimation,
} from "./descriptor.ts";
export { stepAnimation, type AnimationStep } from "./apply.ts";
