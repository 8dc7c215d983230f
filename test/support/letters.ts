// The letter side's helpers for tests: units and officers as `saraban unit add` and
// `saraban officer add` make them, and registered letters.
import { createHash } from 'node:crypto';
import type { Officer } from '../../letter/access';
import type { Letter, LetterDetails } from '../../letter/letter';
import type { Pool } from '../../registry/db';
import type { ReplyTier } from '../../letter/trust';
import { registerLetter } from '../../registry/letters';
import type { ReplyLimits } from '../../registry/replies';
import { newApiToken, secretHash } from '../../desk/auth/secret';
import { addOfficer as addPerson, addUnit as addUnitRecord, createToken, setOnDuty } from '../../registry/officers';
import { keepMessage, replyRules, useTestDatabase, type TestDatabase } from './services';

const change = () => ({ actor: 'operator:test', at: new Date() });

/** For a describe block: a private database with the register's and the desk's tables. */
export function useDeskDatabase(): { db: TestDatabase } {
  return useTestDatabase();
}

export async function addUnit(pool: Pool, code: string, name: string, parentCode?: string): Promise<number> {
  return (await addUnitRecord(pool, { code, name, parentCode }, change())).id;
}

export interface OfficerToAdd {
  username: string;
  role?: Officer['role'];
  unit?: string | null;
  secretClearance?: boolean;
  /** false: on leave, so routing passes them by. */
  onDuty?: boolean;
}

export async function addOfficer(pool: Pool, o: OfficerToAdd): Promise<Officer> {
  const officer = await addPerson(
    pool,
    {
      username: o.username,
      name: `คุณ ${o.username}`,
      role: o.role ?? 'officer',
      unitCode: o.unit ?? undefined,
      secretClearance: o.secretClearance,
    },
    change(),
  );
  if (o.onDuty === false) await setOnDuty(pool, o.username, false, change());
  return officer;
}

/** Officers of these units, each given an API token, as `saraban token create` does: the tokens by username. */
export async function officersWithTokens(pool: Pool, officers: ReadonlyArray<readonly [username: string, unit: string]>) {
  const tokens: Record<string, string> = {};
  for (const [username, unit] of officers) {
    await addOfficer(pool, { username, unit });
    tokens[username] = newApiToken();
    await createToken(pool, username, secretHash(tokens[username]), 'test', change());
  }
  return tokens;
}

let letterSeq = 0;

/** Registers a letter with these register fields (a message kept for it first), acknowledged to its sender. */
export async function registerTestLetter(
  pool: Pool,
  details: Partial<LetterDetails> = {},
  options: {
    book?: string;
    at?: Date;
    mailFrom?: string;
    /** A message kept already, for a letter with real files. */ inboundId?: string;
    /** The sender's tier, so that the reply windows of `replyLimits` weigh its acknowledgement (none otherwise). */
    tier?: ReplyTier;
    replyLimits?: ReplyLimits;
  } = {},
): Promise<Letter> {
  const n = ++letterSeq;
  const inboundId =
    options.inboundId ?? (await keepMessage(pool, `Subject: letter ${n}\n\nbody ${n}\n`, options.book ?? 'RB', options.mailFrom));
  const { letter } = await registerLetter(
    pool,
    {
      inboundId,
      book: options.book ?? 'RB',
      details: {
        messageId: `<letter-${n}-${inboundId}@moe.go.th>`,
        fromAddress: 'saraban@moe.go.th',
        fromName: null,
        subject: `ที่ ศธ 0206/${n} เรื่อง หนังสือทดสอบ ${n}`,
        attachments: [],
        title: `หนังสือทดสอบ ${n}`,
        ...details,
      },
      reply: {
        kind: 'acknowledgement',
        reason: null,
        recipient: options.mailFrom ?? 'saraban@moe.go.th',
        messageId: `<ack.${inboundId}@example.go.th>`,
        tier: options.tier,
      },
      replyLimits: options.replyLimits ?? replyRules(),
    },
    () => options.at ?? new Date(),
  );
  return letter;
}

/**
 * A letter that came with its PDF: the message kept as an agency sends it (a cover note, the PDF
 * attached), the PDF listed in the register as หนังสือ.pdf, after any files `details` lists.
 */
export async function registerLetterWithPdf(pool: Pool, pdf: Buffer, details: Partial<LetterDetails> = {}): Promise<Letter> {
  const raw = [
    'From: saraban@moe.go.th',
    'To: saraban@example.go.th',
    `Subject: ${details.subject ?? details.title ?? 'letter'}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'เรียน ผู้อำนวยการ',
    '--b',
    'Content-Type: application/pdf; name="letter.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    pdf.toString('base64'),
    '--b--',
    '',
  ].join('\n');
  const listed = {
    filename: 'หนังสือ.pdf',
    contentType: 'application/pdf',
    size: pdf.length,
    sha256: createHash('sha256').update(pdf).digest('hex'),
  };
  return registerTestLetter(
    pool,
    { ...details, attachments: [...(details.attachments ?? []), listed] },
    { inboundId: await keepMessage(pool, raw) },
  );
}

/**
 * Fills the register with `count` letters shaped as the gateway writes them (no desk work rows
 * beyond what the triggers make), numbered from `first` in a book's year, in one statement: a
 * register of many letters for the export's tests, without a registration each.
 */
export async function fillRegister(pool: Pool, book: string, year: number, first: number, count: number): Promise<void> {
  await pool.query(
    `WITH kept AS (
       INSERT INTO inbound (id, received_at, edge, mail_from, rcpt_to, book, size, sha256, processed_at, outcome)
       SELECT gen_random_uuid(), now(), 'smtp', 'clerk@moe.go.th', '{saraban@example.go.th}', $1, 150000, md5(n::text) || md5(n::text), now(), 'registered'
         FROM generate_series(1, $4::int) AS n
       RETURNING id)
     INSERT INTO letter (inbound_id, book, year, number, registered_at, message_id, from_address, from_name, subject, title,
                         reference, reference_normalised, letter_date_written, letter_date, addressee, agency, agency_source, attachments)
     SELECT id, $1, $2, $3 - 1 + row_number() OVER (), now(), '<' || id || '@moe.go.th>', 'clerk@moe.go.th', 'สารบรรณ สพฐ.',
            'ที่ ศธ 0206/' || id || ' เรื่อง ขอเชิญประชุมคณะกรรมการ, "ด่วน"', 'ขอเชิญประชุมคณะกรรมการ',
            'ศธ 0206/' || id, 'ศธ0206/' || id, '20 พฤศจิกายน 2569', '2026-11-20', 'ผู้อำนวยการ', 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน', 'directory',
            jsonb_build_array(jsonb_build_object('filename', 'หนังสือเชิญประชุม.pdf', 'contentType', 'application/pdf', 'size', 140000, 'sha256', md5(id::text) || md5(id::text)))
       FROM kept`,
    [book, year, first, count],
  );
}
