// What a sender hears when a message does not become a new registered letter: never silence
// (REGULATION.md, "What the sender gets back"). Each notice says what was wrong and what to
// do, in Thai and then in English, with a reason code the help desk can look up.
import { automaticReplyHeaders, contactLines, registrationNumber, type Agency } from './acknowledgement';
import { formatIsoBangkok, formatThaiDateTime } from './calendar';

export type NoticeReason =
  | 'no-letter-attached' // nothing of an allowed type attached and a body too short to be the letter
  | 'top-secret' // ลับที่สุด: may not travel by e-mail; held for the supervisor
  | 'duplicate' // already registered: no new number was given
  | 'unreadable-letter' // registered, but the attached letter could not be opened
  | 'returned'; // registered, then sent back by an officer (ส่งคืน), with their reason

/** A file type the gateway takes as the letter, as each language names it. */
export type AllowedType = string | { th: string; en: string };

export interface NoticeFacts {
  reason: NoticeReason;
  agency: Agency;
  receivedAt: Date;
  subject: string; // the subject of their message as received
  letterMessageId: string | null;
  /** The registered letter: required for 'duplicate' and 'unreadable-letter'. */
  existing?: { book: { code: string; name: string }; number: number; year: number; registeredAt: Date };
  /** For 'no-letter-attached'; DEFAULT_ALLOWED_TYPES when absent. */
  allowedTypes?: readonly AllowedType[];
  /** For 'unreadable-letter': the files that could not be opened. */
  unreadableFiles?: readonly string[];
  /** For 'returned': the officer's reason, as they wrote it. */
  returnedBecause?: string;
}

export interface NoticeMessage {
  subject: string;
  text: string;
  headers: Record<string, string>;
  reasonCode: string;
}

export const REASON_CODES: Readonly<Record<NoticeReason, string>> = {
  'no-letter-attached': 'SB-NO-LETTER',
  'top-secret': 'SB-TOP-SECRET',
  duplicate: 'SB-DUPLICATE',
  'unreadable-letter': 'SB-UNREADABLE',
  returned: 'SB-RETURNED',
};

export const DEFAULT_ALLOWED_TYPES: readonly AllowedType[] = ['PDF', 'Word', { th: 'รูปภาพ (JPEG, PNG)', en: 'image (JPEG, PNG)' }, 'ZIP'];

/** What differs between notices; the frame (greeting, received, code, closing) is shared. */
interface Wording {
  subjectTh: string;
  subjectEn: string;
  /** Whether the notice repeats the sender's subject: not for a top-secret letter, whose title may itself be secret. */
  echoSubject: boolean;
  /** Register lines after "วันที่รับ". */
  facts: string[];
  th: string[];
  closingTh: string;
  en: string;
}

export function composeNotice(facts: NoticeFacts): NoticeMessage {
  const reasonCode = REASON_CODES[facts.reason];
  const wording = wordingFor(facts);
  const subject = oneLine(facts.subject) || '(ไม่มีชื่อเรื่อง)';
  const agencyEn = facts.agency.nameEn ?? facts.agency.name;
  const contact = contactLines(facts.agency);

  const text = [
    'เรียน ผู้ส่งหนังสือ',
    '',
    `${facts.agency.name} ได้รับข้อความของท่านทางไปรษณีย์อิเล็กทรอนิกส์ ดังนี้`,
    `วันที่รับ: ${formatThaiDateTime(facts.receivedAt)}`,
    ...(wording.echoSubject ? [`เรื่อง: ${subject}`] : []),
    ...wording.facts,
    '',
    ...wording.th,
    '',
    `${wording.closingTh} หากมีข้อสงสัย โปรดติดต่อ${facts.agency.name} และแจ้งรหัสเหตุผลด้านล่าง`,
    ...contact.th,
    'ข้อความนี้ส่งโดยระบบอัตโนมัติ โปรดอย่าตอบกลับ',
    '',
    `${agencyEn} received your message by e-mail on ${formatIsoBangkok(facts.receivedAt)}. ${wording.en} ` +
      'If you have questions, contact the agency and quote the reason code below. This is an automatic reply; please do not answer it.',
    ...contact.en,
    '',
    `รหัสเหตุผล / Reason code: ${reasonCode}`,
    '',
  ].join('\n');

  const headers = automaticReplyHeaders(facts.letterMessageId, facts.agency.domain);
  const title = `${wording.subjectTh} / ${wording.subjectEn}`;
  return { subject: wording.echoSubject ? `${title} - ${subject}` : title, text, headers, reasonCode };
}

/** A notice's title, Thai and English, as its subject gives it (the digest lists held notices by it). */
export function noticeTitle(facts: Pick<NoticeFacts, 'reason' | 'existing' | 'returnedBecause'>): { th: string; en: string } {
  const wording = wordingFor(facts);
  return { th: wording.subjectTh, en: wording.subjectEn };
}

function wordingFor(facts: Pick<NoticeFacts, 'reason' | 'existing' | 'allowedTypes' | 'unreadableFiles' | 'returnedBecause'>): Wording {
  switch (facts.reason) {
    case 'no-letter-attached': {
      const types = facts.allowedTypes?.length ? facts.allowedTypes : DEFAULT_ALLOWED_TYPES;
      const th = listOf(
        types.map((t) => (typeof t === 'string' ? t : t.th)),
        'หรือ',
      );
      const en = listOf(
        types.map((t) => (typeof t === 'string' ? t : t.en)),
        'or',
      );
      return {
        subjectTh: 'ไม่ได้ลงทะเบียนรับ: ไม่พบไฟล์หนังสือ',
        subjectEn: 'Not registered: no letter attached',
        echoSubject: true,
        facts: [],
        th: [
          'ข้อความดังกล่าวยังไม่ได้ลงทะเบียนรับเป็นหนังสือราชการ เนื่องจากไม่พบไฟล์หนังสือแนบมา ' + 'และเนื้อความในอีเมลสั้นเกินกว่าจะเป็นตัวหนังสือได้',
          `โปรดส่งหนังสือมาใหม่ โดยแนบไฟล์หนังสือในรูปแบบ ${th}`,
        ],
        closingTh: 'จึงเรียนมาเพื่อโปรดดำเนินการ',
        en:
          'It has not been registered as an official letter: no letter was attached, and the text of the e-mail is too short to be the letter. ' +
          `Please send it again with the letter attached as ${en}.`,
      };
    }
    case 'top-secret':
      return {
        subjectTh: 'ไม่ได้ลงทะเบียนรับ: หนังสือชั้นลับที่สุด',
        subjectEn: 'Not registered: top secret letter',
        echoSubject: false,
        facts: [],
        th: [
          'ข้อความดังกล่าวระบุชั้นความลับ "ลับที่สุด" ซึ่งตามระเบียบไม่อาจส่งทางไปรษณีย์อิเล็กทรอนิกส์ได้ ' +
            'จึงไม่ได้ลงทะเบียนรับ และได้เก็บข้อความไว้ให้ผู้บังคับบัญชาพิจารณาโดยไม่ส่งต่อให้ผู้ปฏิบัติงาน',
          'โปรดส่งหนังสือดังกล่าวทางช่องทางอื่น เช่น ให้เจ้าหน้าที่ผู้ได้รับมอบหมายนำส่งด้วยตนเอง ' + 'และโปรดอย่าส่งหนังสือชั้นลับที่สุดทางไปรษณีย์อิเล็กทรอนิกส์อีก',
        ],
        closingTh: 'จึงเรียนมาเพื่อโปรดดำเนินการ',
        en:
          'It is marked top secret (ลับที่สุด), which the regulation does not allow to be sent by e-mail, so it has not been registered; ' +
          'it is held for the supervisor and has not been passed on to staff. ' +
          'Please deliver the letter another way, such as by hand through an authorised officer, and do not send top secret letters by e-mail.',
      };
    case 'duplicate': {
      const existing = required(facts);
      const number = registrationNumber(existing.number, existing.year);
      return {
        subjectTh: `ไม่ได้ลงทะเบียนรับซ้ำ: ลงทะเบียนไว้แล้ว เลขรับ ${number}`,
        subjectEn: `Not registered again: already registered as no. ${number}`,
        echoSubject: true,
        facts: registerLines(existing),
        th: [
          `ข้อความดังกล่าวเป็นหนังสือฉบับเดียวกับที่ลงทะเบียนรับไว้แล้ว เลขรับ ${number} จึงไม่ได้ออกเลขรับใหม่`,
          `ท่านไม่ต้องส่งหนังสือฉบับนี้มาอีก โปรดใช้เลขรับ ${number} ในการติดต่ออ้างอิง`,
        ],
        closingTh: 'จึงเรียนมาเพื่อโปรดทราบ',
        en:
          `It is the same letter already registered in book ${existing.book.code} as number ${number} ` +
          `on ${formatIsoBangkok(existing.registeredAt)}, so no new number was given. ` +
          `There is no need to send it again; please quote number ${number}.`,
      };
    }
    case 'unreadable-letter': {
      const existing = required(facts);
      const number = registrationNumber(existing.number, existing.year);
      const files = facts.unreadableFiles ?? [];
      return {
        subjectTh: `ลงทะเบียนรับแล้ว เลขรับ ${number} แต่เปิดไฟล์หนังสือไม่ได้`,
        subjectEn: `Registered as no. ${number}, but the letter could not be opened`,
        echoSubject: true,
        facts: [...registerLines(existing), ...files.map((f, i) => `${i === 0 ? 'ไฟล์ที่เปิดไม่ได้: ' : '  '}${f}`)],
        th: [
          `หนังสือของท่านได้ลงทะเบียนรับแล้ว เลขรับ ${number} แต่ไม่สามารถเปิดไฟล์หนังสือที่แนบมาได้ ` + '(ไฟล์อาจตั้งรหัสผ่านไว้หรือเสียหาย)',
          `โปรดส่งไฟล์หนังสือที่เปิดอ่านได้โดยไม่ต้องใช้รหัสผ่านมาอีกครั้ง และระบุ "เลขรับ ${number}" ในชื่อเรื่อง ` + 'เพื่อให้เจ้าหน้าที่ทราบว่าเป็นหนังสือฉบับเดียวกัน',
        ],
        closingTh: 'จึงเรียนมาเพื่อโปรดดำเนินการ',
        en:
          `It has been registered in book ${existing.book.code} as number ${number}, ` +
          'but the attached letter could not be opened (it may be password-protected or damaged). ' +
          `Please send a copy that opens without a password, with "no. ${number}" in the subject so staff know it is the same letter.`,
      };
    }
    case 'returned': {
      const existing = required(facts);
      const number = registrationNumber(existing.number, existing.year);
      const because = oneLine(facts.returnedBecause ?? '');
      if (!because) throw new TypeError("a 'returned' notice needs the officer's reason (facts.returnedBecause)");
      return {
        subjectTh: `ส่งคืนหนังสือ เลขรับ ${number}`,
        subjectEn: `Letter returned, registration no. ${number}`,
        echoSubject: true,
        facts: registerLines(existing),
        th: [
          `หนังสือของท่านซึ่งลงทะเบียนรับไว้ เลขรับ ${number} ได้รับการพิจารณาแล้ว และส่งคืนผู้ส่ง ด้วยเหตุผลดังนี้`,
          because,
          `หากจะส่งหนังสือมาใหม่ โปรดแก้ไขตามเหตุผลข้างต้น และอ้างถึงเลขรับ ${number}`,
        ],
        closingTh: 'จึงเรียนมาเพื่อโปรดดำเนินการ',
        en:
          `The letter registered in book ${existing.book.code} as number ${number} has been considered and returned to you, ` +
          `for the reason given above in Thai by the officer. If you send it again, please address that reason and quote number ${number}.`,
      };
    }
  }
}

function registerLines(existing: NonNullable<NoticeFacts['existing']>): string[] {
  return [
    `ทะเบียน: ${existing.book.name} (${existing.book.code})`,
    `เลขรับ: ${registrationNumber(existing.number, existing.year)}`,
    `วันที่ลงทะเบียนรับ: ${formatThaiDateTime(existing.registeredAt)}`,
  ];
}

function required(facts: Pick<NoticeFacts, 'reason' | 'existing'>): NonNullable<NoticeFacts['existing']> {
  if (!facts.existing) throw new TypeError(`a '${facts.reason}' notice needs the registered letter (facts.existing)`);
  return facts.existing;
}

/** "PDF, Word หรือ ZIP" / "PDF, Word or ZIP". */
function listOf(items: readonly string[], or: string): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} ${or} ${items[items.length - 1]}`;
}

/** A subject as one header-safe line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// ---- SMTP refusals ------------------------------------------------------------------------
// SMTP replies are ASCII unless the client asked for SMTPUTF8, and a Thai officer reading a
// bounce sees them in English: each carries the reason code, which the help desk looks up.
// smtp-server adds the enhanced status code (5.1.1, ...) from the reply code.

export type SmtpRefusalReason = 'unknown-recipient' | 'too-large' | 'not-kept' | 'other-book';
export interface SmtpRefusalDetail {
  address?: string;
  limitBytes?: number;
}
export interface SmtpRefusal {
  code: number;
  text: string;
}

export const SMTP_REASON_CODES: Readonly<Record<SmtpRefusalReason, string>> = {
  'unknown-recipient': 'SB-NO-MAILBOX',
  'too-large': 'SB-TOO-LARGE',
  'not-kept': 'SB-TRY-LATER',
  'other-book': 'SB-OTHER-BOOK',
};

/** The address as the client gave it, made safe for a reply line: no controls, ASCII when asked, at most 256 octets (RFC 5321 allows 254). */
function quoted(address: string | undefined, ascii: boolean): string {
  let safe = '';
  for (const char of (address ?? '').replace(ascii ? /[^\x21-\x7e]/g : /[\p{Cc}\s]/gu, '?').replace(/[<>]/g, '')) {
    if (Buffer.byteLength(safe + char) > 256) break;
    safe += char;
  }
  return `<${safe}>`;
}

/** 26214400 -> "25 MB"; 1572864 -> "1.5 MB". */
function megabytes(bytes: number): string {
  return `${Number((bytes / 1048576).toFixed(1))} MB`;
}

export const smtpRefusals: Record<SmtpRefusalReason, (detail: SmtpRefusalDetail) => SmtpRefusal> = {
  'unknown-recipient': ({ address }) => ({
    code: 550,
    text: `${quoted(address, true)}: not a central address (saraban) of this agency; no relaying [SB-NO-MAILBOX]`,
  }),
  'too-large': ({ limitBytes }) => ({
    code: 552,
    text:
      limitBytes === undefined
        ? 'message larger than this agency accepts; send the letter in parts or as a link [SB-TOO-LARGE]'
        : `message larger than ${megabytes(limitBytes)} (${limitBytes} bytes); send the letter in parts or as a link [SB-TOO-LARGE]`,
  }),
  'not-kept': () => ({
    code: 451,
    text: 'cannot keep the message right now; it will be accepted when you retry [SB-TRY-LATER]',
  }),
  'other-book': ({ address }) => ({
    code: 452,
    text: `${quoted(address, true)} belongs to another register; send it again in its own message [SB-OTHER-BOOK]`,
  }),
};

/** The same refusals in Thai, for clients that sent MAIL FROM with SMTPUTF8. */
export const smtpRefusalsUtf8: Record<SmtpRefusalReason, (detail: SmtpRefusalDetail) => SmtpRefusal> = {
  'unknown-recipient': ({ address }) => ({
    code: 550,
    text: `${quoted(address, false)}: ไม่ใช่ที่อยู่อีเมลกลาง (สารบรรณ) ของหน่วยงานนี้ และไม่รับส่งต่อ [SB-NO-MAILBOX]`,
  }),
  'too-large': ({ limitBytes }) => ({
    code: 552,
    text:
      limitBytes === undefined
        ? 'ข้อความมีขนาดใหญ่เกินกว่าที่หน่วยงานรับได้ โปรดแบ่งส่งเป็นหลายฉบับหรือส่งเป็นลิงก์ [SB-TOO-LARGE]'
        : `ข้อความมีขนาดใหญ่เกิน ${megabytes(limitBytes)} (${limitBytes} ไบต์) โปรดแบ่งส่งเป็นหลายฉบับหรือส่งเป็นลิงก์ [SB-TOO-LARGE]`,
  }),
  'not-kept': () => ({
    code: 451,
    text: 'ขณะนี้ยังรับเก็บข้อความไม่ได้ ระบบจะรับเมื่อส่งใหม่อีกครั้ง [SB-TRY-LATER]',
  }),
  'other-book': ({ address }) => ({
    code: 452,
    text: `${quoted(address, false)} เป็นของทะเบียนอื่น โปรดส่งถึงที่อยู่นี้แยกเป็นอีกฉบับหนึ่ง [SB-OTHER-BOOK]`,
  }),
};
