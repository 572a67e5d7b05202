/** drizzle-kit configuration: generates SQL migrations in drizzle/ from src/adapters/db/tables.ts. */
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/adapters/db/tables.ts',
  out: './drizzle',
})
