import type { Colleague, Unit } from '../../registry/officers';

/** The office as a letter's page names it: units and officers by id, an audit event's actor in words. */
export interface Office {
  units: Unit[];
  officers: Colleague[];
}

export interface Names {
  unit(id: number | null | undefined): string;
  officer(id: number | null | undefined): string;
  /** 'officer:somchai' -> their name; 'system' -> ระบบ; an operator's command -> ผู้ดูแลระบบ. */
  actor(actor: string): string;
}

export function namesOf(office: Office): Names {
  const units = new Map(office.units.map((u) => [u.id, u.name]));
  const officers = new Map(office.officers.map((o) => [o.id, o.name]));
  const byUsername = new Map(office.officers.map((o) => [o.username, o.name]));
  return {
    unit: (id) => (id == null ? '—' : (units.get(id) ?? `หน่วยงาน ${id}`)),
    officer: (id) => (id == null ? '—' : (officers.get(id) ?? `เจ้าหน้าที่ ${id}`)),
    actor(actor) {
      const [kind, who] = actor.split(/:(.*)/s);
      switch (kind) {
        case 'officer':
          return byUsername.get(who) ?? who;
        case 'system':
        case 'desk':
          return 'ระบบ';
        case 'operator':
          return who ? `ผู้ดูแลระบบ (${who})` : 'ผู้ดูแลระบบ';
        case 'settings':
          return 'การตั้งค่าระบบ';
        default:
          return actor;
      }
    },
  };
}
