-- Tables for prisma/schema.prisma on MySQL/MariaDB (Prisma's own DDL style).
-- Encrypted columns are TEXT (ciphertext is longer than the plaintext);
-- unique encrypted columns are VARCHAR(512) so InnoDB can index them. They use
-- the binary collation: ciphertext is base64, where case matters, and a
-- case-insensitive collation could match (or refuse as a duplicate) two
-- different ciphertexts.
CREATE TABLE `User` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `email` VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `name` VARCHAR(191) NULL,
    `phone` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    `notes` JSON NULL,
    `avatar` LONGBLOB NULL,
    `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE INDEX `User_email_key`(`email`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `Profile` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `bio` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    `taxId` VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    `userId` INTEGER NOT NULL,
    UNIQUE INDEX `Profile_userId_key`(`userId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `Post` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `title` VARCHAR(191) NOT NULL,
    `secret` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    `slug` VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `authorId` INTEGER NOT NULL,
    UNIQUE INDEX `Post_authorId_slug_key`(`authorId`, `slug`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `Tag` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `label` VARCHAR(191) NOT NULL,
    UNIQUE INDEX `Tag_label_key`(`label`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `Group` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `name` VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `AuditEntry` (
    `tenant` VARCHAR(191) NOT NULL,
    `seq` INTEGER NOT NULL,
    `payload` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `actor` VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (`tenant`, `seq`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `KwOwner` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `label` VARCHAR(191) NULL,
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `KwItem` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `data` VARCHAR(191) NULL,
    `where` VARCHAR(191) NULL,
    `is` VARCHAR(191) NULL,
    `isNot` VARCHAR(191) NULL,
    `set` VARCHAR(191) NULL,
    `create` VARCHAR(191) NULL,
    `bio` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    `code` VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    `ownerId` INTEGER NOT NULL,
    UNIQUE INDEX `KwItem_ownerId_key`(`ownerId`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `KwEntry` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `every` VARCHAR(191) NULL,
    `some` VARCHAR(191) NULL,
    `data` JSON NULL,
    `secret` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    `ownerId` INTEGER NOT NULL,
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `Plain` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `label` VARCHAR(191) NOT NULL,
    `value` INTEGER NOT NULL,
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `_UserGroups` (
    `A` INTEGER NOT NULL,
    `B` INTEGER NOT NULL,
    UNIQUE INDEX `_UserGroups_AB_unique`(`A`, `B`),
    INDEX `_UserGroups_B_index`(`B`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `_PostTags` (
    `A` INTEGER NOT NULL,
    `B` INTEGER NOT NULL,
    UNIQUE INDEX `_PostTags_AB_unique`(`A`, `B`),
    INDEX `_PostTags_B_index`(`B`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE `Profile` ADD CONSTRAINT `Profile_userId_fkey` FOREIGN KEY (`userId`) REFERENCES `User`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `_UserGroups` ADD CONSTRAINT `_UserGroups_A_fkey` FOREIGN KEY (`A`) REFERENCES `Group`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `_UserGroups` ADD CONSTRAINT `_UserGroups_B_fkey` FOREIGN KEY (`B`) REFERENCES `User`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `_PostTags` ADD CONSTRAINT `_PostTags_A_fkey` FOREIGN KEY (`A`) REFERENCES `Post`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `_PostTags` ADD CONSTRAINT `_PostTags_B_fkey` FOREIGN KEY (`B`) REFERENCES `Tag`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `KwItem` ADD CONSTRAINT `KwItem_ownerId_fkey` FOREIGN KEY (`ownerId`) REFERENCES `KwOwner`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE `KwEntry` ADD CONSTRAINT `KwEntry_ownerId_fkey` FOREIGN KEY (`ownerId`) REFERENCES `KwOwner`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
