import type { AttachmentReceived } from './letter';
import { isPdfFile } from './mime';

// The receipt stamp (ตรารับหนังสือ) as the register records it: which of a letter's files is
// stamped, and why a letter has no stamped copy, in the officers' words. The drawing itself is
// registry/receipt-stamp.ts; the job that makes the copy, worker/stamps.ts.

export const STAMP_STATES = ['stamped', 'failed', 'skipped'] as const;
/** letter_stamp.state: the copy made; no copy, and why (failed); nothing to stamp (skipped). */
export type StampState = (typeof STAMP_STATES)[number];

/** Why a letter has no stamped copy (letter_stamp.reason), as an officer reads it. */
export const STAMP_REASONS = {
  'pdf-encrypted': 'ไฟล์ PDF ถูกเข้ารหัส (ต้องใช้รหัสผ่านจึงจะเปิดได้) จึงประทับตรารับลงบนสำเนาไม่ได้',
  'pdf-damaged': 'ไฟล์ PDF เสียหายหรือไม่ใช่ไฟล์ PDF จึงประทับตรารับลงบนสำเนาไม่ได้',
  'stamp-timeout': 'ไฟล์ PDF ใช้เวลาประทับตรารับนานเกินกำหนด จึงไม่ได้ประทับตรารับ',
  'stamp-memory': 'ไฟล์ PDF ใช้หน่วยความจำเกินกำหนดขณะประทับตรารับ จึงไม่ได้ประทับตรารับ',
  'stamp-failed': 'ระบบประทับตรารับขัดข้อง จึงไม่ได้ประทับตรารับ',
  'pdf-missing': 'ไม่พบไฟล์ PDF ในอีเมลที่เก็บไว้ จึงไม่ได้ประทับตรารับ',
  'no-pdf': 'ไม่มีไฟล์ PDF ให้ประทับตรารับ',
  'registered-before-stamping': 'ลงทะเบียนรับก่อนระบบเริ่มประทับตรารับ จึงไม่มีฉบับประทับตรารับ',
} as const;
export type StampReason = keyof typeof STAMP_REASONS;

/** The reason's words for an officer; a code this release does not know, as it is. */
export function stampReasonText(reason: string): string {
  return Object.hasOwn(STAMP_REASONS, reason) ? STAMP_REASONS[reason as StampReason] : reason;
}

/**
 * The file the stamp goes on: the letter's first PDF (the one its first page was read from),
 * with its place among the letter's files, from 1; null when the letter has no PDF.
 */
export function stampSource(attachments: readonly AttachmentReceived[]): { n: number; file: AttachmentReceived } | null {
  const at = attachments.findIndex(isPdfFile);
  return at < 0 ? null : { n: at + 1, file: attachments[at] };
}

/** The stamped copy's file name: the original's, marked as the copy with the stamp (ฉบับประทับตรารับ). */
export function stampedFileName(original: string): string {
  const base = original.replace(/\.pdf$/i, '');
  return `${base || 'หนังสือ'}-ตรารับ.pdf`;
}
