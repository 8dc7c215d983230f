import { normaliseThaiText, toArabicDigits } from './thai';

// Where a newly registered letter goes first, as the office writes it in its settings: the
// first rule whose every condition the letter meets names a unit or an officer; a letter no
// rule takes goes to the central registry unit (งานสารบรรณกลาง), whose officers pass it on.

/** A rule as the settings give it (config/schema.ts): each condition given must hold, any of its values. */
export interface RoutingRule {
  name: string;
  when: {
    books?: string[];
    /** The sending agency (จาก) as the register names it. */
    agencies?: string[];
    /** The sender's domain, or a parent of it (moe.go.th takes obec.moe.go.th). */
    domains?: string[];
    /** Words the title (เรื่อง) contains; Thai is written without spaces, so any substring. */
    titleWords?: string[];
    urgencies?: string[];
  };
  to: RouteTarget;
}

/** A unit by its code or an officer by their username, as people write them in the settings. */
export type RouteTarget = { unit: string } | { officer: string };

/** What routing reads of a registered letter. */
export interface LetterToRoute {
  book: string;
  fromAddress: string | null;
  agency: string | null;
  /** เรื่อง as read; the subject when no title was read. */
  title: string | null;
  subject: string;
  urgency: string | null;
}

/** The first rule the letter meets and where it sends it; rule null: no rule took it, the central unit does. */
export interface Route {
  rule: string | null;
  to: RouteTarget;
}

export function routeLetter(rules: readonly RoutingRule[], letter: LetterToRoute, centralUnit: string): Route {
  const rule = rules.find((r) => meets(r, letter));
  return rule ? { rule: rule.name, to: rule.to } : { rule: null, to: { unit: centralUnit } };
}

function meets(rule: RoutingRule, letter: LetterToRoute): boolean {
  const { books, agencies, domains, titleWords, urgencies } = rule.when;
  if (books && !books.includes(letter.book)) return false;
  if (agencies && !(letter.agency !== null && agencies.some((a) => comparable(a) === comparable(letter.agency!)))) return false;
  if (domains) {
    const domain = letter.fromAddress?.split('@').pop()?.toLowerCase() ?? null;
    if (!domain || !domains.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`))) return false;
  }
  if (titleWords) {
    const title = comparable(letter.title ?? letter.subject);
    if (!titleWords.some((w) => title.includes(comparable(w)))) return false;
  }
  if (urgencies && !(letter.urgency !== null && urgencies.includes(letter.urgency))) return false;
  return true;
}

/** Text as routing compares it: Thai normalised, Arabic digits, lower case. */
function comparable(text: string): string {
  return toArabicDigits(normaliseThaiText(text)).toLowerCase();
}

/**
 * Round robin (เวียน) among a unit's officers on duty: the first by id after the one chosen last
 * (whether or not that one is still on duty), wrapping round to the first. Null when nobody is
 * on duty (the unit itself then holds the letter).
 */
export function nextInTurn(onDuty: readonly number[], lastChosen: number | null): number | null {
  if (onDuty.length === 0) return null;
  const ordered = [...onDuty].sort((a, b) => a - b);
  if (lastChosen === null) return ordered[0];
  return ordered.find((id) => id > lastChosen) ?? ordered[0];
}

/**
 * The instant a letter marked ด่วนภายใน must be dealt with by, from the deadline as read
 * (registry: `urgency_deadline`, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, Bangkok time): a date
 * alone means by the end of that day. Null when there is none or it is not a real date.
 */
export function deadlineOf(written: string | null): Date | null {
  const m = written ? /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(written) : null;
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  // Bangkok keeps UTC+7 all year.
  const bangkok = m[4] === undefined ? Date.UTC(year, month - 1, day + 1) : Date.UTC(year, month - 1, day, Number(m[4]), Number(m[5]));
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59)) return null;
  return new Date(bangkok - 7 * 3600_000);
}
