import { randomBytes, randomUUID } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { invalidRequest, invalidStatus, notFound } from "./errors.js";
import {
  deserializeMaterial,
  generateMaterial,
  type StoredMaterial,
  serializeMaterial,
  type VersionMaterial,
} from "./key-material.js";
import type { KeyInfo, KeyStatus, KeyType } from "./types.js";

export interface KeyVersion {
  version: number;
  createdDate: number;
  material: VersionMaterial;
}

export interface IpAcl {
  enabled: boolean;
  allow: string[];
  /** `allow` compiled for lookups. */
  blockList: BlockList;
}

/** One key and everything attached to it. Mutated only through {@link Keystore}. */
export interface KeyRecord {
  keyId: string;
  keyTag: string;
  keyName: string;
  keyType: KeyType;
  isConvergent: boolean;
  status: KeyStatus;
  protectionType: "BASIC" | "COMMON_HSM";
  memo: string;
  isAutoRotation: boolean;
  rotationPeriod: number | null;
  registerDate: number;
  versions: Map<number, KeyVersion>;
  newest: number;
  /** Token creator id (`sub` of its tokens), or `null` when disabled. */
  tokenCreatorId: string | null;
  ipAcl: IpAcl;
}

/** Everything `POST /kms/v1/keys` accepts, defaults applied. */
export interface NewKey {
  keyName: string;
  keyType: KeyType;
  isConvergent: boolean;
  isAutoRotation: boolean;
  rotationPeriod: number | null;
  protectionType: "BASIC" | "COMMON_HSM";
  memo: string;
}

/** The data-file form of a key. */
export interface StoredKey extends Omit<KeyRecord, "versions" | "ipAcl"> {
  versions: Array<{ version: number; createdDate: number; material: StoredMaterial }>;
  ipAcl: { enabled: boolean; allow: string[] };
}

export const KEY_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{2,14}$/;

function compileAcl(enabled: boolean, allow: readonly string[]): IpAcl {
  const blockList = new BlockList();
  for (const entry of allow) {
    const [address, prefix] = entry.split("/");
    const family = address !== undefined ? isIP(address) : 0;
    if (family === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
      throw invalidRequest("ipAcl.allow has an entry that is not an IP address or CIDR block");
    }
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) blockList.addAddress(address!, type);
    else blockList.addSubnet(address!, Number(prefix), type);
  }
  return { enabled, allow: [...allow], blockList };
}

/** IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is checked as IPv4. */
export function aclAllows(acl: IpAcl, remoteAddress: string | undefined): boolean {
  if (!acl.enabled) return true;
  if (remoteAddress === undefined) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  const address = mapped ? mapped[1]! : remoteAddress;
  return acl.blockList.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/**
 * The keys. Every mutation ends by calling `onChange` (which persists the
 * store when a data dir is set) and resolves once that is done.
 */
export class Keystore {
  private readonly keys = new Map<string, KeyRecord>();

  constructor(
    private readonly now: () => number,
    private readonly onChange: () => Promise<void>,
  ) {}

  get(keyTag: string): KeyRecord {
    const key = this.keys.get(keyTag);
    if (key === undefined) throw notFound("no key with this key tag");
    return key;
  }

  list(): KeyRecord[] {
    return [...this.keys.values()];
  }

  async create(spec: NewKey): Promise<KeyRecord> {
    if (!KEY_NAME_PATTERN.test(spec.keyName)) {
      throw invalidRequest(
        "keyName must be 3-15 characters, start with a letter, and use letters, digits, - or _",
      );
    }
    if (spec.isConvergent && spec.keyType !== "AES256") {
      throw invalidRequest("isConvergent is only available for AES256 keys");
    }
    for (const key of this.keys.values()) {
      if (key.keyName === spec.keyName) throw invalidRequest("keyName is already used by another key");
    }
    const created = this.now();
    const material = await generateMaterial(spec.keyType);
    const record: KeyRecord = {
      ...spec,
      keyId: randomUUID(),
      // NCP key tags are 64 hex characters.
      keyTag: randomBytes(32).toString("hex"),
      status: "ENABLED",
      registerDate: created,
      versions: new Map([[1, { version: 1, createdDate: created, material }]]),
      newest: 1,
      tokenCreatorId: randomUUID(),
      ipAcl: compileAcl(false, []),
    };
    this.keys.set(record.keyTag, record);
    await this.onChange();
    return record;
  }

  async rotate(keyTag: string): Promise<KeyVersion> {
    const key = this.get(keyTag);
    if (key.status !== "ENABLED") throw invalidStatus("the key is disabled");
    const version: KeyVersion = {
      version: key.newest + 1,
      createdDate: this.now(),
      material: await generateMaterial(key.keyType),
    };
    key.versions.set(version.version, version);
    key.newest = version.version;
    await this.onChange();
    return version;
  }

  async setEnabled(keyTag: string, enabled: boolean): Promise<KeyRecord> {
    const key = this.get(keyTag);
    key.status = enabled ? "ENABLED" : "DISABLED";
    await this.onChange();
    return key;
  }

  async replaceTokenCreator(keyTag: string): Promise<void> {
    this.get(keyTag).tokenCreatorId = randomUUID();
    await this.onChange();
  }

  async disableTokenCreator(keyTag: string): Promise<void> {
    this.get(keyTag).tokenCreatorId = null;
    await this.onChange();
  }

  async setIpAcl(keyTag: string, acl: { enabled: boolean; allow: readonly string[] }): Promise<void> {
    const key = this.get(keyTag);
    key.ipAcl = compileAcl(acl.enabled, acl.allow);
    await this.onChange();
  }

  toStored(): StoredKey[] {
    return this.list().map(({ versions, ipAcl, ...rest }) => ({
      ...rest,
      versions: [...versions.values()].map((v) => ({
        version: v.version,
        createdDate: v.createdDate,
        material: serializeMaterial(v.material),
      })),
      ipAcl: { enabled: ipAcl.enabled, allow: ipAcl.allow },
    }));
  }

  load(stored: readonly StoredKey[]): void {
    for (const { versions, ipAcl, ...rest } of stored) {
      this.keys.set(rest.keyTag, {
        ...rest,
        versions: new Map(
          versions.map((v) => [
            v.version,
            {
              version: v.version,
              createdDate: v.createdDate,
              material: deserializeMaterial(rest.keyType, v.material),
            },
          ]),
        ),
        ipAcl: compileAcl(ipAcl.enabled, ipAcl.allow),
      });
    }
  }
}

export function keyInfo(key: KeyRecord): KeyInfo {
  return {
    keyId: key.keyId,
    keyTag: key.keyTag,
    keyName: key.keyName,
    keyType: key.keyType,
    isConvergent: key.isConvergent,
    version: key.newest,
    status: key.status,
  };
}
