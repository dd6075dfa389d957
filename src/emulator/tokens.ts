import type { KeyObject } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { forbidden, unauthorized } from "./errors.js";
import { aclAllows, type KeyRecord } from "./keystore.js";

export type TokenType = "ACCESS" | "REFRESH";

/** The RS256 key pair that signs every token of this emulator. */
export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Permission ids as in NCP's public example token (claim `"4"`). */
const PERMISSIONS = [
  33, 34, 4, 14, 25, 20, 10, 11, 12, 13, 6, 7, 8, 9, 21, 23, 24, 22, 26, 16, 18, 19, 15, 17, 31, 30, 32, 28,
  29, 27, 1, 2, 0, 39, 35, 36, 37, 38,
];

const claimsSchema = z.object({
  sub: z.string(),
  iat: z.number(),
  exp: z.number().optional(),
  "1": z.enum(["ACCESS", "REFRESH"]),
  "2": z.string(),
  "3": z.string(),
  "4": z.array(z.number()),
});
type Claims = z.infer<typeof claimsSchema>;

const CACHE_LIMIT = 10_000;

/**
 * Issues and checks API 2.0 tokens: RS256 JWTs signed by one emulator-wide
 * key, with NCP's claims. A token names its key (`"2"`) and its token creator
 * (`sub`); replacing or disabling the creator revokes it because `sub` no
 * longer matches. Verified signatures are cached, so a busy client pays for
 * RSA verification once per token, while expiry, type, key binding,
 * revocation and IP ACL are checked on every request.
 */
export class TokenService {
  private readonly verified = new Map<string, Claims>();

  /**
   * `signingKeys` is called on first use: generating an RSA key pair takes
   * 50–500 ms, which an emulator that never issues a token should not pay at
   * start-up.
   */
  constructor(
    private readonly signingKeys: () => Promise<SigningKeys>,
    private readonly now: () => number,
  ) {}

  /** `ttlSeconds` null means unlimited (`"UL"`): the token has no `exp`. */
  async issue(
    key: KeyRecord,
    creatorId: string,
    type: TokenType,
    ttlSeconds: number | null,
  ): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const jwt = new SignJWT({ "1": type, "2": `keytag__${key.keyTag}`, "3": "EXT", "4": PERMISSIONS })
      .setProtectedHeader({ typ: "JWT", alg: "RS256" })
      .setSubject(creatorId)
      .setIssuedAt(iat);
    if (ttlSeconds !== null) jwt.setExpirationTime(iat + ttlSeconds);
    return jwt.sign((await this.signingKeys()).privateKey);
  }

  /**
   * Throws 401 for a bad, expired, wrong-type or revoked token and 403 for a
   * token of another key or a caller outside the key's IP ACL.
   */
  async check(
    token: string,
    type: TokenType,
    key: KeyRecord,
    remoteAddress: string | undefined,
  ): Promise<void> {
    const claims = this.verified.get(token) ?? (await this.verifySignature(token));
    if (claims.exp !== undefined && claims.exp * 1000 <= this.now())
      throw unauthorized("the token has expired");
    if (claims["1"] !== type) throw unauthorized(`this action needs an ${type.toLowerCase()} token`);
    if (claims["2"] !== `keytag__${key.keyTag}`) throw forbidden("the token was issued for another key");
    if (key.tokenCreatorId === null || claims.sub !== key.tokenCreatorId) {
      throw unauthorized("the token creator that issued this token was replaced or disabled");
    }
    if (!aclAllows(key.ipAcl, remoteAddress))
      throw forbidden("the caller's IP address is not on the key's IP ACL");
  }

  private async verifySignature(token: string): Promise<Claims> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, (await this.signingKeys()).publicKey, {
        algorithms: ["RS256"],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthorized("the token has expired");
      throw unauthorized("the token is not valid");
    }
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) throw unauthorized("the token is not valid");
    if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
    this.verified.set(token, parsed.data);
    return parsed.data;
  }
}
