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

/** One of a view's keys in letter_key (migration 19): o an officer named, u a unit as a whole, t a unit's tree. */
export interface ViewKey {
  kind: 'o' | 'u' | 't';
  keyId: number;
}

/**
 * An officer's view as keys of letter_key: `counted`, the one large key whose counts per state
 * are kept (view_count: every letter for an admin, the unit's tree for a supervisor), and `listed`,
 * the few letters held otherwise (by name, by their unit as a whole), read as lists. The rule of
 * letter/access.ts maySee: an officer sees what names them or is given to their unit as a whole,
 * a supervisor also everything given within their unit and the units below it, an admin all.
 */
export function viewKeys(scope: Scope): { counted: { kind: 'a'; keyId: 0 } | ViewKey | null; listed: ViewKey[] } {
  if (scope.everything) return { counted: { kind: 'a', keyId: 0 }, listed: [] };
  const listed: ViewKey[] = [{ kind: 'o', keyId: scope.officerId }];
  // A letter given to the unit as a whole is in the unit's tree too: listed only beside another tree.
  if (scope.unitId !== null && scope.unitId !== scope.supervisesUnitId) listed.push({ kind: 'u', keyId: scope.unitId });
  return { counted: scope.supervisesUnitId === null ? null : { kind: 't', keyId: scope.supervisesUnitId }, listed };
}

/** A key as a condition on letter_key's alias. */
export const keyIs = (alias: string, key: { kind: string; keyId: number }, params: SqlParams): string =>
  `(${alias}.kind = '${key.kind}' AND ${alias}.key_id = ${params.add(key.keyId)})`;

/**
 * The rule of letter/access.ts (scopeOf, maySee) as a condition on the letter, for the WHERE of
 * every query that finds letters for an officer: what they may not see is never fetched, so it
 * cannot leak through a count, a page or an id guessed. Asked of the letter's keys (letter_key),
 * which the assignments make. `how.states`, an array, when the query wants letters in those
 * states only (the keys hold each letter's state, so an officer's open letters are a short
 * list); `how.walk` when it walks the queue's index in order with no other filter, for a page;
 * `how.listed` (with states) when the statement's other conditions find many letters, as a
 * search's words do: the view's letters in those states are then listed once from the keys' index
 * and joined to them, where each would be looked up in the keys.
 */
export function visibleTo(
  scope: Scope,
  letter: LetterColumns,
  params: SqlParams,
  how: { states?: string; walk?: boolean; listed?: boolean } = {},
): string {
  const { id, restricted } = typeof letter === 'string' ? { id: `${letter}.id`, restricted: `${letter}.restricted` } : letter;
  const secret = scope.restricted ? 'true' : `NOT ${restricted}`;
  const { counted, listed } = viewKeys(scope);
  if (counted?.kind === 'a') return secret;
  if (!counted || (how.listed && how.states)) {
    const inStates = how.states ? ` AND k.state = ANY(${how.states})` : '';
    // An officer's letters are few beside the register's, and a supervisor's tree asked with a
    // search costs fewer pages of the keys' index (1,000-3,000 open letters for a division's head,
    // a few dozen pages) than looking up each of a common word's 1,200 matches (three pages each):
    // the list is made at once, each key's from the keys' index alone, and then only those
    // letters are looked at.
    const lists = [...(counted ? [counted] : []), ...listed].map(
      (key) => `SELECT k.letter_id FROM letter_key k WHERE ${keyIs('k', key, params)}${inStates}`,
    );
    return `${secret} AND ${id} IN (${lists.join(' UNION ALL ')})`;
  }
  if (!how.walk) {
    const keys = [counted, ...listed].map((key) => keyIs('k', key, params));
    // A supervisor's part of the office holds many letters: the planner weighs the filters and
    // the keys (letter_key's primary key, or the keys of a letter, letter_key_letter) and joins
    // them. Not asked of the keys' copy of the state: the statement asks it of the work row, and
    // a letter's keys are then read from the index alone.
    return `${secret} AND EXISTS (SELECT 1 FROM letter_key k WHERE (${keys.join(' OR ')}) AND k.letter_id = ${id})`;
  }
  // Their queue unfiltered holds most of the open letters too: it is walked in its order and each
  // letter looked up in their keys (the primary key, from the index alone) until a page is full.
  // Written as scalar subqueries, which PostgreSQL runs letter by letter: as EXISTS it may hash
  // every key of the tree first (127,000 for a division head) and sort the open letters in it.
  const probes = [counted, ...listed].map(
    (key) => `(SELECT true FROM letter_key k WHERE ${keyIs('k', key, params)} AND k.letter_id = ${id})`,
  );
  return `${secret} AND (${probes.join(' OR ')})`;
}
