// The settings popup: shift the time zone by half hours, then close. Grabbable, placed near the hand that asked.
import type { JSX } from "solid-js";
import { Box, Button, Label, palette, type PoseLike } from "@allo/ui";

export function formatOffset(hours: number): string {
  const sign = hours < 0 ? "−" : "+";
  const abs = Math.abs(hours);
  return `UTC${sign}${Math.floor(abs)}:${abs % 1 ? "30" : "00"}`;
}

export function Settings(props: {
  pose: PoseLike;
  offset: number;
  onChange: (offset: number) => void;
  onClose: () => void;
}): JSX.Element {
  return (
    <Box pose={props.pose} size={[0.6, 0.4, 0.04]} color={palette.dark} grabbable>
      <Label text="Time zone" position={[0, 0.13, 0.03]} size={[0.5, 0.06, 0.01]} />
      <Label text={formatOffset(props.offset)} position={[0, 0.03, 0.03]} size={[0.3, 0.08, 0.01]} />
      <Button
        label="−"
        position={[-0.21, 0.03, 0.03]}
        size={[0.1, 0.1, 0.04]}
        onActivated={() => props.onChange(props.offset - 0.5)}
      />
      <Button
        label="+"
        position={[0.21, 0.03, 0.03]}
        size={[0.1, 0.1, 0.04]}
        onActivated={() => props.onChange(props.offset + 0.5)}
      />
      <Button label="Close" position={[0, -0.12, 0.03]} size={[0.3, 0.08, 0.04]} onActivated={() => props.onClose()} />
    </Box>
  );
}
