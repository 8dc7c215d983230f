// `saraban imap failed`: the messages the IMAP edge passed over after failing to take them in
// (imap[].maxAttemptsPerMessage), so that an operator can have a clerk deal with each.
import { parseArgs } from 'node:util';
import type { Config } from '../config/load';
import { createPool } from '../registry/db';
import { listFailedMessages, type FailedMessage } from '../registry/imap';
import { limitOf, type CommandIo } from './replies';

export const IMAP_USAGE = `  saraban imap failed [--mailbox KEY] [--limit N]
                              messages that failed imap[].maxAttemptsPerMessage times and were
                              left in their folder flagged $SarabanFailed, newest first
                              (KEY as /healthz names the mailbox: user@host:port/Folder)`;

const processIo: Pick<CommandIo, 'out' | 'err'> = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** Exit codes: 0 listed (or none to list), 2 the command is wrong. */
export async function imapCommand(config: Config, args: string[], io: Pick<CommandIo, 'out' | 'err'> = processIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'failed') {
    io.err(`saraban imap: say failed\n\n${IMAP_USAGE}`);
    return 2;
  }
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: { mailbox: { type: 'string' }, limit: { type: 'string', default: '200' } } }));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${IMAP_USAGE}`);
    return 2;
  }
  const limit = limitOf(values.limit, 'messages', io);
  if (limit === null) return 2;
  const pool = createPool(config.database.url, 1);
  try {
    const failed = await listFailedMessages(pool, { mailbox: values.mailbox, limit });
    if (failed.length === 0) {
      io.out('No IMAP message has been passed over.');
      return 0;
    }
    io.out(['mailbox', 'uidvalidity', 'uid', 'tries', 'flagged', 'given up at', 'from', 'subject', 'message-id', 'last error'].join('\t'));
    for (const m of failed) io.out(line(m));
    return 0;
  } finally {
    await pool.end();
  }
}

function line(m: FailedMessage): string {
  const flagged = m.flagged ? '$SarabanFailed' : 'no (the server refused the flag)';
  // One line per message: a subject or an error may hold tabs or line breaks.
  const text = (value: string | null) => (value ?? '-').replace(/\s+/g, ' ');
  return [
    m.mailbox,
    m.uidValidity,
    m.uid,
    m.attempts,
    flagged,
    m.givenUpAt.toISOString(),
    text(m.from),
    text(m.subject),
    text(m.messageId),
    text(m.lastError),
  ].join('\t');
}
