import { automaticReplyHeaders, contactLines, registrationNumber, type Agency, type AcknowledgementMessage } from './acknowledgement';
import { formatIsoBangkok, formatThaiDateTime } from './calendar';
import { noticeTitle, REASON_CODES, type NoticeReason } from './notices';

// The digest receipt (ตอบยืนยันการรับรวม): when a sender's reply window held receipts back,
// one message every half hour lists every number registered since its last receipt, each
// with its subject, so that nothing the office registered goes unconfirmed.

/** One reply the digest stands for: an acknowledgement, or a notice, held back by a window. */
export interface DigestEntry {
  receivedAt: Date;
  /** The sender's subject as received (the letter's title when one was read). */
  subject: string;
  /** The letter's reference (ที่), when read. */
  reference?: string | null;
  /** Its registration; for a duplicate, the first registration of the letter. */
  registered: { book: { code: string; name: string }; number: number; year: number; registeredAt: Date } | null;
  /** The notice held back, if it was one. */
  notice: NoticeReason | null;
}

export function composeDigest(facts: { agency: Agency; entries: readonly DigestEntry[] }): AcknowledgementMessage {
  const { agency, entries } = facts;
  // An unreadable letter was registered too (under its number, with a notice); a duplicate was not.
  const newlyRegistered = entries.filter((e) => e.registered && e.notice !== 'duplicate').length;
  const others = entries.length - newlyRegistered;
  const english = agency.nameEn ?? agency.name;
  const contact = contactLines(agency);
  const text = [
    'เรียน ผู้ส่งหนังสือ',
    '',
    `${agency.name} ได้รับหนังสือของท่านทางไปรษณีย์อิเล็กทรอนิกส์ และลงทะเบียนรับแล้ว ${newlyRegistered} ฉบับ` +
      (others ? ` และได้รับข้อความที่ไม่ได้ออกเลขรับใหม่อีก ${others} ฉบับ` : '') +
      ' ตามรายการด้านล่าง',
    'เนื่องจากได้รับหนังสือจากที่อยู่ของท่านจำนวนมากในเวลาอันสั้น จึงตอบยืนยันการได้รับรวมไว้ในฉบับเดียว',
    '',
    ...entries.flatMap((entry, i) => entryLines(entry, i + 1)),
    ...contact.th,
    'ข้อความนี้ส่งโดยระบบอัตโนมัติ โปรดอย่าตอบกลับ',
    '',
    `${english} received ${entries.length} message${entries.length === 1 ? '' : 's'} from you by e-mail and registered ` +
      `${newlyRegistered} of them as letters, each listed above with its number and subject` +
      (others ? `; the other ${others} got no new number, for the reason given with each` : '') +
      '. So many came from your address in a short time that their receipts are sent together in this one message. ' +
      'This is an automatic reply; please do not answer it.',
    ...contact.en,
    '',
  ].join('\n');
  const othersTh = others ? ` ไม่ได้ออกเลขรับใหม่ ${others} ฉบับ` : '';
  const othersEn = others ? `, ${others} not registered` : '';
  return {
    subject: `ได้รับหนังสือแล้ว ${newlyRegistered} ฉบับ${othersTh} / Received: ${newlyRegistered} letters registered${othersEn}`,
    text,
    headers: automaticReplyHeaders(null, agency.domain),
  };
}

/** An entry: what became of it in Thai, its subject, the same in English, then a blank line. */
function entryLines(entry: DigestEntry, n: number): string[] {
  const subject = entry.subject.replace(/\s+/g, ' ').trim() || '(ไม่มีชื่อเรื่อง)';
  // A top-secret letter's title may itself be secret: its notice never repeats the subject.
  const about = entry.notice === 'top-secret' ? [] : [`   ${entry.reference ? `ที่: ${entry.reference}  ` : ''}เรื่อง: ${subject}`];
  const r = entry.registered;
  if (!entry.notice && r) {
    const number = registrationNumber(r.number, r.year);
    return [
      `${n}. เลขรับ ${number} (${r.book.code}) ลงทะเบียนรับ ${formatThaiDateTime(r.registeredAt)}`,
      ...about,
      `   Registered in book ${r.book.code} as no. ${number} on ${formatIsoBangkok(r.registeredAt)}`,
      '',
    ];
  }
  if (!entry.notice) throw new TypeError('a digest entry is an acknowledgement of a registered letter, or a notice');
  const title = noticeTitle({ reason: entry.notice, existing: r ?? undefined });
  const code = REASON_CODES[entry.notice];
  return [
    `${n}. ${title.th} [${code}] รับ ${formatThaiDateTime(entry.receivedAt)}`,
    ...about,
    `   ${title.en} [${code}], received ${formatIsoBangkok(entry.receivedAt)}`,
    '',
  ];
}
