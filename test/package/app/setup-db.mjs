// Creates the SQLite database at DATABASE_URL (file:...) from db/schema.sql.
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";

const url = process.env.DATABASE_URL ?? "";
const db = new Database(url.replace(/^file:/, ""));
db.exec(readFileSync(new URL("./db/schema.sql", import.meta.url), "utf8"));
db.close();
