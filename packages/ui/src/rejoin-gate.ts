// Interactions that arrive while the app re-joins a place that came back (after the announce, before the renderer
// has mapped the new ids): held, at most 256, and routed once the tree has its new ids, so an early poke is answered.
import type { UiIncomingInteraction } from "./client.ts";

const HELD_LIMIT = 256;

export class RejoinGate {
  private readonly held: UiIncomingInteraction[] = [];

  constructor(
    private readonly isOpen: () => boolean,
    private readonly route: (interaction: UiIncomingInteraction) => void,
  ) {}

  receive(interaction: UiIncomingInteraction): void {
    if (this.isOpen() && this.held.length === 0) return this.route(interaction);
    if (this.held.length < HELD_LIMIT) return void this.held.push(interaction);
    if (interaction.type === "request")
      interaction.respond?.([interaction.body[0], "failed", "the app is reconnecting; try again"]);
  }

  /** The tree has its ids again: route what was held, in order. */
  release(): void {
    for (const interaction of this.held.splice(0)) this.route(interaction);
  }
}
