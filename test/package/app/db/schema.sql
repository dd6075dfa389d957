-- The app's table, as `prisma migrate` would create it (run here with
-- better-sqlite3: the test machine has no native schema engine).
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "phone" TEXT,
    "notes" TEXT
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
