import type { Scope } from '../letter/access';

/** Numbered parameters for a query built from parts: add() a value, get its $n. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Where a query reads a letter's id and its secrecy (ลับ): the letter itself, by its alias
 * (`'l'`: l.id, l.restricted), or its work row, which keeps a copy of the flag (migration 17):
 * `{ id: 'w.letter_id', restricted: 'w.restricted' }`.
 */
export type LetterColumns = string | { id: string; restricted: string };

/**
 * The rule of letter/access.ts (scopeOf, maySee) as a condition on the letter, for the WHERE of
 * every query that finds letters for an officer: what they may not see is never fetched, so it
 * cannot leak through a count, a page or an id guessed.
 */
export function visibleTo(scope: Scope, letter: LetterColumns, params: SqlParams): string {
  const { id, restricted } = typeof letter === 'string' ? { id: `${letter}.id`, restricted: `${letter}.restricted` } : letter;
  const secret = scope.restricted ? 'true' : `NOT ${restricted}`;
  if (scope.everything) return secret;
  const officer = params.add(scope.officerId);
  const unit = scope.unitId === null ? null : params.add(scope.unitId);
  if (scope.supervisesUnitId === null) {
    // An officer's letters are few beside the register's: their list is made at once, each way
    // of holding a letter read from an index of its own alone (assignment_officer,
    // assignment_unit_whole), and then only those letters are looked at.
    const held = [`SELECT a.letter_id FROM assignment a WHERE a.officer_id = ${officer}`];
    if (unit) held.push(`SELECT a.letter_id FROM assignment a WHERE a.officer_id IS NULL AND a.unit_id = ${unit}`);
    return `${secret} AND ${id} IN (${held.join(' UNION ALL ')})`;
  }
  // A supervisor's part of the office holds many letters: each letter is looked up in its
  // assignments (assignment_holders, an index that answers alone) as the queue is walked. Their
  // part of the tree is an array found once for the whole statement (an InitPlan).
  const holders = [
    `a.officer_id = ${officer}`,
    ...(unit ? [`(a.officer_id IS NULL AND a.unit_id = ${unit})`] : []),
    `a.unit_id = ANY (ARRAY(WITH RECURSIVE below (id) AS (SELECT ${params.add(scope.supervisesUnitId)}::integer
                       UNION SELECT u.id FROM unit u JOIN below b ON u.parent_id = b.id) SELECT id FROM below))`,
  ];
  return `${secret} AND EXISTS (SELECT 1 FROM assignment a WHERE a.letter_id = ${id} AND (${holders.join(' OR ')}))`;
}
