/** Shared set-up for the KMS client tests: a fresh emulator and a client pointed at it. */
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { createKmsClient, type KmsClient, type KmsClientOptions } from "../../src/kms/index.js";

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export async function emulatorWithKey(
  options: EmulatorOptions = {},
  key: { keyName: string; isConvergent?: boolean } = { keyName: "test-key" },
): Promise<{ emu: RunningEmulator; keyTag: string }> {
  const emu = await startEmulator({ port: 0, ...options });
  const { keyTag } = await emu.createKey(key);
  return { emu, keyTag };
}

/** A signature-auth client for `emu`; fast retries so fault tests stay short. */
export function clientFor(emu: RunningEmulator, extra: Partial<KmsClientOptions> = {}): KmsClient {
  const { accessKey, secretKey } = emu.credentials;
  return createKmsClient({
    endpoint: emu.url,
    auth: { type: "signature", accessKey, secretKey },
    retry: { minDelayMs: 5, maxDelayMs: 50 },
    ...extra,
  });
}
