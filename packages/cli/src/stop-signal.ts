// Ctrl-C and SIGTERM for long-running commands. Listen before printing anything a script could react to: a signal that
// arrives between the printed URL and the listener would otherwise kill the process the default way (no clean close).

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once with 130 (do not wait for a slow close). */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
