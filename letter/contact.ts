import { stringify } from 'csv-stringify/sync';
import { bangkokParts, formatThaiDate, toThaiDigits } from './calendar';

// What the Ministry of Interior's circular มท ๐๒๐๑.๒/ว ๕๙๕๑ (23 August 2564) asks every agency to
// publish on its website and report to DGA and the Ministry: its central address(es) and the
// officers who check them, with name, position and telephone.

/** The circular the report answers, as the report cites it. */
export const CIRCULAR = 'หนังสือกระทรวงมหาดไทย ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑ ลงวันที่ ๒๓ สิงหาคม ๒๕๖๔';

/** An officer named to check the central mailbox (not disabled). */
export interface MailboxOfficer {
  /** ชื่อ สกุล */
  name: string;
  /** ตำแหน่ง */
  position: string | null;
  phone: string | null;
  /** false while on leave */
  onDuty: boolean;
}

/** The agency's contact sheet: everything the page, the JSON and the report show. */
export interface ContactSheet {
  agency: string;
  agencyEn: string | null;
  /** ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง: every book's addresses, in the settings' order. */
  addresses: string[];
  officeHours: string;
  /** Every officer named for the mailbox, on leave or not, in Thai alphabetical order of name. */
  officers: MailboxOfficer[];
  /** Whom a sender calls about a letter (agency.contact), as every acknowledgement prints it. */
  helpDesk: { name: string | null; phone: string | null; email: string | null; address: string | null } | null;
}

const thaiOrder = new Intl.Collator('th');

export function contactSheet(
  settings: {
    agency: {
      name: string;
      nameEn?: string;
      officeHours: string;
      contact?: { name?: string; phone?: string; email?: string; address?: string };
    };
    books: Array<{ addresses: string[] }>;
  },
  officers: MailboxOfficer[],
): ContactSheet {
  const { agency } = settings;
  const contact = agency.contact;
  return {
    agency: agency.name,
    agencyEn: agency.nameEn ?? null,
    addresses: [...new Set(settings.books.flatMap((b) => b.addresses))],
    officeHours: agency.officeHours,
    officers: [...officers].sort((a, b) => thaiOrder.compare(a.name, b.name)),
    helpDesk:
      contact && Object.values(contact).some((v) => v !== undefined)
        ? { name: contact.name ?? null, phone: contact.phone ?? null, email: contact.email ?? null, address: contact.address ?? null }
        : null,
  };
}

/**
 * The officers a caller should try today: those on duty. When every named officer is on leave,
 * all of them: they are still the ones responsible, and a page telling the public that nobody
 * checks the mailbox would be wrong. The report to DGA lists them all (the standing nomination).
 */
export function officersOnDuty(officers: MailboxOfficer[]): MailboxOfficer[] {
  const onDuty = officers.filter((o) => o.onDuty);
  return onDuty.length ? onDuty : officers;
}

/** "4 ธันวาคม 2569": the date of the Bangkok day of the instant. */
function thaiDay(at: Date): string {
  const { year, month, day } = bangkokParts(at);
  return formatThaiDate(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

export const REPORT_TITLE = 'แบบรายงานที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของหน่วยงานและเจ้าหน้าที่ผู้รับผิดชอบตรวจสอบ';

/** The central-address report's content, in the order the PDF lays it out. */
export interface CentralAddressReport {
  title: string;
  /** The circular it answers. */
  basis: string;
  /** Label and value, one under the other; a value may hold several lines. */
  fields: Array<[label: string, value: string]>;
  columns: string[];
  rows: string[][];
  /** Said in place of the rows when no officer is named. */
  noRows: string;
  /** ข้อมูล ณ วันที่ ...: the day the report was made, in the Buddhist era and Thai digits. */
  date: string;
}

export function centralAddressReport(sheet: ContactSheet, at: Date): CentralAddressReport {
  return {
    title: REPORT_TITLE,
    basis: `ตาม${CIRCULAR}`,
    fields: [
      ['หน่วยงาน', sheet.agency],
      ['ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง', sheet.addresses.join('\n')],
      ['เวลาทำการ', sheet.officeHours],
    ],
    columns: ['ลำดับ', 'ชื่อ - สกุล', 'ตำแหน่ง', 'หมายเลขโทรศัพท์'],
    rows: sheet.officers.map((o, i) => [toThaiDigits(String(i + 1)), o.name, o.position ?? '-', o.phone ?? '-']),
    noRows: 'ยังไม่ได้กำหนดเจ้าหน้าที่ผู้รับผิดชอบตรวจสอบ',
    date: `ข้อมูล ณ วันที่ ${toThaiDigits(thaiDay(at))}`,
  };
}

export const CSV_COLUMNS = ['ลำดับ', 'หน่วยงาน', 'ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง', 'ชื่อ - สกุล', 'ตำแหน่ง', 'หมายเลขโทรศัพท์', 'ข้อมูล ณ วันที่'];

/**
 * The report as CSV, one row per officer (one row with empty officer cells when none is named),
 * Arabic digits for the spreadsheet that opens it, and a byte-order mark so that Excel reads the Thai.
 */
export function centralAddressCsv(sheet: ContactSheet, at: Date): string {
  const common = { agency: sheet.agency, addresses: sheet.addresses.join(', '), date: thaiDay(at) };
  const officers = sheet.officers.length ? sheet.officers : [null];
  const rows = officers.map((o, i) => [
    o ? String(i + 1) : '',
    common.agency,
    common.addresses,
    o?.name ?? '',
    o?.position ?? '',
    o?.phone ?? '',
    common.date,
  ]);
  return stringify(rows, { header: true, columns: CSV_COLUMNS, bom: true });
}
