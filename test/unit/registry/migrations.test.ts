import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readMigrations } from '../../../registry/db';

// The migrations released as TypeScript strings (registry/migrations.ts, until the SQL moved to
// registry/sql/): the name and the SHA-256 of each string as that file held it. Databases in
// service ran exactly these; a file that no longer matches would build new registers unlike them.
const RELEASED = [
  {
    version: 1,
    name: 'inbound messages, letters, acknowledgements, audit',
    sha256: 'b7a2306224189303ba7ae10506385466f59e707256b54b70bcb6f60a27f6b100',
  },
  {
    version: 2,
    name: 'IMAP intake: message identity per source, watermarks, mailbox status',
    sha256: 'c5e4817df3b29f75efd6e3a479d5949c692acbbd90719a08be294685aab37fea',
  },
  {
    version: 3,
    name: 'the letter as a clerk reads it; decisions; replies (acknowledgements and notices)',
    sha256: 'f12ace44bd0f2819ecb8fb1a6292137a565f41732a8ad23f21a22ef5fbdae1da',
  },
  {
    version: 4,
    name: 'cheaper storage of raw messages; index for the reply caps',
    sha256: '18e7ce4db1722214b6a06a21e10679dc381836a5c6a323d722dd61ba5c934622',
  },
  {
    version: 5,
    name: 'registration in one round trip; reply caps kept as running tallies',
    sha256: 'd926d9bbff813448b12a14a70f7c91049ba601b7587822733d743c2ea2883071',
  },
  {
    version: 6,
    name: 'the duplicate look-up by its own indexes',
    sha256: 'ef2ae3128e3a6cf60d15157dc9291d1162967d797c7a33842bedebd7ca2fee0c',
  },
];

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('the migrations in registry/sql', () => {
  it('keeps migrations 1 to 6 byte for byte as they were released, under the same names', () => {
    const released = readMigrations().filter((m) => m.version <= RELEASED.length);
    expect(released.map((m) => ({ version: m.version, name: m.name, sha256: sha256(m.sql) }))).toEqual(RELEASED);
  });

  it('numbers the files 1, 2, 3 ... with no gap, each naming itself on its first line', () => {
    const versions = readMigrations().map((m) => m.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(readMigrations().every((m) => m.name.trim() !== '' && m.sql.trim() !== '')).toBe(true);
  });

  describe('refusing a folder that would migrate registers differently', () => {
    const folder = (files: Record<string, string>) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'saraban-sql-'));
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
      return dir;
    };

    it('refuses a missing number, naming the file after the gap', () => {
      const dir = folder({ '000001.sql': '-- one\nSELECT 1;\n', '000003.sql': '-- three\nSELECT 3;\n' });
      expect(() => readMigrations(dir)).toThrow(/000003\.sql: expected migration 2 next, found 3/);
    });

    it('refuses a file whose first line does not name it', () => {
      const dir = folder({ '000001.sql': 'CREATE TABLE t (x int);\n' });
      expect(() => readMigrations(dir)).toThrow(/000001\.sql: the first line must name the migration, as "-- <name>"/);
    });

    it('reads the name from the first line and runs the rest as it stands, ignoring other files', () => {
      const dir = folder({
        '000001.sql': '-- a table\n\n  CREATE TABLE t (x int);\n  ',
        'notes.txt': 'not SQL',
        '1.sql': '-- not six digits\n',
      });
      expect(readMigrations(dir)).toEqual([{ version: 1, name: 'a table', sql: '\n  CREATE TABLE t (x int);\n  ' }]);
    });
  });
});
