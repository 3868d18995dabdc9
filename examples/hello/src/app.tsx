// Hello, Allo: a button that counts how often it was poked.
// Run it: `npm start -- alloplace://localhost:21337` (or `allo run src/app.tsx <place-url>`).
import { createSignal } from "solid-js";
import { Button, View, Pose, isMain, runApp } from "@allo/ui";

export function App() {
  const [pokes, setPokes] = createSignal(0);
  return (
    <View pose={Pose.at(0, 1.4, -1.5)}>
      <Button
        size={[0.6, 0.2, 0.1]}
        label={pokes() === 0 ? "Poke me!" : `Poked ${pokes()} ${pokes() === 1 ? "time" : "times"}`}
        onActivated={() => setPokes((n) => n + 1)}
      />
    </View>
  );
}

if (isMain(import.meta.url)) void runApp(App);
