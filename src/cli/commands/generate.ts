export const help = "stub";
export async function run(_argv: string[]): Promise<number> {
  const { generatorHandler } = await import("@prisma/generator-helper");
  generatorHandler({
    onManifest: () => ({ prettyName: "prisma-ncp-kms encryption map", defaultOutput: "./encryption" }),
    onGenerate: async (options) => {
      const fs = await import("node:fs/promises");
      await fs.mkdir(options.generator.output!.value!, { recursive: true });
      await fs.writeFile(`${options.generator.output!.value}/cwd.txt`, process.cwd());
    },
  });
  return new Promise(() => {});
}
