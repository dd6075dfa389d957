-- Tables for prisma/schema.prisma on PostgreSQL (Prisma's own DDL style).
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "phone" TEXT,
    "notes" JSONB,
    "avatar" BYTEA,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

CREATE TABLE "Profile" (
    "id" SERIAL NOT NULL,
    "bio" TEXT,
    "taxId" TEXT,
    "userId" INTEGER NOT NULL,
    CONSTRAINT "Profile_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Profile_userId_key" ON "Profile"("userId");

CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "secret" TEXT,
    "slug" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,
    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Post_authorId_slug_key" ON "Post"("authorId", "slug");

CREATE TABLE "Tag" (
    "id" SERIAL NOT NULL,
    "label" TEXT NOT NULL,
    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Tag_label_key" ON "Tag"("label");

CREATE TABLE "Group" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "Group_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AuditEntry" (
    "tenant" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "payload" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("tenant", "seq")
);

CREATE TABLE "KwOwner" (
    "id" SERIAL NOT NULL,
    "label" TEXT,
    CONSTRAINT "KwOwner_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "KwItem" (
    "id" SERIAL NOT NULL,
    "data" TEXT,
    "where" TEXT,
    "is" TEXT,
    "isNot" TEXT,
    "set" TEXT,
    "create" TEXT,
    "bio" TEXT,
    "code" TEXT,
    "ownerId" INTEGER NOT NULL,
    CONSTRAINT "KwItem_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "KwItem_ownerId_key" ON "KwItem"("ownerId");

CREATE TABLE "KwEntry" (
    "id" SERIAL NOT NULL,
    "every" TEXT,
    "some" TEXT,
    "data" JSONB,
    "secret" TEXT,
    "ownerId" INTEGER NOT NULL,
    CONSTRAINT "KwEntry_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Plain" (
    "id" SERIAL NOT NULL,
    "label" TEXT NOT NULL,
    "value" INTEGER NOT NULL,
    CONSTRAINT "Plain_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "_UserGroups" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,
    CONSTRAINT "_UserGroups_AB_pkey" PRIMARY KEY ("A", "B")
);
CREATE INDEX "_UserGroups_B_index" ON "_UserGroups"("B");

CREATE TABLE "_PostTags" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,
    CONSTRAINT "_PostTags_AB_pkey" PRIMARY KEY ("A", "B")
);
CREATE INDEX "_PostTags_B_index" ON "_PostTags"("B");

ALTER TABLE "Profile" ADD CONSTRAINT "Profile_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "_UserGroups" ADD CONSTRAINT "_UserGroups_A_fkey" FOREIGN KEY ("A") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "_UserGroups" ADD CONSTRAINT "_UserGroups_B_fkey" FOREIGN KEY ("B") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "_PostTags" ADD CONSTRAINT "_PostTags_A_fkey" FOREIGN KEY ("A") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "_PostTags" ADD CONSTRAINT "_PostTags_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "KwItem" ADD CONSTRAINT "KwItem_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "KwOwner"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "KwEntry" ADD CONSTRAINT "KwEntry_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "KwOwner"("id") ON DELETE CASCADE ON UPDATE CASCADE;
