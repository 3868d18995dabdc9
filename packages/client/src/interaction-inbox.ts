// Incoming interactions, held until the app listens: what arrives between the announce and the first
// interactions$ subscriber (the rest of connect(), an app still mounting) is delivered then, not lost.
import { Observable, Subject } from "rxjs";

/** How many interactions are held before there is a subscriber; beyond it the oldest are dropped. */
export const HELD_INTERACTIONS_LIMIT = 256;

export class InteractionInbox<T> {
  /** Hot after its first subscriber: what arrives later goes only to those subscribed at the time. */
  readonly stream: Observable<T>;
  private readonly subject = new Subject<T>();
  /** null once released to the first subscriber. */
  private held: T[] | null = [];
  private completeHeld = false;
  /** Dropped by the limit while held. */
  dropped = 0;

  constructor(
    private readonly limit: number,
    /** Called with each value the limit pushes out (oldest first), before anyone heard of it. */
    private readonly onDrop: (value: T, droppedSoFar: number) => void,
  ) {
    this.stream = new Observable<T>((subscriber) => {
      const subscription = this.subject.subscribe(subscriber);
      // Released after the subscriber's synchronous setup (its own handle, its other subscriptions) is done; no
      // socket event can come in between, and anything that does waits in `held`, in order.
      if (this.held) queueMicrotask(() => this.release());
      return subscription;
    });
  }

  get heldCount(): number {
    return this.held?.length ?? 0;
  }

  next(value: T): void {
    if (!this.held) return this.subject.next(value);
    if (this.held.length >= this.limit) this.onDrop(this.held.shift()!, ++this.dropped);
    this.held.push(value);
  }

  complete(): void {
    if (this.held) this.completeHeld = true;
    else this.subject.complete();
  }

  private release(): void {
    // Everyone who subscribed may have left again before the microtask: keep holding for the next one.
    if (!this.held || !this.subject.observed) return;
    const held = this.held;
    this.held = null;
    for (const value of held) this.subject.next(value);
    if (this.completeHeld) this.subject.complete();
  }
}
