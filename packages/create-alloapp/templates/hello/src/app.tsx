// {{displayName}}: greets whoever launched it, and counts pokes on its button.
// `npm run dev` shows it in a place on this machine and reloads it as you save.
import { createSignal } from "solid-js";
import { Button, Label, Pose, Surface, isMain, runApp, useLaunchedBy } from "@allo/ui";

export default function App() {
  const launchedBy = useLaunchedBy();
  const name = typeof launchedBy?.display_name === "string" ? launchedBy.display_name : undefined;
  const [pokes, setPokes] = createSignal(0);
  return (
    <Surface pose={Pose.at(0, 1.4, -1.5)} size={[0.8, 0.5, 0.02]}>
      <Label
        pose={Pose.at(0, 0.12, 0.02)}
        size={[0.7, 0.08, 0.01]}
        text={name ? `Hello, ${name}!` : "Hello from {{displayName}}!"}
      />
      <Button
        pose={Pose.at(0, -0.08, 0.05)}
        size={[0.5, 0.14, 0.08]}
        label={pokes() === 0 ? "Poke me" : `Poked ${pokes()} ${pokes() === 1 ? "time" : "times"}`}
        onActivated={() => setPokes((n) => n + 1)}
      />
    </Surface>
  );
}

// Run directly (npm start, the gateway): connect to the place given on the command line or in ALLO_PLACE_URL.
if (isMain(import.meta.url)) void runApp(App);
