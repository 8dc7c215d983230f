import type { LetterMetadata } from './metadata';

// The letter as the incoming register (ทะเบียนหนังสือรับ) keeps it. Its fields are listed
// once, below: the types, the register's row, the columns a query reads and the default of
// each field the letter may not show are all derived from that list.

/** A file attached to the letter, as it arrived. */
export interface AttachmentReceived {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/**
 * Who fills a field in: the register when it numbers the letter; the e-mail itself, which
 * gives it for every letter; or the reading and checking of the letter, which may find
 * nothing, when the field takes its default.
 */
type Source = 'register' | 'e-mail' | 'reading';

interface Field<T, S extends Source> {
  source: S;
  /** The letter table's column. */
  column: string;
  /** The value when the reading found nothing (a field the reading fills has one). */
  default?: T;
  /** How a query reads the column, when node-postgres would not give the letter's value as it is. */
  select?: string;
}

const register = <T>(column: string): Field<T, 'register'> => ({ source: 'register', column });
const eMail = <T>(column: string): Field<T, 'e-mail'> => ({ source: 'e-mail', column });
const reading = <T>(column: string, fallback: T, options: { select?: string } = {}): Field<T, 'reading'> & { default: T } => ({
  source: 'reading',
  column,
  default: fallback,
  ...options,
});

/** Every field of a letter, in the letter table's order. */
export const LETTER_FIELDS = {
  id: register<number>('id'),
  inboundId: register<string>('inbound_id'),
  book: register<string>('book'),
  year: register<number>('year'), // Buddhist era
  number: register<number>('number'), // เลขทะเบียนรับ
  registeredAt: register<Date>('registered_at'),
  messageId: eMail<string | null>('message_id'),
  fromAddress: eMail<string | null>('from_address'),
  fromName: eMail<string | null>('from_name'),
  subject: eMail<string>('subject'),
  attachments: eMail<AttachmentReceived[]>('attachments'),
  reference: reading<string | null>('reference', null), // ที่, as written
  referenceNormalised: reading<string | null>('reference_normalised', null),
  circular: reading<boolean>('circular', false), // หนังสือเวียน
  letterDateWritten: reading<string | null>('letter_date_written', null), // ลงวันที่, as written
  // An ISO date (CE): node-postgres would make a date column a Date at local midnight.
  letterDate: reading<string | null>('letter_date', null, { select: "to_char(letter_date, 'YYYY-MM-DD')" }),
  title: reading<string | null>('title', null), // เรื่อง
  titleGuessed: reading<boolean>('title_guessed', false),
  addressee: reading<string | null>('addressee', null), // ถึง (เรียน)
  urgency: reading<string | null>('urgency', null), // ชั้นความเร็ว
  urgencyDeadline: reading<string | null>('urgency_deadline', null),
  secrecy: reading<string | null>('secrecy', null), // ชั้นความลับ
  agency: reading<string | null>('agency', null), // จาก
  agencySource: reading<string | null>('agency_source', null),
  authenticity: reading<object | null>('authenticity', null),
  // Registered although the sender was shown to be forged (policy): no acknowledgement.
  suspect: reading<boolean>('suspect', false),
  // ลับมาก / ลับ: only named officers see it.
  restricted: reading<boolean>('restricted', false),
  flags: reading<readonly string[]>('flags', []),
  forwardedBy: reading<object | null>('forwarded_by', null),
};

type Fields = typeof LETTER_FIELDS;
export type LetterField = keyof Fields;
type ValueOf<F> = F extends Field<infer T, Source> ? T : never;
type FieldsFrom<S extends Source> = { [K in LetterField as Fields[K]['source'] extends S ? K : never]: ValueOf<Fields[K]> };

/** What the e-mail itself gives of every letter: its Message-ID, From, subject and files. */
export type MessageDetails = FieldsFrom<'e-mail'>;
/** What the register gets of a letter: what the e-mail gives, and what was read of it or decided (each at its default when not given). */
export type LetterDetails = MessageDetails & Partial<FieldsFrom<'reading'>>;
/** A letter's details with every field given. */
export type CompleteDetails = FieldsFrom<'e-mail' | 'reading'>;
/** A registered letter, as the register keeps it. */
export type Letter = FieldsFrom<Source>;

/** The fields the register is given (all but those it sets itself when it numbers the letter). */
export const DETAIL_FIELDS = (Object.keys(LETTER_FIELDS) as LetterField[]).filter(
  (name) => LETTER_FIELDS[name].source !== 'register',
) as Array<keyof CompleteDetails>;

/** The details with every field the letter did not show at its default. */
export function withDefaults(details: LetterDetails): CompleteDetails {
  const complete: Record<string, unknown> = {};
  for (const name of DETAIL_FIELDS) {
    const field: Field<unknown, Source> = LETTER_FIELDS[name];
    complete[name] = 'default' in field ? (details[name] ?? field.default) : details[name];
  }
  return complete as CompleteDetails;
}

/** What was read of the message (worker/read.ts readMessage gives it). */
export interface MessageRead {
  /** The letter's own: when a message forwards another, the forwarded one. */
  details: MessageDetails;
  /** What the first PDF attached allowed us to read. */
  pdf: { present: boolean; textLayer: boolean; encrypted: boolean; unreadable: boolean };
  forwardedBy: object | null;
  /** What could not be read (letter/mime.ts ReadProblem): named in the letter's flags. */
  problems?: readonly { kind: string }[];
}

/** Everything a letter's details come from: what was read, what was decided, and what was checked. */
export interface LetterSources {
  read: MessageRead;
  /** ที่, ลงวันที่, เรื่อง, เรียน, urgency and secrecy as read from the letter (letter/metadata.ts). */
  metadata: LetterMetadata;
  /** What letter/policy.ts decided for a letter to register. */
  decision: { suspect: boolean; restricted: boolean };
  /** SPF, DKIM and DMARC, and the verdict on them. */
  authenticity: object;
  /** The sending agency (จาก) and how it was found (letter/agencies.ts sendingAgency). */
  agency: { name: string; source: string };
}

/** The details the register gets of a letter, from what was read of it, decided and checked. */
export function letterDetails({ read, metadata, decision, authenticity, agency }: LetterSources): CompleteDetails {
  return withDefaults({
    ...read.details,
    reference: metadata.reference?.written,
    referenceNormalised: metadata.reference?.normalised,
    circular: metadata.reference?.circular,
    letterDateWritten: metadata.letterDate?.written,
    letterDate: metadata.letterDate?.iso,
    title: metadata.title,
    titleGuessed: metadata.titleGuessed,
    addressee: metadata.addressee,
    urgency: metadata.urgency?.level,
    urgencyDeadline: metadata.urgency?.deadline?.iso,
    secrecy: metadata.secrecy,
    agency: agency.name,
    agencySource: agency.source,
    authenticity,
    suspect: decision.suspect,
    restricted: decision.restricted,
    // A letter read with problems says which (the details are in the log).
    flags: [
      ...new Set(
        [...pdfFlags(read.pdf), ...(read.problems ?? []), ...(metadata.problems ?? []), ...toComplete(metadata)].map((f) =>
          typeof f === 'string' ? f : f.kind,
        ),
      ),
    ],
    forwardedBy: read.forwardedBy,
  });
}

/**
 * The flag of a letter whose ที่ or ลงวันที่ no source gave (a scan with no text layer, a file
 * name that says nothing): the register's entry is to be completed by a clerk.
 */
export const TO_COMPLETE = 'to-complete';

function toComplete(metadata: LetterMetadata): string[] {
  return metadata.reference === null || metadata.letterDate === null ? [TO_COMPLETE] : [];
}

/** What the register notes of the first PDF: a letter that could not be read, or a scan with no text. */
function pdfFlags(pdf: MessageRead['pdf']): string[] {
  const flags: string[] = [];
  if (pdf.encrypted) flags.push('pdf-encrypted');
  if (pdf.unreadable) flags.push('pdf-unreadable');
  if (pdf.present && !pdf.textLayer && !pdf.encrypted && !pdf.unreadable) flags.push('pdf-no-text-layer');
  return flags;
}
