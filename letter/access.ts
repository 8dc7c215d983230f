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
