// Pattern subscriptions and publications over a real place (docs/protocol.md §2 rule 6, §3, §4).
import { describe, expect, it } from "vitest";
import type { RawAgent } from "../src/testing.ts";
import { issueToken } from "../src/auth.ts";
import { subscriptionsOf } from "../src/subscriptions.ts";
import { setup } from "./helpers.ts";

const publish = (agent: RawAgent, body: unknown[]) =>
  agent.send(["interaction", "publication", agent.avatarId, "", "", body]);
const publications = (agent: RawAgent) => agent.received.filter((m) => Array.isArray(m) && m[1] === "publication");
/** Every publication sent before this resolves has been routed: the place handles one agent's frames in order. */
async function marker(publisher: RawAgent, watchers: RawAgent[]): Promise<void> {
  for (const w of watchers) await w.request(["subscribe", `["marker", ...]`]);
  publish(publisher, ["marker"]);
  await Promise.all(
    watchers.map((w) =>
      w.next((m) => Array.isArray(m) && m[1] === "publication" && m[5][0] === "marker", { fromIndex: 0 }),
    ),
  );
}

describe("subscribe", () => {
  it("delivers the seed's example end to end: new_tweet where the sender is nevyn", async () => {
    const {
      agents: [tweeter, follower, bystander],
    } = await setup(3);
    const r = await follower.request([
      "subscribe",
      `[\n  "new_tweet",\n  TweetSender,\n  TweetBody\n] where TweetSender == "nevyn" `,
    ]);
    expect(r).toEqual(["subscribe", expect.stringMatching(/^sub-/)]);
    publish(tweeter, ["new_tweet", "nevyn", "hello from nevyn"]);
    publish(tweeter, ["new_tweet", "someone", "not for you"]);
    publish(tweeter, ["new_tweet", "nevyn"]);
    publish(tweeter, ["old_tweet", "nevyn", "wrong name"]);
    await marker(tweeter, [follower, bystander]);
    const got = publications(follower).filter((m) => m[5][0] !== "marker");
    expect(got).toEqual([
      ["interaction", "publication", tweeter.avatarId, "", "", ["new_tweet", "nevyn", "hello from nevyn"]],
    ]);
    expect(publications(bystander).filter((m) => m[5][0] !== "marker")).toEqual([]);
  });

  it("matches whole envelopes, with guards on the publisher's verified identity", async () => {
    const secret = "a secret of thirty-two bytes or more, for this test";
    const s = await setup(1, { auth: { mode: "open", secret } });
    const [listener] = s.agents;
    const bob = await s.connect("bob", undefined, { token: await issueToken(secret, { sub: "bob" }) });
    const eve = await s.connect("bob"); // calls itself bob, but nobody verified that
    await listener.request([
      "subscribe",
      `["interaction", "publication", From, "", _, ["status", Text]] where identity()["sub"] == "bob" and owner(From) == agent()`,
    ]);
    publish(eve, ["status", "from eve"]);
    publish(bob, ["status", "from bob"]);
    await marker(bob, [listener]);
    await marker(eve, [listener]);
    expect(
      publications(listener)
        .filter((m) => m[5][0] === "status")
        .map((m) => m[5][1]),
    ).toEqual(["from bob"]);
  });

  it("delivers once per agent even when several subscriptions match", async () => {
    const {
      agents: [p, l],
    } = await setup(2);
    await l.request(["subscribe", `["ping", ...]`]);
    await l.request(["subscribe", `[_, ...]`]);
    publish(p, ["ping", 1]);
    await marker(p, [l]);
    expect(publications(l).filter((m) => m[5][0] === "ping")).toHaveLength(1);
  });

  it("refuses a pattern that does not parse, with its line and column", async () => {
    const {
      agents: [a],
    } = await setup(1);
    expect(await a.request(["subscribe", `["new_tweet",\n  tweetSender]`])).toEqual([
      "subscribe",
      "error",
      `pattern: line 2, column 3: unknown word "tweetSender" (variables start with a capital letter; strings need quotes)`,
    ]);
    expect((await a.request(["subscribe", 42]))[1]).toBe("error");
  });
});

describe("unsubscribe", () => {
  it("stops delivery, answers not_subscribed after, and cannot remove someone else's subscription", async () => {
    const {
      agents: [p, l, other],
    } = await setup(3);
    const [, id] = await l.request(["subscribe", `["news", _]`]);
    expect(await other.request(["unsubscribe", id])).toEqual(["unsubscribe", "not_subscribed"]);
    publish(p, ["news", 1]);
    await marker(p, [l]);
    expect(await l.request(["unsubscribe", id])).toEqual(["unsubscribe", "ok"]);
    expect(await l.request(["unsubscribe", id])).toEqual(["unsubscribe", "not_subscribed"]);
    publish(p, ["news", 2]);
    publish(p, ["marker"]);
    await l.next((m) => Array.isArray(m) && m[5]?.[0] === "marker", { fromIndex: publications(l).length });
    expect(
      publications(l)
        .filter((m) => m[5][0] === "news")
        .map((m) => m[5][1]),
    ).toEqual([1]);
  });

  it("drops an agent's subscriptions when it leaves", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    await a.request(["subscribe", `_`]);
    await b.request(["subscribe", `_`]);
    expect(subscriptionsOf(place.ctx).size).toBe(2);
    await a.close();
    const deadline = Date.now() + 5000;
    while (subscriptionsOf(place.ctx).size !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(subscriptionsOf(place.ctx).size).toBe(1);
    expect(await b.request(["unsubscribe", "sub-gone"])).toEqual(["unsubscribe", "not_subscribed"]);
  });
});
