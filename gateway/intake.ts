import type { Logger } from 'pino';
import { withDeadline } from '../lib/deadline';
import { storeInbound, type ArrivingMessage, type StoredInbound } from '../registry/inbound';
import type { Pool } from '../registry/db';

/** Counts what an edge accepted and refused, for /metrics. */
export interface IntakeObserver {
  accepted(edge: 'smtp' | 'imap'): void;
  refused(edge: 'smtp' | 'imap', reason: string): void;
}

export interface IntakeDeps {
  pool: Pool;
  maxSizeBytes: number;
  /** Hands the kept message to the letters queue. */
  queueLetter: (inboundId: string) => Promise<void>;
  logger: Logger;
}

// How long the edge waits for Redis before answering anyway: the message is already
// committed, and the reconciler queues whatever this step missed.
const QUEUE_WAIT_MS = 2_000;

/**
 * The one way a message comes in, whatever the edge: keep it (committed to PostgreSQL),
 * then queue it. When this resolves the edge may say yes; when it throws, it must not.
 */
export async function intake(deps: IntakeDeps, message: ArrivingMessage): Promise<StoredInbound> {
  const stored = await storeInbound(deps.pool, message, deps.maxSizeBytes);
  const log = deps.logger.child({ inboundId: stored.id });
  try {
    await withDeadline(deps.queueLetter(stored.id), QUEUE_WAIT_MS);
  } catch (err) {
    log.warn({ err }, 'message kept but not queued (Redis unavailable?); the reconciler will queue it');
  }
  log.info(
    { edge: message.edge, size: stored.size, sha256: stored.sha256, mailFrom: message.mailFrom, book: message.book },
    'message kept',
  );
  return stored;
}
