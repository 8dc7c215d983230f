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
 * The rule of letter/access.ts (scopeOf, maySee) as a condition on the letter `alias`, for the
 * WHERE of every query that finds letters for an officer: what they may not see is never
 * fetched, so it cannot leak through a count, a page or an id guessed.
 */
export function visibleTo(scope: Scope, alias: string, params: SqlParams): string {
  const secret = scope.restricted ? 'true' : `NOT ${alias}.restricted`;
  if (scope.everything) return secret;
  const holders = [`a.officer_id = ${params.add(scope.officerId)}`];
  if (scope.unitId !== null) holders.push(`(a.officer_id IS NULL AND a.unit_id = ${params.add(scope.unitId)})`);
  if (scope.supervisesUnitId !== null) {
    holders.push(
      `a.unit_id IN (WITH RECURSIVE below (id) AS (SELECT ${params.add(scope.supervisesUnitId)}::integer
                       UNION SELECT u.id FROM unit u JOIN below b ON u.parent_id = b.id) SELECT id FROM below)`,
    );
  }
  return `${secret} AND EXISTS (SELECT 1 FROM assignment a WHERE a.letter_id = ${alias}.id AND (${holders.join(' OR ')}))`;
}
