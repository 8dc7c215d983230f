import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/load';
import type { Letter } from '../letter/letter';
import { stampSource, type StampReason } from '../letter/stamp';
import type { Pool } from '../registry/db';
import { findInboundWithRaw } from '../registry/inbound';
import { findLetterToStamp, recordStamp, type StampToRecord } from '../registry/stamps';
import { stampInThread } from './pdf';
import type { Bound } from './pdf-threads';
import { letterFile } from './read';

export interface StampDeps {
  config: Config;
  pool: Pool;
  logger: Logger;
}

export type StampJobOutcome =
  { kind: 'stamped' | 'failed' | 'skipped'; reason: StampReason | null; recorded: boolean } | { kind: 'done-before' } | { kind: 'missing' };

/** A stamp stopped at a bound (time, memory) or by its thread failing, with attempts left: the job is tried again. */
export class StampStopped extends Error {
  override name = 'StampStopped';
}

const STOPPED: Record<Bound, StampReason> = { time: 'stamp-timeout', memory: 'stamp-memory', failure: 'stamp-failed' };

/**
 * The "stamps" job: the receipt stamp (ตรารับหนังสือ) drawn on a copy of a registered letter's
 * first PDF and kept beside the letter; or why it could not be, recorded. Runs after the letter
 * is registered and acknowledged, never before. Safe to run any number of times: a letter whose
 * stamp is recorded is left as it is, and of two runs at once the first to record wins.
 *
 * `lastAttempt`: a stamp stopped by a bound is thrown (StampStopped) while attempts remain, so
 * that a busy worker does not cost a letter its stamp; on the last, the letter records why.
 */
export async function stampLetter(deps: StampDeps, letterId: number, lastAttempt: boolean): Promise<StampJobOutcome> {
  const log = deps.logger.child({ letterId });
  const found = await findLetterToStamp(deps.pool, letterId);
  if (!found) {
    log.warn('queued stamp of a letter that is not in the register; nothing to do');
    return { kind: 'missing' };
  }
  if (found.stamp) return { kind: 'done-before' };
  const { letter } = found;
  const logged = log.child({ inboundId: letter.inboundId, book: letter.book, year: letter.year, number: letter.number });
  const source = stampSource(letter.attachments);
  const stamp = source ? await stampOf(deps, letter, source, lastAttempt) : ({ state: 'skipped', reason: 'no-pdf' } as const);
  const recorded = await recordStamp(deps.pool, letterId, stamp);
  if (stamp.state === 'stamped') logged.info({ attachment: stamp.attachment, bytes: stamp.pdf.length, recorded }, 'receipt stamp made');
  else if (stamp.state === 'failed')
    logged.warn({ reason: stamp.reason, detail: stamp.detail, attachment: stamp.attachment, recorded }, 'letter not stamped');
  else logged.debug({ reason: stamp.reason }, 'nothing to stamp');
  return { kind: stamp.state, reason: stamp.state === 'stamped' ? null : stamp.reason, recorded };
}

/** The stamped copy of the letter's PDF, or why there is none. */
async function stampOf(
  deps: StampDeps,
  letter: Letter,
  source: NonNullable<ReturnType<typeof stampSource>>,
  lastAttempt: boolean,
): Promise<StampToRecord> {
  const { config } = deps;
  const failed = (reason: StampReason, detail: string): StampToRecord => ({
    state: 'failed',
    reason,
    detail,
    attachment: source.n,
    sourceSha256: source.file.sha256,
  });
  const kept = await findInboundWithRaw(deps.pool, letter.inboundId);
  const pdf = kept && (await letterFile(kept.raw, source.file.sha256).catch((err: Error) => err));
  if (pdf instanceof Error) return failed('pdf-missing', `the kept message could not be read: ${pdf.message}`);
  if (!pdf) return failed('pdf-missing', `no file with SHA-256 ${source.file.sha256} in the kept message`);
  const run = await stampInThread(
    pdf,
    {
      agency: config.agency.name,
      // The book is named on the stamp only where the office keeps more than one.
      book: config.books.length > 1 ? letter.book : null,
      number: letter.number,
      year: letter.year,
      registeredAt: letter.registeredAt,
      digits: config.desk.digits,
    },
    { timeoutMs: config.workers.stampTimeoutMs, memoryBytes: config.workers.pdfMemoryMb * 2 ** 20 },
  );
  switch (run.kind) {
    case 'stamped': {
      const copy = Buffer.from(run.pdf.buffer, run.pdf.byteOffset, run.pdf.byteLength);
      return {
        state: 'stamped',
        attachment: source.n,
        sourceSha256: source.file.sha256,
        pdf: copy,
        sha256: createHash('sha256').update(copy).digest('hex'),
      };
    }
    case 'refused':
      return failed(run.reason === 'encrypted' ? 'pdf-encrypted' : 'pdf-damaged', run.detail);
    case 'stopped':
      if (!lastAttempt) throw new StampStopped(`stamp stopped (${run.bound}): ${run.detail}`);
      return failed(STOPPED[run.bound], run.detail);
  }
}
