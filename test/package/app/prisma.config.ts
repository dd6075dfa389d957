// Prisma 7's configuration file: where the schema is and which database to
// use. `prisma generate` and `prisma-ncp-kms migrate` both read it.
import { defineConfig, env } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: { url: env("DATABASE_URL") },
});
