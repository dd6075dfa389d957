import internals from "@prisma/internals";
import type { Datamodel } from "../../src/schema/datamodel.js";

/** The DMMF datamodel Prisma would hand the generator, for a schema body (models only). */
export async function datamodelOf(models: string): Promise<Datamodel> {
  const datamodel = `datasource db {\n  provider = "sqlite"\n}\n\n${models}`;
  const dmmf = await internals.getDMMF({ datamodel });
  return dmmf.datamodel;
}
