// A null inside a component cannot travel: merge patches read a null member as "remove this key"
// (docs/protocol.md §3.1, §5). Refused at the door so every mirror can equal the place's world.
import { joinPath } from "@allo/protocol";

/** The path of the first object member whose value is null, or undefined. Iterative: depth is already bounded. */
export function findNullMember(value: unknown, path: string): string | undefined {
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${at}[${i}]`]);
      continue;
    }
    for (const key in v) {
      const member = (v as Record<string, unknown>)[key];
      if (member === null) return joinPath(at, key);
      stack.push([member, joinPath(at, key)]);
    }
  }
  return undefined;
}

export function nullMemberProblem(path: string): string {
  return `${path} is null: a component cannot hold null members (state patches use null for removal); leave the key out`;
}
