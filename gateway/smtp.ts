import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Logger } from 'pino';
import { bookForAddress, type Config } from '../config/load';
import { smtpRefusals, smtpRefusalsUtf8, type SmtpRefusalDetail, type SmtpRefusalReason } from '../letter/notices';
import type { IntakeObserver } from './intake';
import { MessageTooLarge, type ArrivingMessage, type StoredInbound } from '../registry/inbound';

export interface SmtpGatewayOptions {
  config: Config;
  intake: (message: ArrivingMessage) => Promise<StoredInbound>;
  logger: Logger;
  observer: IntakeObserver;
  clock?: () => Date;
}

export interface SmtpGateway {
  listen(): Promise<number>;
  /** Stops taking mail (new commands get 421), lets messages in DATA finish, then resolves. */
  close(): Promise<void>;
}

/**
 * An SMTP refusal: the code (smtp-server adds the enhanced status) is what the sender's
 * server acts on; the text is what its postmaster reads: Thai when the client speaks
 * SMTPUTF8, else English, with a reason code either way.
 */
function refusal(session: SMTPServerSession, reason: SmtpRefusalReason, detail: SmtpRefusalDetail = {}): Error & { responseCode: number } {
  const { code, text } = (session.envelope.smtpUtf8 ? smtpRefusalsUtf8 : smtpRefusals)[reason](detail);
  return Object.assign(new Error(text), { responseCode: code });
}

// The SMTP edge: check the recipient, keep the message, answer. All else happens in workers.
export function createSmtpGateway(options: SmtpGatewayOptions): SmtpGateway {
  const { config, logger, observer } = options;
  const clock = options.clock ?? (() => new Date());
  // Every accepted recipient of a transaction feeds the same book (checked at RCPT).
  const bookOf = (session: SMTPServerSession) => bookForAddress(config, session.envelope.rcptTo[0].address)!.code;

  const server = new SMTPServer({
    name: config.smtp.hostname ?? config.agency.domain,
    banner: 'saraban-gateway',
    size: config.smtp.maxSizeBytes,
    rejectOversized: true,
    hideENHANCEDSTATUSCODES: false,
    // Never a relay, never a submission port: no AUTH; TLS is for a later setting.
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    maxClients: config.smtp.maxConnections,
    closeTimeout: config.smtp.closeTimeoutMs,
    logger: false,

    onRcptTo(address, session, callback) {
      const book = bookForAddress(config, address.address);
      if (!book) {
        observer.refused('smtp', 'unknown-recipient');
        return callback(refusal(session, 'unknown-recipient', { address: address.address }));
      }
      if (session.envelope.rcptTo.length > 0 && bookOf(session) !== book.code) {
        // One message, one book: the sender's server will send this recipient's copy again.
        return callback(refusal(session, 'other-book', { address: address.address }));
      }
      callback();
    },

    onData(stream, session, callback) {
      const book = bookOf(session);
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null;
      options
        .intake({
          edge: 'smtp',
          stream,
          mailFrom,
          rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          book,
          clientIp: session.remoteAddress,
          helo: session.hostNameAppearsAs,
          receivedAt: clock(),
        })
        .then(
          (stored) => {
            observer.accepted('smtp');
            callback(null, `Kept as ${stored.id}`);
          },
          (err: Error) => {
            if (err instanceof MessageTooLarge) {
              observer.refused('smtp', 'too-large');
              // rejectOversized makes smtp-server answer 552 5.3.4 itself.
              return callback(refusal(session, 'too-large', { limitBytes: config.smtp.maxSizeBytes }));
            }
            observer.refused('smtp', 'not-kept');
            logger.error({ err, mailFrom }, 'message not kept: answering 451 so the sender retries');
            callback(refusal(session, 'not-kept'));
          },
        );
    },
  });
  server.on('error', (err) => logger.error({ err }, 'SMTP server error'));

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.smtp.port, config.smtp.host, () => {
          server.off('error', reject);
          resolve((server.server.address() as AddressInfo).port);
        });
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
