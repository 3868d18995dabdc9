// ["modify_acl","add","allow"|"deny","<pattern>"] → ["modify_acl","ok",ruleId]; ["modify_acl","remove",ruleId] →
// ["modify_acl","ok"]; ["modify_acl","list"] → ["modify_acl","ok",[{id,effect,pattern}…]] (docs/protocol.md §3, §4).
// Itself subject to the ACL (denied by default). Added rules go first: the newest rule is checked before the others.
import { aclOf } from "../acl.ts";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";

const USAGE = `modify_acl takes ["modify_acl","add","allow"|"deny","<pattern>"], ["modify_acl","remove",ruleId] or ["modify_acl","list"]`;

export const modifyAcl: InteractionHandler = ({ ctx, interaction }) => {
  const [, verb, a, b] = interaction.body;
  const length = interaction.body.length;
  const acl = aclOf(ctx);
  if (verb === "list" && length === 2) return ["modify_acl", "ok", acl.list()];
  if (verb === "remove" && length === 3) {
    if (typeof a !== "string") refuse(`modify_acl remove takes a rule id`);
    if (!acl.remove(a)) refuse(`no rule ${JSON.stringify(a)}`);
    ctx.log.info("ACL rule removed", { rule: a });
    return ["modify_acl", "ok"];
  }
  if (verb === "add" && length === 4) {
    if (a !== "allow" && a !== "deny") refuse(`modify_acl add takes "allow" or "deny", not ${JSON.stringify(a)}`);
    if (typeof b !== "string") refuse(`modify_acl add takes the rule's pattern as a string`);
    const added = acl.add({ effect: a, pattern: b });
    if (!added.ok) refuse(added.error);
    ctx.log.info("ACL rule added", { rule: added.value, effect: a, pattern: b });
    return ["modify_acl", "ok", added.value];
  }
  return refuse(USAGE);
};
