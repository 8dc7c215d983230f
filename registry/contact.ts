import type { Config } from '../config/load';
import { formatIsoBangkok } from '../letter/calendar';
import { centralAddressCsv, centralAddressReport, contactSheet, type ContactSheet, type MailboxOfficer } from '../letter/contact';
import { centralAddressPdf } from './central-address-pdf';
import type { Pool } from './db';

/**
 * The agency's contact sheet (letter/contact.ts): its central addresses from the settings, and
 * every officer named to check the mailbox who is not disabled, on leave or not.
 */
export async function readContactSheet(pool: Pool, config: Pick<Config, 'agency' | 'books'>): Promise<ContactSheet> {
  const { rows } = await pool.query(
    `SELECT name, position, phone, on_duty FROM officer WHERE checks_mailbox AND disabled_at IS NULL ORDER BY id`,
  );
  const officers: MailboxOfficer[] = rows.map((r) => ({ name: r.name, position: r.position, phone: r.phone, onDuty: r.on_duty }));
  return contactSheet(config, officers);
}

export const REPORT_FORMATS = ['pdf', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportFile {
  body: Buffer;
  contentType: string;
  /** central-address-<agency domain>-<YYYY-MM-DD>.<format>, for a download or an attachment to DGA */
  filename: string;
  /** How many officers it names: none is worth a warning. */
  officers: number;
}

/** The central-address report for DGA and the Ministry, made now from the register and the settings. */
export async function centralAddressReportFile(
  pool: Pool,
  config: Pick<Config, 'agency' | 'books'>,
  format: ReportFormat,
  at: Date,
): Promise<ReportFile> {
  const sheet = await readContactSheet(pool, config);
  // ASCII alone, so the name goes into a Content-Disposition header as it is.
  const domain = config.agency.domain.replace(/[^A-Za-z0-9.-]/g, '_');
  const filename = `central-address-${domain}-${formatIsoBangkok(at).slice(0, 10)}.${format}`;
  const officers = sheet.officers.length;
  if (format === 'csv')
    return { body: Buffer.from(centralAddressCsv(sheet, at)), contentType: 'text/csv; charset=utf-8', filename, officers };
  const pdf = await centralAddressPdf(centralAddressReport(sheet, at), at);
  return { body: Buffer.from(pdf), contentType: 'application/pdf', filename, officers };
}
