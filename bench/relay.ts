// The outgoing relay the workers send acknowledgements to, in the bench process: it notes
// when each letter's acknowledgement arrived and keeps nothing else.
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';

export interface AcknowledgementRelay {
  url: string;
  /** performance.now() at which the acknowledgement of each letter (by its Message-ID) arrived. */
  arrivals: Map<string, number>;
  /** Acknowledgements of a letter already acknowledged (a job run twice). */
  duplicates: number;
  /** Messages that answer no letter we know (no In-Reply-To). */
  strays: number;
  /**
   * Replies that are not acknowledgements (a notice: the letter was held, refused or its PDF
   * unreadable). They count as the letter's answer, but the run measured another path then.
   */
  notAcknowledgements: number;
  /** Resolves when every one of these letters has its acknowledgement; rejects when signal aborts. */
  untilAcknowledged(messageIds: readonly string[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

// The acknowledgement is small and its In-Reply-To carries the letter's Message-ID: a regex on
// the header block is enough, and keeps the relay cheap on a machine it shares with the gateway.
const IN_REPLY_TO = /^In-Reply-To:[ \t]*(<[^>\r\n]+>)/im;
// The worker names an acknowledgement <ack.{inbound id}@{our domain}>.
const ACKNOWLEDGEMENT_ID = /^Message-ID:[ \t]*<ack\./im;

export async function startAcknowledgementRelay(): Promise<AcknowledgementRelay> {
  const arrivals = new Map<string, number>();
  const relay = { duplicates: 0, strays: 0, notAcknowledgements: 0 };
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP: the workers' transport would otherwise spend CPU on a TLS handshake we do not measure.
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const arrivedAt = performance.now();
        const raw = Buffer.concat(chunks).toString('utf8');
        const headerEnd = raw.indexOf('\r\n\r\n');
        const header = headerEnd >= 0 ? raw.slice(0, headerEnd) : raw;
        const letterId = header.match(IN_REPLY_TO)?.[1];
        if (letterId && !ACKNOWLEDGEMENT_ID.test(header)) relay.notAcknowledgements++;
        if (!letterId) relay.strays++;
        else if (arrivals.has(letterId)) relay.duplicates++;
        else arrivals.set(letterId, arrivedAt);
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });

  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    get duplicates() {
      return relay.duplicates;
    },
    get strays() {
      return relay.strays;
    },
    get notAcknowledgements() {
      return relay.notAcknowledgements;
    },
    untilAcknowledged(messageIds, signal) {
      // Polling is fine: the arrival time is taken when the message arrives, not when we look.
      return new Promise((resolve, reject) => {
        const check = () => {
          if (signal.aborted) return reject(signal.reason);
          if (messageIds.every((id) => arrivals.has(id))) return resolve();
          setTimeout(check, 50);
        };
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
