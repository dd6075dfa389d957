/**
 * One query through the extension: plan the args (pure), encrypt their
 * slots (one KMS call per key and context), run the query, plan the result
 * (pure), decrypt its slots, return the copy. Every path either calls
 * `query()` or throws: a hook that never calls it hangs a batch transaction.
 */
import type { KeyChecker } from "../field-crypto/key-check.js";
import type { CompiledMap, CompiledModel } from "./compiled-map.js";
import type { ResolvedOptions } from "./config.js";
import { emitEvent } from "./events.js";
import { decryptSlots, encryptSlots, type KnownCiphertexts } from "./kms-round.js";
import { planArgs } from "./walk/args.js";
import { planResult, resultTarget, selectionMayHoldEncrypted } from "./walk/result.js";
import { verifySealedArgs } from "./walk/verify.js";

/** Operations whose result is a count or aggregate, never a record. */
const recordlessOperations = new Set([
  "count",
  "aggregate",
  "groupBy",
  "createMany",
  "updateMany",
  "deleteMany",
]);

export interface HookCall {
  readonly model: CompiledModel;
  readonly operation: string;
  readonly args: unknown;
  readonly dataPath: readonly string[];
  readonly query: (args: unknown) => PromiseLike<unknown>;
}

/** Runs one hooked operation. Returns `query(args)` untouched when nothing encrypted is involved. */
export function runOperation(
  map: CompiledMap,
  options: ResolvedOptions,
  keyChecker: KeyChecker,
  call: HookCall,
): PromiseLike<unknown> {
  let plan: ReturnType<typeof planArgs>;
  let target: ReturnType<typeof resultTarget> | undefined;
  try {
    plan = planArgs(map, call.model.name, call.operation, call.args);
    // Fail closed on a walk gap: Prisma's input types say where encrypted values go.
    verifySealedArgs(map, options.map.inputTypes, call.model.name, call.operation, plan.args);
    if (!recordlessOperations.has(call.operation)) {
      const found = resultTarget(map, call.model, call.args, call.dataPath);
      if (selectionMayHoldEncrypted(map, found.model, found.selection)) target = found;
    }
  } catch (error) {
    return Promise.reject(error);
  }
  if (plan.slots.length === 0 && target === undefined) return call.query(call.args);
  return withKms(map, options, keyChecker, call, plan, target);
}

async function withKms(
  map: CompiledMap,
  options: ResolvedOptions,
  keyChecker: KeyChecker,
  call: HookCall,
  plan: ReturnType<typeof planArgs>,
  target: ReturnType<typeof resultTarget> | undefined,
): Promise<unknown> {
  // Encryption failure throws here, before query(): nothing is written.
  const known: KnownCiphertexts = new Map();
  if (plan.slots.length > 0)
    await encryptSlots(options.kms, plan.slots, keyChecker, target === undefined ? undefined : known);
  const result = await call.query(plan.args);
  if (target === undefined) return result;
  const decrypted = planResult(map, target.model, result, options.allowPlaintextReads);
  for (const [field, count] of decrypted.plaintextReads) {
    emitEvent(options.onEvent, {
      type: "plaintext-read",
      model: field.model,
      field: field.name,
      operation: call.operation,
      count,
    });
  }
  if (decrypted.slots.length === 0 && decrypted.plaintextCells.length === 0) return decrypted.result;
  await decryptSlots(options.kms, decrypted.slots, decrypted.plaintextCells, options, known);
  return decrypted.result;
}
