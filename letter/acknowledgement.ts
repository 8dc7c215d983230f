import { LOOP_HEADER } from './automatic';
import { formatIsoBangkok, formatThaiDate, formatThaiDateTime } from './calendar';
import type { AttachmentReceived } from './letter';

/** Whom a sender calls about a letter (settings: agency.contact). */
export interface OfficeContact {
  name?: string;
  phone?: string;
  email?: string;
  address?: string;
}

export interface Agency {
  name: string;
  nameEn?: string;
  /** Our domain (agency.domain): what our loop header says, so another gateway knows the reply is ours. */
  domain: string;
  contact?: OfficeContact;
}

/** The contact lines of every reply, Thai then English; none when the settings name no contact. */
export function contactLines(agency: Agency): { th: string[]; en: string[] } {
  const c = agency.contact;
  if (!c || !(c.name || c.phone || c.email || c.address)) return { th: [], en: [] };
  const th = [c.name ?? agency.name, c.phone && `โทร. ${c.phone}`, c.email && `อีเมล ${c.email}`, c.address].filter(Boolean);
  const en = [c.name ?? agency.nameEn ?? agency.name, c.phone && `tel. ${c.phone}`, c.email && `e-mail ${c.email}`, c.address].filter(
    Boolean,
  );
  return { th: [`ติดต่อสอบถาม: ${th.join(' ')}`], en: [`Contact: ${en.join(', ')}`] };
}

/** What the acknowledgement (ตอบยืนยันการได้รับ) states: everything comes from the register. */
export interface AcknowledgementFacts {
  agency: Agency;
  book: { code: string; name: string };
  number: number; // เลขทะเบียนรับ
  year: number; // Buddhist era
  registeredAt: Date;
  subject: string;
  /** The letter's own reference (ที่), date (ลงวันที่) and title (เรื่อง) as understood, when found. */
  reference?: string | null;
  /** As written on the letter, else the date read from it (ISO, CE). */
  letterDateWritten?: string | null;
  letterDate?: string | null;
  title?: string | null;
  letterMessageId: string | null;
  attachments: readonly AttachmentReceived[];
}

export interface AcknowledgementMessage {
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/** "12/2569" as written after เลขรับ. */
export function registrationNumber(number: number, year: number): string {
  return `${number}/${year}`;
}

/**
 * RFC 3834: every reply of ours is marked automatic and tied to the message it answers. Not
 * every answering machine reads Auto-Submitted: Exchange reads X-Auto-Response-Suppress, and
 * another saraban-gateway reads our loop header (letter/automatic.ts), so that two gateways
 * never acknowledge each other's acknowledgements.
 */
export function automaticReplyHeaders(letterMessageId: string | null, ourDomain: string): Record<string, string> {
  const headers: Record<string, string> = {
    'Auto-Submitted': 'auto-replied',
    'X-Auto-Response-Suppress': 'All',
    [LOOP_HEADER]: ourDomain,
  };
  if (letterMessageId) {
    headers['In-Reply-To'] = letterMessageId;
    headers['References'] = letterMessageId;
  }
  return headers;
}

export function composeAcknowledgement(facts: AcknowledgementFacts): AcknowledgementMessage {
  const number = registrationNumber(facts.number, facts.year);
  const subject = facts.subject.trim() || '(ไม่มีชื่อเรื่อง)';
  const title = facts.title?.trim() || subject;
  const files = facts.attachments.length
    ? facts.attachments.map((a, i) => `  ${i + 1}. ${a.filename} - ${a.size.toLocaleString('en-US')} ไบต์ (bytes) - SHA-256 ${a.sha256}`)
    : ['  - ไม่มีไฟล์แนบ (no attachments)'];
  const english = facts.agency.nameEn ?? facts.agency.name;
  // The sender matches a receipt to its letter by reference and date together.
  const dated = facts.letterDateWritten?.trim() || (facts.letterDate ? formatThaiDate(facts.letterDate) : null);
  const yours = [facts.reference && `${facts.reference}`, facts.letterDate && `dated ${facts.letterDate}`].filter(Boolean).join(', ');
  const contact = contactLines(facts.agency);
  const text = [
    'เรียน ผู้ส่งหนังสือ',
    '',
    `${facts.agency.name} ได้รับหนังสือของท่านทางไปรษณีย์อิเล็กทรอนิกส์ และลงทะเบียนรับแล้ว ดังนี้`,
    '',
    `ทะเบียน: ${facts.book.name} (${facts.book.code})`,
    `เลขรับ: ${number}`,
    `วันที่รับ: ${formatThaiDateTime(facts.registeredAt)}`,
    ...(facts.reference ? [`ที่: ${facts.reference}`] : []),
    ...(dated ? [`ลงวันที่: ${dated}`] : []),
    `เรื่อง: ${title}`,
    'สิ่งที่ได้รับ:',
    ...files,
    '',
    ...contact.th,
    'ข้อความนี้ส่งโดยระบบอัตโนมัติ โปรดอย่าตอบกลับ',
    '',
    `${english} received your letter${yours ? ` (${yours})` : ''} by e-mail and registered it in book ${facts.book.code} as number ${number} ` +
      `on ${formatIsoBangkok(facts.registeredAt)}. This is an automatic reply; please do not answer it.`,
    ...contact.en,
    '',
  ].join('\n');

  const headers = automaticReplyHeaders(facts.letterMessageId, facts.agency.domain);
  return { subject: `ได้รับหนังสือแล้ว เลขรับ ${number} / Received, registration no. ${number}: ${subject}`, text, headers };
}
