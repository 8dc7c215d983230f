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
