/** `npm run migrate`: creates the database if missing and applies pending migrations (registry-api does it at start too). */
import { ensureSchema } from "@charthouse/db";

await ensureSchema(process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/charthouse");
process.stderr.write("Database schema is current\n");
