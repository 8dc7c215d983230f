// `npm run schema:dump [admin URL]`: writes registry/schema.sql, the schema and functions that
// the migrations in registry/sql make, read back from a database migrated for the purpose.
// test/integration/schema.test.ts checks that the committed file is still that schema.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createPool, migrate } from '../registry/db';

export const SCHEMA_FILE = path.resolve(__dirname, '../registry/schema.sql');

const HEADER = `-- The register's schema and functions as the migrations in registry/sql/ leave them: read
-- today's rules here, change them with a new migration. Written by \`npm run schema:dump\`
-- (pg_dump --schema-only --no-owner --no-privileges, without its version and session lines);
-- test/integration/schema.test.ts fails when it is not what the migrations make.
`;

/**
 * The schema of the database at `url` as pg_dump prints it, without the lines that change with
 * pg_dump's version or run rather than with the schema: the version header, the session
 * settings (SET, set_config) and the random key of \restrict and \unrestrict (pg_dump 15.14
 * and later).
 */
export async function dumpSchema(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', `--dbname=${url}`], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new Error('pg_dump was not found: install PostgreSQL client programs (Debian: postgresql-client)');
    throw err;
  });
  return `${HEADER}\n${normaliseDump(stdout)}`;
}

export function normaliseDump(dump: string): string {
  return (
    dump
      .replace(/^--\n-- PostgreSQL database dump( complete)?\n--\n/gm, '')
      .split('\n')
      .filter((line) => !/^(SET |SELECT pg_catalog\.set_config\(|\\restrict |\\unrestrict |-- Dumped (from|by) )/.test(line))
      .join('\n')
      // What was removed leaves runs of empty lines: one empty line between statements.
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}

/** Migrates a database made for the purpose, dumps its schema and drops it. */
export async function dumpMigratedSchema(adminUrl: string): Promise<string> {
  const name = `saraban_schema_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const pool = createPool(url.toString(), 1);
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
      return await dumpSchema(url.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

if (require.main === module) {
  const adminUrl = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  dumpMigratedSchema(adminUrl).then(
    (schema) => {
      writeFileSync(SCHEMA_FILE, schema);
      console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
    },
    (err: Error) => {
      console.error(
        `schema:dump: ${err.message}\n(usage: npm run schema:dump [postgres://user@host:port/database to connect to meanwhile])`,
      );
      process.exit(1);
    },
  );
}
