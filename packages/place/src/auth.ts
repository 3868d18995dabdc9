// Who an agent is (docs/protocol.md §10): the place's operator signs tokens (JWTs, with `jose`); an agent
// presents one as `identity.token` when it announces, and the place keeps the verified claims — subject, name,
// roles — as the agent's verified identity, the only identity ACL rules see. A place in "token" mode refuses agents
// without a valid token; "open" mode (local development) lets anyone in, unverified unless they bring a token.
import { errors, importSPKI, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import type { PlaceContext } from "./types.ts";

export interface AuthConfig {
  /** "open" (default): anyone may announce. "token": every agent needs a valid token (or a launch token). */
  mode?: "open" | "token";
  /** The operator's HS256 secret, at least 32 bytes: tokens made by issueToken or `allo token`. */
  secret?: string;
  /** Or a public key (PEM, SPKI) whose private half signs tokens elsewhere, with `algorithm` (default EdDSA). */
  publicKey?: string;
  algorithm?: "EdDSA" | "ES256" | "RS256";
  /** When set, a token must carry this `aud` / `iss`. */
  audience?: string;
  issuer?: string;
}

/** What the place knows for sure about an agent: from a token it verified, or from a launch it made. */
export interface VerifiedIdentity {
  /** The token's subject (`sub`), or `app:<app URL>` for an app the place launched. */
  sub: string;
  /** The token's `name`, null when it has none. */
  name: string | null;
  roles: string[];
  /** For a launched app: the verified subject of the agent that asked for it (null when that one was not verified). */
  launched_by?: string | null;
}

export const MIN_SECRET_BYTES = 32;
const MAX_TOKEN_LENGTH = 8192;
const MAX_CLAIM_LENGTH = 256;
const MAX_ROLES = 64;

export class Auth {
  readonly mode: "open" | "token";
  private readonly key: Promise<Uint8Array | CryptoKey> | undefined;
  private readonly algorithms: string[];

  /** Throws a readable Error for a configuration that cannot work. */
  constructor(private readonly config: AuthConfig = {}) {
    this.mode = config.mode ?? "open";
    if (config.mode !== undefined && config.mode !== "open" && config.mode !== "token")
      throw new Error(`auth.mode must be "open" or "token", got ${JSON.stringify(config.mode)}`);
    if (config.secret !== undefined && config.publicKey !== undefined)
      throw new Error("auth: give either a secret or a public key, not both");
    if (config.secret !== undefined) {
      if (Buffer.byteLength(config.secret) < MIN_SECRET_BYTES)
        throw new Error(`auth.secret must be at least ${MIN_SECRET_BYTES} bytes`);
      this.key = Promise.resolve(new TextEncoder().encode(config.secret));
      this.algorithms = ["HS256"];
    } else if (config.publicKey !== undefined) {
      const algorithm = config.algorithm ?? "EdDSA";
      this.key = importSPKI(config.publicKey, algorithm);
      this.key.catch(() => undefined); // reported by verify, and by startPlace through ready()
      this.algorithms = [algorithm];
    } else {
      if (this.mode === "token")
        throw new Error("auth: token mode needs a secret or a public key to verify tokens with");
      this.algorithms = [];
    }
  }

  /** True when this place can check a token (a key is configured). */
  get verifies(): boolean {
    return this.key !== undefined;
  }

  /** Resolves once the key is usable; rejects with a readable Error otherwise. */
  async ready(): Promise<void> {
    try {
      await this.key;
    } catch (e) {
      throw new Error(`auth.publicKey: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The claims of a valid token; rejects with an Error whose message tells the agent what is wrong. */
  async verify(token: string): Promise<VerifiedIdentity> {
    if (!this.key) throw new Error("this place does not verify tokens");
    if (token.length > MAX_TOKEN_LENGTH) throw new Error(`invalid token: longer than ${MAX_TOKEN_LENGTH} characters`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.key, {
        algorithms: this.algorithms,
        audience: this.config.audience,
        issuer: this.config.issuer,
      }));
    } catch (e) {
      throw new Error(`invalid token: ${tokenProblem(e)}`, { cause: e });
    }
    return claimsOf(payload);
  }
}

function tokenProblem(e: unknown): string {
  if (e instanceof errors.JWTExpired) return "it has expired";
  if (e instanceof errors.JWSSignatureVerificationFailed) return "it is not signed by this place's operator";
  if (e instanceof errors.JWTClaimValidationFailed) return `its "${e.claim}" claim is not accepted here`;
  if (e instanceof errors.JOSEAlgNotAllowed) return "it is signed with an algorithm this place does not accept";
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return "it is not a signed JWT";
  return (e as Error)?.message ?? String(e);
}

function claimsOf(payload: JWTPayload): VerifiedIdentity {
  const { sub, name, roles } = payload as JWTPayload & { name?: unknown; roles?: unknown };
  if (typeof sub !== "string" || sub === "" || sub.length > MAX_CLAIM_LENGTH)
    throw new Error(`invalid token: "sub" must be a non-empty string of at most ${MAX_CLAIM_LENGTH} characters`);
  if (name !== undefined && (typeof name !== "string" || name.length > MAX_CLAIM_LENGTH))
    throw new Error(`invalid token: "name" must be a string of at most ${MAX_CLAIM_LENGTH} characters`);
  const validRoles =
    Array.isArray(roles) &&
    roles.length <= MAX_ROLES &&
    roles.every((r) => typeof r === "string" && r.length <= MAX_CLAIM_LENGTH);
  if (roles !== undefined && !validRoles)
    throw new Error(`invalid token: "roles" must be at most ${MAX_ROLES} strings`);
  return { sub, name: typeof name === "string" ? name : null, roles: (roles as string[] | undefined) ?? [] };
}

export interface TokenClaims {
  sub: string;
  name?: string;
  roles?: string[];
  /** How long it stays valid: seconds, or a jose time span like "30d", "12h". Default 30 days. */
  expiresIn?: number | string;
  audience?: string;
  issuer?: string;
}

/** Signs a token with the operator's secret (HS256), for `allo token` and tests. */
export async function issueToken(secret: string, claims: TokenClaims): Promise<string> {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES)
    throw new Error(`the secret must be at least ${MIN_SECRET_BYTES} bytes`);
  const payload: JWTPayload = {
    ...(claims.name !== undefined ? { name: claims.name } : {}),
    ...(claims.roles?.length ? { roles: claims.roles } : {}),
  };
  let jwt = new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).setSubject(claims.sub).setIssuedAt();
  const expires = claims.expiresIn ?? "30d";
  jwt = jwt.setExpirationTime(typeof expires === "number" ? Math.floor(Date.now() / 1000) + expires : expires);
  if (claims.audience !== undefined) jwt = jwt.setAudience(claims.audience);
  if (claims.issuer !== undefined) jwt = jwt.setIssuer(claims.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}

const KEY = "auth";

/** Says at start who may join: open mode is for local development, and says so — loudly off loopback. */
export function logAuthMode(ctx: PlaceContext, host: string): void {
  const auth = authOf(ctx);
  if (auth.mode === "token")
    return ctx.log.info("authentication required: agents announce with a token signed by the operator");
  const loopback = host === "localhost" || host === "::1" || host.startsWith("127.");
  const say = loopback ? ctx.log.info.bind(ctx.log) : ctx.log.warn.bind(ctx.log);
  say(
    "open mode: anyone who reaches this place may join; display names are self-declared" +
      (auth.verifies ? ", tokens are verified when given" : " and no identity is verified"),
    { host },
  );
}

/** The place's authentication: open, unless configured. */
export function authOf(ctx: PlaceContext): Auth {
  let auth = ctx.extensions.get(KEY) as Auth | undefined;
  if (!auth) ctx.extensions.set(KEY, (auth = new Auth()));
  return auth;
}

/** Sets the place's authentication at start. Throws a readable Error on a configuration that cannot work. */
export function configureAuth(ctx: PlaceContext, config: AuthConfig): Auth {
  const auth = new Auth(config);
  ctx.extensions.set(KEY, auth);
  return auth;
}

export type AuthOutcome = { ok: true; identity: VerifiedIdentity | undefined } | { ok: false; error: string };

/**
 * Who an announce proves its agent is: the claims of `identity.token`, or a launched app's identity when its
 * `spawn_avatar.avatar.token` is a launch the place is waiting for. A shape or version problem is left to announce
 * itself (answered there). Sync unless a token has to be verified.
 */
export function authenticateAnnounce(
  ctx: PlaceContext,
  body: readonly unknown[],
  launchedApp: (launchToken: string) => VerifiedIdentity | undefined,
): AuthOutcome | Promise<AuthOutcome> {
  const auth = authOf(ctx);
  const [, , , , identity, , avatar] = body;
  if (!isObject(identity)) return { ok: true, identity: undefined };
  const token = identity.token;
  if (token !== undefined) {
    if (typeof token !== "string") return { ok: false, error: "identity.token must be a string" };
    if (auth.verifies)
      return auth.verify(token).then(
        (verified) => ({ ok: true, identity: verified }),
        (e: Error) => ({ ok: false, error: e.message }),
      );
    if (auth.mode === "open") return { ok: true, identity: undefined };
  }
  const launch =
    isObject(avatar) && isObject(avatar.avatar) && typeof avatar.avatar.token === "string"
      ? launchedApp(avatar.avatar.token)
      : undefined;
  if (launch) return { ok: true, identity: launch };
  if (auth.mode === "token") {
    return {
      ok: false,
      error: `this place requires authentication: announce with identity.token, a token from the place's operator (allo token)`,
    };
  }
  return { ok: true, identity: undefined };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
