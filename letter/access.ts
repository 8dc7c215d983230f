import type { Purpose, Standing } from './transitions';

// Who may see and do what at the desk.

export type Role = 'officer' | 'supervisor' | 'admin';

export const ROLES: readonly Role[] = ['officer', 'supervisor', 'admin'];

/** The officer a desk request is made by (เจ้าหน้าที่), as the desk's rules need them. */
export interface Officer {
  id: number;
  username: string;
  /** ชื่อ สกุล */
  name: string;
  role: Role;
  unitId: number | null;
  /** Named for secret mail: may see letters marked ลับ and ลับมาก. */
  secretClearance: boolean;
}

/** Whether an officer of this role may use what is open to `needed` and above (admin > supervisor > officer). */
export function hasRole(officer: Pick<Officer, 'role'>, needed: Role): boolean {
  return ROLES.indexOf(officer.role) >= ROLES.indexOf(needed);
}

/** A unit of the office's tree (กอง > ฝ่าย > งาน). */
export interface UnitNode {
  id: number;
  parentId: number | null;
}

/**
 * One assignment of a letter as access reads it. An assignment to an officer also carries the
 * unit that officer was in when it was made, so their supervisors see it.
 */
export interface AssignmentSeen {
  unitId: number | null;
  /** null: assigned to the unit as a whole. */
  officerId: number | null;
  purpose: Purpose;
  open: boolean;
}

/** What access needs of a letter: whether it is secret, and its assignments in the order made. */
export interface LetterSeen {
  /** ลับมาก / ลับ (ลับที่สุด is never registered: it is held for the supervisor). */
  restricted: boolean;
  assignments: readonly AssignmentSeen[];
}

/** The unit and every unit below it. */
export function unitsUnder(units: readonly UnitNode[], rootId: number): Set<number> {
  const below = new Set([rootId]);
  // Units are few (tens): walk the list until nothing more joins.
  for (let grew = true; grew;) {
    grew = false;
    for (const u of units) {
      if (u.parentId !== null && below.has(u.parentId) && !below.has(u.id)) {
        below.add(u.id);
        grew = true;
      }
    }
  }
  return below;
}

/**
 * The part of the register an officer may see, as the queue's SQL applies it (registry/work.ts):
 * every letter (admin), or letters with an assignment, open or ended, to the officer, to their
 * unit as a whole, or (supervisor) to any unit in their part of the tree or any officer in it.
 *
 * Letters marked ลับมาก or ลับ only with secret clearance, for every role, admin included: the
 * regulation names the officers who handle secret mail (ระเบียบว่าด้วยการรักษาความลับของทาง
 * ราชการ), and the admin runs the system, which is not the same as being named for its secrets;
 * an admin who is so named gets the clearance like anyone else.
 */
export interface Scope {
  everything: boolean;
  officerId: number;
  /** Letters assigned to this unit as a whole; null: none. */
  unitId: number | null;
  /** A supervisor's unit: letters assigned within it and the units below it; null: none. */
  supervisesUnitId: number | null;
  restricted: boolean;
}

export function scopeOf(officer: Officer): Scope {
  return {
    everything: officer.role === 'admin',
    officerId: officer.id,
    unitId: officer.unitId,
    supervisesUnitId: officer.role === 'supervisor' ? officer.unitId : null,
    restricted: officer.secretClearance,
  };
}

/** The same rule as the queue's SQL, for one letter. */
export function maySee(officer: Officer, letter: LetterSeen, units: readonly UnitNode[]): boolean {
  const scope = scopeOf(officer);
  if (letter.restricted && !scope.restricted) return false;
  if (scope.everything) return true;
  const supervised = scope.supervisesUnitId !== null ? unitsUnder(units, scope.supervisesUnitId) : new Set<number>();
  return letter.assignments.some(
    (a) =>
      a.officerId === officer.id ||
      (a.officerId === null && a.unitId !== null && a.unitId === scope.unitId) ||
      (a.unitId !== null && supervised.has(a.unitId)),
  );
}

/**
 * How an officer stands to a letter they may see (letter/transitions.ts Standing): what the
 * table of moves asks of them. Nothing when they may not see it.
 */
export function standingsOf(officer: Officer, letter: LetterSeen, units: readonly UnitNode[]): Set<Standing> {
  const standings = new Set<Standing>();
  if (!maySee(officer, letter, units)) return standings;
  const holds = (a: AssignmentSeen) =>
    a.officerId === officer.id || (a.officerId === null && a.unitId !== null && a.unitId === officer.unitId);
  const acts = letter.assignments.filter((a) => a.purpose === 'act');
  const current = acts.find((a) => a.open) ?? acts.at(-1);
  if (current && holds(current)) standings.add('assignee');
  if (letter.assignments.some((a) => a.purpose === 'know' && holds(a))) standings.add('reader');
  if (officer.role === 'admin') standings.add('supervisor');
  if (officer.role === 'supervisor' && officer.unitId !== null) {
    const supervised = unitsUnder(units, officer.unitId);
    // Over the letter's work, not over a copy sent to know: the head of a unit that was only
    // told of a letter sees it (and acknowledges it for the unit) but does not direct it.
    if (letter.assignments.some((a) => a.purpose === 'act' && a.unitId !== null && supervised.has(a.unitId))) standings.add('supervisor');
  }
  return standings;
}
