import { LETTER_FIELDS } from '../../letter/letter';
import { useTestDatabase } from '../support/services';

// letter/letter.ts lists the letter's fields once, and the register's row and queries are
// derived from that list: a column added by a migration without a field (or a field without
// its column) must fail here, not when a letter is registered.
describe("the letter's fields and the letter table", () => {
  const env = useTestDatabase();
  const fields = Object.values(LETTER_FIELDS);

  async function columns() {
    const { rows } = await env.db.pool.query<{ column_name: string; is_nullable: 'YES' | 'NO'; data_type: string }>(
      `SELECT column_name, is_nullable, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'letter' ORDER BY ordinal_position`,
    );
    return rows;
  }

  it('has a column for every field of the letter and a field for every column, in the same order', async () => {
    expect(fields.map((f) => f.column)).toEqual((await columns()).map((c) => c.column_name));
  });

  it('lets a column be empty exactly where the field defaults to null', async () => {
    const nullable = new Map((await columns()).map((c) => [c.column_name, c.is_nullable === 'YES']));
    const defaulted = fields.flatMap((f) => ('default' in f ? [f] : []));
    expect(defaulted.length).toBeGreaterThan(0);
    for (const field of defaulted)
      expect({ [field.column]: nullable.get(field.column) }).toEqual({ [field.column]: field.default === null });
  });

  it('reads every date column as the ISO date the letter holds, not as a Date at local midnight', async () => {
    const dates = (await columns()).filter((c) => c.data_type === 'date').map((c) => c.column_name);
    expect(dates.length).toBeGreaterThan(0);
    for (const column of dates) {
      const select = fields.find((f) => f.column === column)?.select ?? column;
      const { rows } = await env.db.pool.query(`SELECT ${select} AS ${column} FROM (SELECT DATE '2026-11-20' AS ${column}) AS letter`);
      expect({ [column]: rows[0][column] }).toEqual({ [column]: '2026-11-20' });
    }
  });
});
