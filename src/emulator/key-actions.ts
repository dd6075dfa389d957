import { invalidStatus, notFound } from "./errors.js";
import { type KeyRecord, type Keystore, keyInfo } from "./keystore.js";
import { parseBody, schemas } from "./request-schemas.js";
import type { TokenService } from "./tokens.js";

const DAY_MS = 86_400_000;
const DEFAULT_ACCESS_HOURS = 72;
const DEFAULT_REFRESH_HOURS = 2160;

/** Key fields as `POST /kms/v1/keys` returns them. */
export function keyDetails(key: KeyRecord): Record<string, unknown> {
  const newest = key.versions.get(key.newest)!;
  return {
    ...keyInfo(key),
    keystoreId: "emulator",
    protectionType: key.protectionType,
    memo: key.memo,
    isAutoRotation: key.isAutoRotation,
    rotationPeriod: key.rotationPeriod,
    // [ours]: the emulator never rotates on its own; this is only informative.
    nextRotationDate:
      key.isAutoRotation && key.rotationPeriod !== null
        ? newest.createdDate + key.rotationPeriod * DAY_MS
        : null,
    registerDate: key.registerDate,
  };
}

/** `get-key` adds versions, token creator state and the IP ACL ([ours]). */
function keyFull(key: KeyRecord): Record<string, unknown> {
  return {
    ...keyDetails(key),
    versions: [...key.versions.values()].map((v) => ({ version: v.version, createdDate: v.createdDate })),
    tokenCreatorEnabled: key.tokenCreatorId !== null,
    ipAcl: { enabled: key.ipAcl.enabled, allow: key.ipAcl.allow },
  };
}

const toSeconds = (hours: number | "UL"): number | null => (hours === "UL" ? null : hours * 3600);

export interface KeyActionDeps {
  keystore: Keystore;
  tokens: TokenService;
}

/**
 * API 2.0 key management and token issuing. Auth has already been checked
 * by the caller (account auth, or the refresh token for `access-token`).
 */
export async function runKeyAction(
  action: string,
  keyTag: string | undefined,
  body: unknown,
  { keystore, tokens }: KeyActionDeps,
): Promise<Record<string, unknown>> {
  switch (action) {
    case "create-key": {
      const spec = parseBody(schemas["create-key"], body);
      const key = await keystore.create({
        keyName: spec.keyName,
        keyType: spec.keyType,
        isConvergent: spec.isConvergent ?? false,
        isAutoRotation: spec.isAutoRotation,
        rotationPeriod: spec.isAutoRotation ? (spec.rotationPeriod ?? 90) : null,
        protectionType: spec.protectionType,
        memo: spec.memo ?? "",
      });
      return keyDetails(key);
    }
    case "list-keys":
      return { keys: keystore.list().map(keyDetails) };
    case "get-key":
      return keyFull(keystore.get(keyTag!));
    case "rotate": {
      parseBody(schemas.empty, body ?? {});
      const version = await keystore.rotate(keyTag!);
      return { keyTag, version: version.version, rotatedDate: version.createdDate };
    }
    case "enable":
    case "disable":
      parseBody(schemas.empty, body ?? {});
      return keyDetails(await keystore.setEnabled(keyTag!, action === "enable"));
    case "token-set": {
      const key = keystore.get(keyTag!);
      const spec = parseBody(schemas["token-set"], body ?? {});
      if (key.tokenCreatorId === null) throw invalidStatus("the key's token creator is disabled");
      return {
        accessToken: await tokens.issue(
          key,
          key.tokenCreatorId,
          "ACCESS",
          toSeconds(spec.accessTokenHours ?? DEFAULT_ACCESS_HOURS),
        ),
        refreshToken: await tokens.issue(
          key,
          key.tokenCreatorId,
          "REFRESH",
          toSeconds(spec.refreshTokenHours ?? DEFAULT_REFRESH_HOURS),
        ),
      };
    }
    case "access-token": {
      const key = keystore.get(keyTag!);
      const spec = parseBody(schemas["access-token"], body ?? {});
      // The refresh token was checked against this key's current creator.
      return {
        accessToken: await tokens.issue(
          key,
          key.tokenCreatorId!,
          "ACCESS",
          toSeconds(spec.accessTokenHours ?? DEFAULT_ACCESS_HOURS),
        ),
      };
    }
    default:
      throw notFound("unknown action");
  }
}
