-- Tables for prisma/schema.prisma on SQLite (Prisma's own DDL style).
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "phone" TEXT,
    "notes" TEXT,
    "avatar" BLOB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

CREATE TABLE "Profile" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "bio" TEXT,
    "taxId" TEXT,
    "userId" INTEGER NOT NULL,
    CONSTRAINT "Profile_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Profile_userId_key" ON "Profile"("userId");

CREATE TABLE "Post" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "secret" TEXT,
    "slug" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Post_authorId_slug_key" ON "Post"("authorId", "slug");

CREATE TABLE "Tag" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "label" TEXT NOT NULL
);
CREATE UNIQUE INDEX "Tag_label_key" ON "Tag"("label");

CREATE TABLE "Group" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL
);

CREATE TABLE "AuditEntry" (
    "tenant" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "payload" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    PRIMARY KEY ("tenant", "seq")
);

CREATE TABLE "KwOwner" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "label" TEXT
);

CREATE TABLE "KwItem" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "data" TEXT,
    "where" TEXT,
    "is" TEXT,
    "isNot" TEXT,
    "set" TEXT,
    "create" TEXT,
    "bio" TEXT,
    "code" TEXT,
    "ownerId" INTEGER NOT NULL,
    CONSTRAINT "KwItem_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "KwOwner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "KwItem_ownerId_key" ON "KwItem"("ownerId");

CREATE TABLE "KwEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "every" TEXT,
    "some" TEXT,
    "data" TEXT,
    "secret" TEXT,
    "ownerId" INTEGER NOT NULL,
    CONSTRAINT "KwEntry_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "KwOwner" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "Plain" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "label" TEXT NOT NULL,
    "value" INTEGER NOT NULL
);

CREATE TABLE "_UserGroups" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,
    CONSTRAINT "_UserGroups_A_fkey" FOREIGN KEY ("A") REFERENCES "Group" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_UserGroups_B_fkey" FOREIGN KEY ("B") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "_UserGroups_AB_unique" ON "_UserGroups"("A", "B");
CREATE INDEX "_UserGroups_B_index" ON "_UserGroups"("B");

CREATE TABLE "_PostTags" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,
    CONSTRAINT "_PostTags_A_fkey" FOREIGN KEY ("A") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "_PostTags_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "_PostTags_AB_unique" ON "_PostTags"("A", "B");
CREATE INDEX "_PostTags_B_index" ON "_PostTags"("B");
