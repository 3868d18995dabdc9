// The dial: 12 hour markers in a ring and three hands turning about the dial's centre.
import { For, type JSX } from "solid-js";
import { Box, Pose, View, palette } from "@allo/ui";

export const DIAL_RADIUS = 0.4;
const MARKER_RADIUS = 0.36;

/** Angles (radians, clockwise from 12 o'clock) of the three hands at a time of day. */
export function handAngles(hours: number, minutes: number, seconds: number) {
  const turn = Math.PI * 2;
  return {
    hour: (((hours % 12) + minutes / 60) / 12) * turn,
    minute: ((minutes + seconds / 60) / 60) * turn,
    second: (seconds / 60) * turn,
  };
}

/** A marker sized at the origin, moved out along +Y, turned about the centre: "size, rotate, move" (alloui). */
export function markerPose(hour: number): Pose {
  return Pose.at(0, MARKER_RADIUS, 0).rotate((-hour / 12) * Math.PI * 2, [0, 0, 1]);
}

function Hand(props: {
  angle: number;
  length: number;
  width: number;
  z: number;
  color: [number, number, number, number];
}): JSX.Element {
  // Half the hand above the pivot, then turned clockwise (negative about +Z, which faces the viewer).
  return (
    <Box
      pose={Pose.at(0, props.length / 2, props.z).rotate(-props.angle, [0, 0, 1])}
      size={[props.width, props.length, 0.01]}
      color={props.color}
    />
  );
}

export function ClockFace(props: {
  hours: number;
  minutes: number;
  seconds: number;
  position?: [number, number, number];
}): JSX.Element {
  const angles = () => handAngles(props.hours, props.minutes, props.seconds);
  return (
    <View position={props.position}>
      <For each={Array.from({ length: 12 }, (_, i) => i)}>
        {(hour) => (
          <Box
            pose={markerPose(hour)}
            size={hour % 3 === 0 ? [0.03, 0.07, 0.01] : [0.02, 0.04, 0.01]}
            color={palette.lightGray}
          />
        )}
      </For>
      <Hand angle={angles().hour} length={0.2} width={0.03} z={0.01} color={palette.white} />
      <Hand angle={angles().minute} length={0.3} width={0.02} z={0.02} color={palette.lightBlue} />
      <Hand angle={angles().second} length={0.33} width={0.008} z={0.03} color={palette.lightPink} />
    </View>
  );
}
