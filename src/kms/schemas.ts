/**
 * zod schemas of every KMS response body this client reads. `msg` is never
 * required (the docs' encrypt example has none); unknown fields are ignored.
 */
import { z } from "zod";

function buildEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ code: z.literal("SUCCESS"), msg: z.string().optional(), data });
}

// zod 4 compiles a schema on first parse; building a fresh envelope per
// response cost ~460 µs of CPU per request (measured), so build each once.
const envelopes = new WeakMap<z.ZodType, ReturnType<typeof buildEnvelope>>();

/** `{ code: "SUCCESS", msg?, data }` around the given `data` schema (built once per `data` schema). */
export function envelope<T extends z.ZodType>(data: T): ReturnType<typeof buildEnvelope<T>> {
  let schema = envelopes.get(data);
  if (schema === undefined) {
    schema = buildEnvelope(data);
    envelopes.set(data, schema);
  }
  return schema as ReturnType<typeof buildEnvelope<T>>;
}

/** Body of an error response: only `code` is read (the `msg` is never copied into our errors). */
export const errorBody = z.object({ code: z.string() });

const stringOrArray = z.union([z.string(), z.array(z.string())]);

export const encryptData = z.object({ ciphertext: stringOrArray });
export const decryptData = z.object({ plaintext: stringOrArray });
export const reencryptData = z.object({ newCiphertext: stringOrArray });
export const customKeyData = z.object({
  ciphertext: z.string(),
  plaintext: z.string().optional(),
  key_version: z.union([z.number(), z.string()]).optional(),
});
export const signData = z.object({ signature: z.string() });
export const verifyData = z.object({ valid: z.boolean() });
export const tokenSetData = z.object({ accessToken: z.string(), refreshToken: z.string() });
export const accessTokenData = z.object({ accessToken: z.string() });

/** A key as `POST /kms/v1/keys` and the emulator's list/get return it. */
export const keyInfo = z
  .object({
    keyTag: z.string(),
    keyName: z.string().optional(),
    keyType: z.string().optional(),
    status: z.string().optional(),
    isConvergent: z.boolean().optional(),
  })
  .loose();
export type KeyInfo = z.infer<typeof keyInfo>;

export const rotateData = z
  .object({
    keyTag: z.string(),
    version: z.number(),
    rotatedDate: z.union([z.number(), z.string()]).optional(),
  })
  .loose();

/** The emulator's `GET /kms/v1/keys` ([ours]): accepts `data` as an array or `{ keys: [...] }`. */
export const keyListData = z.union([z.array(keyInfo), z.object({ keys: z.array(keyInfo) }).loose()]);
