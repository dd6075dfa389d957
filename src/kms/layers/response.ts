/**
 * Checks each response: a non-2xx status becomes its typed error (with NCP's
 * code and `Retry-After`), a 2xx body must match the call's zod schema; the
 * response then carries the parsed `data` as its `json`.
 */
import { errorForStatus, KmsInvalidResponseError } from "../errors.js";
import { parseRetryAfter } from "../retry.js";
import { envelope, errorBody } from "../schemas.js";
import type { HttpResponse } from "../transport.js";
import type { Layer } from "./call.js";

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function responseLayer(deps: {
  /** Wall clock (epoch ms), for `Retry-After` dates. */
  now: () => number;
}): Layer {
  return (next) => async (call) => {
    const res = await next(call);
    const { spec, attempt } = call;
    const details = { action: spec.action, keyTag: spec.keyTag, attempts: attempt, status: res.status };
    if (res.status >= 200 && res.status < 300) {
      const parsed = envelope(spec.data).safeParse(res.json);
      if (!parsed.success) {
        const where = parsed.error.issues[0]?.path.map(String).join(".") || "body";
        throw new KmsInvalidResponseError(details, `field \`${where}\` does not match`);
      }
      return { ...res, json: (parsed.data as { data: unknown }).data };
    }
    const body = errorBody.safeParse(res.json);
    const retryAfterMs =
      res.status === 429 || res.status >= 500
        ? parseRetryAfter(header(res, "retry-after"), deps.now())
        : undefined;
    throw errorForStatus(res.status, {
      ...details,
      ncpCode: body.success ? body.data.code : undefined,
      retryAfterMs,
    });
  };
}
