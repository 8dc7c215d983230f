import { readFileSync } from 'node:fs';
import { dumpSchema, SCHEMA_FILE } from '../../bin/schema-dump';
import { useTestDatabase } from '../support/services';

// registry/schema.sql is where a reader finds today's rules: it must be what the migrations make.
describe('the committed schema', () => {
  const env = useTestDatabase();

  it('is the schema and functions of a freshly migrated register, line for line', async () => {
    const dumped = await dumpSchema(env.db.url);
    try {
      expect(dumped).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
    } catch (err) {
      (err as Error).message =
        'registry/schema.sql is not what the migrations in registry/sql make: run `npm run schema:dump` and commit registry/schema.sql\n\n' +
        (err as Error).message;
      throw err;
    }
  });
});
