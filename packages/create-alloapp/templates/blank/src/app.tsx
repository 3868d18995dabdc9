// {{displayName}}: an empty surface to build on. `npm run dev` shows it in a place and reloads it as you save.
import { Pose, Surface, isMain, runApp } from "@allo/ui";

export default function App() {
  return <Surface pose={Pose.at(0, 1.4, -1.5)} size={[0.8, 0.5, 0.02]} />;
}

// Run directly (npm start, the gateway): connect to the place given on the command line or in ALLO_PLACE_URL.
if (isMain(import.meta.url)) void runApp(App);
