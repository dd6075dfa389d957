import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { emitEncryptionMap, renderMapModule } from "../../src/schema/emit.js";
import { buildEncryptionMap, type EncryptionMap } from "../../src/schema/index.js";
import { datamodelOf } from "./dmmf.js";

const user = `
model User {
  id    Int    @id
  email String @unique /// @encrypted(searchable)
  posts Post[]
}`;
const post = `
model Post {
  id       Int    @id
  body     Json?  /// @encrypted(key: "archive")
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
}`;
const models = user + post;

describe("emitEncryptionMap", () => {
  it("writes index.js, index.d.ts, package.json and encryption-map.json that load back to the same map", async () => {
    const map = buildEncryptionMap(await datamodelOf(models));
    const dir = await mkdtemp(join(tmpdir(), "ncpkms-emit-"));
    try {
      const written = await emitEncryptionMap(map, join(dir, "nested/out"), "schema.prisma");
      expect(written).toEqual([
        join(dir, "nested/out/index.js"),
        join(dir, "nested/out/index.d.ts"),
        join(dir, "nested/out/package.json"),
        join(dir, "nested/out/encryption-map.json"),
      ]);
      const json = JSON.parse(await readFile(written[3]!, "utf8")) as EncryptionMap;
      // index.js is ESM whatever the app's package type: the folder says so.
      expect(JSON.parse(await readFile(written[2]!, "utf8"))).toMatchObject({ type: "module" });
      const declaration = await readFile(written[1]!, "utf8");
      expect(declaration).toContain("export declare const encryptionMap: {");
      expect(declaration).toContain("readonly email: {");
      expect(declaration).toContain("readonly searchable: true;");
      expect(json).toEqual(map);
      const module = (await import(pathToFileURL(written[0]!).href)) as {
        encryptionMap: EncryptionMap;
        default: EncryptionMap;
      };
      expect(module.encryptionMap).toEqual(map);
      expect(module.default).toBe(module.encryptionMap);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("renders the same text for the same schema, whatever the model order", async () => {
    const a = renderMapModule(buildEncryptionMap(await datamodelOf(user + post)), "schema.prisma");
    const b = renderMapModule(buildEncryptionMap(await datamodelOf(post + user)), "schema.prisma");
    expect(b).toBe(a);
    expect(a).toContain("export const encryptionMap = {");
    expect(a).not.toMatch(/\bimport\b|\bas const\b|: readonly/);
    expect(a.indexOf("    Post: {")).toBeLessThan(a.indexOf("    User: {"));
  });

  it("quotes keys that are not identifiers", () => {
    const map: EncryptionMap = {
      version: 1,
      models: {
        M: {
          name: "M",
          idFields: [],
          uniqueFields: [],
          compoundSelectors: { "odd-name": ["a", "b"] },
          encrypted: {},
          relations: {},
          scalars: [],
          reachesEncrypted: false,
        },
      },
    };
    expect(renderMapModule(map, "x.prisma")).toContain('"odd-name": ["a", "b"],');
  });
});
