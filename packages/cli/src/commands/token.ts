// `allo token`: signs a token with the place's secret, for one person or app (docs/hosting.md "Running a public
// place"); with --place, an invite link that opens the web visor with the token.
import { parseArgs } from "node:util";
import { issueToken } from "@allo/place";
import { parsePlaceUrl } from "@allo/protocol";
import { readSecret } from "../secret.ts";

export const TOKEN_USAGE = `Usage: allo token --secret-file FILE --sub ID [--name NAME] [--role ROLE…] [--expires 30d] [--place URL]

Prints a token for a place started with --auth token (the same --secret-file, or ALLO_PLACE_SECRET).
  --sub      who the token is for: a stable id ACL rules can match (identity()["sub"])
  --name     a display name the place vouches for (identity()["name"])
  --role     a role ACL rules can match ("operator" in identity()["roles"]); repeatable
  --expires  how long it is valid: 3600 (seconds), 12h, 30d                 default 30d
  --place    the place's URL: also prints an invite link that opens its web visor with the token
Apps take a token with \`allo run --token …\` or ALLO_TOKEN; agents send it as identity.token when they announce.`;

export async function tokenCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "secret-file": { type: "string" },
      sub: { type: "string" },
      name: { type: "string" },
      role: { type: "string", multiple: true },
      expires: { type: "string" },
      place: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(TOKEN_USAGE);
    return 0;
  }
  if (!values.sub) return fail(`--sub is required: who the token is for, e.g. --sub alice`);
  let secret: string;
  try {
    const found = readSecret(values["secret-file"], false);
    if (!found) return fail(`which secret? Give --secret-file FILE (the place's) or set ALLO_PLACE_SECRET`);
    secret = found.secret;
  } catch (e) {
    return fail((e as Error).message);
  }
  const expires = values.expires ?? "30d";
  const expiresIn = /^\d+$/.test(expires) ? Number(expires) : expires;
  let token: string;
  try {
    token = await issueToken(secret, { sub: values.sub, name: values.name, roles: values.role, expiresIn });
  } catch (e) {
    return fail(`--expires: ${(e as Error).message}`);
  }
  console.log(token);
  if (values.place) {
    let url: URL;
    try {
      url = parsePlaceUrl(values.place);
    } catch (e) {
      return fail(`--place: ${(e as Error).message}`);
    }
    // The token rides in the fragment: browsers never send it to a server or put it in a Referer.
    console.log(`${url.protocol === "wss:" ? "https" : "http"}://${url.host}/#token=${token}`);
  }
  return 0;
}

function fail(message: string): number {
  console.error(`allo token: ${message}`);
  return 2;
}
