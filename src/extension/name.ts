/** The name the extension registers with Prisma; migrate looks for it to refuse an extended client. */
export const ENCRYPTION_EXTENSION_NAME = "prisma-ncp-kms";
