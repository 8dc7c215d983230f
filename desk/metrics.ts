import client from 'prom-client';
import type { Pool } from '../registry/db';
import { listMailboxStatus } from '../registry/imap';
import type { ArrivingMessage } from '../registry/inbound';
import { registerTotals } from '../registry/stats';

type Edge = ArrivingMessage['edge'];

/** What the desk counts of the intake edges: bin/roles.ts hands it to each edge as its observer. */
export interface IntakeCounter {
  accepted(edge: Edge): void;
  refused(edge: Edge, reason: string): void;
}

/** Jobs in each queue by state, asked for at each scrape; bin/roles.ts passes the worker's queues' counts. */
export type QueueCounts = () => Promise<Array<{ queue: string; counts: Record<string, number> }>>;

export interface Metrics {
  registry: client.Registry;
  intakeObserver: IntakeCounter;
}

/**
 * Intake counters live in the process that takes the mail; register totals and queue
 * depths are read from PostgreSQL and Redis at scrape time, so they are true whichever
 * process did the work.
 */
export function createMetrics(sources: { pool: Pool; queueCounts: QueueCounts }): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'saraban_' });

  const accepted = new client.Counter({
    name: 'saraban_messages_accepted_total',
    help: 'Messages kept and answered 250 (SMTP) or taken from a mailbox (IMAP)',
    labelNames: ['edge'],
    registers: [registry],
  });
  const refused = new client.Counter({
    name: 'saraban_messages_refused_total',
    help: 'Messages refused at the edge, by reason',
    labelNames: ['edge', 'reason'],
    registers: [registry],
  });
  new client.Gauge({
    name: 'saraban_register_totals',
    help: 'Rows in the register: inbound messages kept, letters registered (and of them, those to be completed by a clerk: no reference or date read), acknowledgements and notices by status, replies suppressed (loops among them), held back by a window, released, and digests by status',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const t = await registerTotals(sources.pool);
      this.set({ kind: 'inbound_kept' }, t.inbound);
      this.set({ kind: 'letters_registered' }, t.letters);
      this.set({ kind: 'letters_to_complete' }, t.toComplete);
      this.set({ kind: 'acknowledgements_sent' }, t.acknowledgementsSent);
      this.set({ kind: 'acknowledgements_failed' }, t.acknowledgementsFailed);
      this.set({ kind: 'acknowledgements_pending' }, t.acknowledgementsPending);
      this.set({ kind: 'notices_sent' }, t.noticesSent);
      this.set({ kind: 'notices_failed' }, t.noticesFailed);
      this.set({ kind: 'replies_suppressed' }, t.repliesSuppressed);
      this.set({ kind: 'loops_stopped' }, t.loopsStopped);
      this.set({ kind: 'replies_held' }, t.repliesHeld);
      this.set({ kind: 'replies_released' }, t.repliesReleased);
      this.set({ kind: 'digests_sent' }, t.digestsSent);
      this.set({ kind: 'digests_failed' }, t.digestsFailed);
      this.set({ kind: 'digests_pending' }, t.digestsPending);
    },
  });
  new client.Gauge({
    name: 'saraban_queue_jobs',
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const { queue, counts } of await sources.queueCounts()) {
        for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
      }
    },
  });
  new client.Gauge({
    name: 'saraban_imap_mailbox',
    help: 'Per IMAP mailbox: connected (1/0), backlog (messages not yet taken), watermark (last UID handled), last_sync (unix seconds), failed (messages that failed too often, flagged $SarabanFailed and passed over)',
    labelNames: ['mailbox', 'field'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const m of await listMailboxStatus(sources.pool)) {
        this.set({ mailbox: m.mailbox, field: 'connected' }, m.connected ? 1 : 0);
        this.set({ mailbox: m.mailbox, field: 'backlog' }, m.backlog);
        this.set({ mailbox: m.mailbox, field: 'watermark' }, m.lastUid ?? 0);
        this.set({ mailbox: m.mailbox, field: 'last_sync' }, m.lastSyncAt ? m.lastSyncAt.getTime() / 1000 : 0);
        this.set({ mailbox: m.mailbox, field: 'failed' }, m.failed);
      }
    },
  });
  return {
    registry,
    intakeObserver: {
      accepted: (edge) => accepted.inc({ edge }),
      refused: (edge, reason) => refused.inc({ edge, reason }),
    },
  };
}
