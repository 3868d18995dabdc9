// Asks for what the command line did not say (node:readline), only when a person is at the terminal.
import { createInterface } from "node:readline/promises";
import type { Readable, Writable } from "node:stream";
import { TEMPLATES, checkPackageName, displayNameOf, isTemplate, type TemplateName } from "./args.ts";

export interface Answers {
  directory: string;
  template: TemplateName;
  displayName: string;
}

export interface Terminal {
  input: Readable;
  output: Writable;
}

/** Asks for the folder, the template and the display name; an empty answer takes the default shown in brackets. */
export async function ask(
  known: { directory?: string; template?: TemplateName; displayName?: string },
  terminal: Terminal,
): Promise<Answers> {
  const rl = createInterface({ input: terminal.input, output: terminal.output, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const question = async (text: string): Promise<string> => {
    terminal.output.write(text);
    const next = await lines.next();
    if (next.done) throw new Error("input ended before all questions were answered");
    return String(next.value).trim();
  };
  try {
    let directory = known.directory;
    while (!directory) {
      const answer = (await question("Project folder (my-alloapp): ")) || "my-alloapp";
      const problem = checkPackageName(answer.split("/").pop() ?? "");
      if (problem) terminal.output.write(`  ${problem}\n`);
      else directory = answer;
    }
    let template = known.template;
    while (!template) {
      const answer = (await question(`Template: ${TEMPLATES.join(" or ")} (hello): `)) || "hello";
      if (isTemplate(answer)) template = answer;
      else terminal.output.write(`  there is no template "${answer}"\n`);
    }
    const fallback = displayNameOf(directory.split("/").pop() ?? directory);
    const displayName = known.displayName ?? ((await question(`Display name (${fallback}): `)) || fallback);
    return { directory, template, displayName };
  } finally {
    rl.close();
  }
}
