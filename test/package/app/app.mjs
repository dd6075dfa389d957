// What the app does with it: create, find by a searchable field, list,
// update — all in plaintext, while the table holds ciphertext. Prints JSON.
import { kms, prisma } from "./db.mjs";

const step = process.argv[2] ?? "write";
try {
  if (step === "write") {
    const created = await prisma.user.create({
      data: { email: "alice@example.com", name: "Alice", phone: "+82-10-1234-5678", notes: { vip: true } },
    });
    await prisma.user.create({ data: { email: "bob@example.com", phone: "+82-10-9999-0000" } });
    const found = await prisma.user.findUnique({ where: { email: "alice@example.com" } });
    const updated = await prisma.user.update({
      where: { id: created.id },
      data: { phone: "+82-10-5555-6666" },
    });
    const all = await prisma.user.findMany({ orderBy: { id: "asc" } });
    console.log(JSON.stringify({ created, found, updated, all }));
  } else {
    const found = await prisma.user.findUnique({ where: { email: "alice@example.com" } });
    const all = await prisma.user.findMany({
      where: { email: { in: ["alice@example.com", "bob@example.com"] } },
    });
    console.log(JSON.stringify({ found, all }));
  }
} finally {
  await prisma.$disconnect();
  await kms.close();
}
