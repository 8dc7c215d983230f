import { parseArgs } from 'node:util';
import type { Config } from '../config/load';
import { registrationNumber } from '../letter/acknowledgement';
import { withDeadline } from '../lib/deadline';
import { createPool } from '../registry/db';
import { listReplies, releaseReplies, type ReplyListed } from '../registry/replies';
import { createQueues, producerConnection, queueReply } from '../worker/queues';

const QUEUE_WAIT_MS = 2_000;

export const REPLIES_USAGE = `  saraban replies list [--held] [--sender ADDRESS] [--limit N]
                              replies not sent when planned: held back by a window, suppressed
                              (a loop, or the sender asked for none), released; and the digests.
                              --held: only those still held
  saraban replies release <id> | --sender ADDRESS
                              send a held reply (or one suppressed as a loop) now, once;
                              --sender: every reply held for that address`;

/** Where the command writes, and its clock: the process's by default. */
export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  clock: () => Date;
}

const processIo: CommandIo = { out: (line) => console.log(line), err: (line) => console.error(line), clock: () => new Date() };

/** `saraban replies ...`: what the operator sees of the replies the rules held back, and lets go. */
export async function repliesCommand(config: Config, args: string[], io: CommandIo = processIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') return list(config, rest, io);
  if (sub === 'release') return release(config, rest, io);
  io.err(`saraban replies: say list or release\n\n${REPLIES_USAGE}`);
  return 2;
}

async function list(config: Config, args: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { held: { type: 'boolean', default: false }, sender: { type: 'string' }, limit: { type: 'string', default: '200' } },
  });
  const limit = limitOf(values.limit, 'replies', io);
  if (limit === null) return 2;
  const pool = createPool(config.database.url, 1);
  try {
    const replies = await listReplies(pool, { held: values.held, sender: values.sender, limit });
    if (replies.length === 0) {
      io.out(values.held ? 'No reply is held.' : 'Every reply planned was sent as planned.');
      return 0;
    }
    io.out(['id', 'status', 'kind', 'to', 'letter', 'planned at', 'why'].join('\t'));
    for (const r of replies) io.out(line(r));
    return 0;
  } finally {
    await pool.end();
  }
}

/** A listing's --limit as a number, or null once the command line is told it is not one. */
export function limitOf(value: string, things: string, io: Pick<CommandIo, 'err'>): number | null {
  const limit = Number(value);
  if (Number.isInteger(limit) && limit >= 1) return limit;
  io.err(`--limit must be a whole number of ${things}, not "${value}"`);
  return null;
}

function line(r: ReplyListed): string {
  const letter = r.number !== null && r.year !== null ? `${r.book} ${registrationNumber(r.number, r.year)}` : '-';
  const status = r.releasedAt ? `${r.status} (released ${r.releasedAt.toISOString()})` : r.status;
  const why = r.kind === 'digest' ? 'lists the replies held for this address' : (r.withheld ?? '');
  const inDigest = r.digestId !== null ? `; in digest ${r.digestId}` : '';
  const kind = r.kind === 'notice' ? `notice ${r.reason}` : r.kind;
  return [r.id, status, kind, r.recipient, letter, r.createdAt.toISOString(), `${why}${inDigest}`].join('\t');
}

async function release(config: Config, args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { sender: { type: 'string' } }, allowPositionals: true });
  const id = positionals.length === 1 ? Number(positionals[0]) : NaN;
  if (values.sender === undefined && !(Number.isInteger(id) && id > 0)) {
    io.err('saraban replies release needs the id of one reply (see saraban replies list --held) or --sender ADDRESS');
    return 2;
  }
  if (values.sender !== undefined && positionals.length > 0) {
    io.err('give either a reply id or --sender, not both');
    return 2;
  }
  const pool = createPool(config.database.url, 1);
  let released: number[];
  try {
    released = await releaseReplies(pool, values.sender !== undefined ? { sender: values.sender } : { id }, io.clock());
  } finally {
    await pool.end();
  }
  if (released.length === 0) {
    io.err(
      values.sender !== undefined
        ? `no reply is held for ${values.sender}`
        : `reply ${id} is not held (nor suppressed): it was sent, released already, or does not exist`,
    );
    return 1;
  }
  io.out(`released ${released.length} repl${released.length === 1 ? 'y' : 'ies'}: ${released.join(', ')}`);
  // Pending in PostgreSQL now: a worker's reconciler queues it within reconciler.intervalMs if
  // Redis cannot be reached from here, so this waits for Redis no longer than intake does.
  const connection = producerConnection(config);
  connection.on('error', () => undefined);
  const queues = createQueues(config, connection);
  try {
    await withDeadline(
      (async () => {
        for (const replyId of released) await queueReply(queues, replyId);
      })(),
      QUEUE_WAIT_MS,
    );
    io.out('queued to be sent');
  } catch (err) {
    io.out(`not queued now (${(err as Error).message}); a worker's reconciler queues it within reconciler.intervalMs`);
  } finally {
    await withDeadline(queues.close(), QUEUE_WAIT_MS).catch(() => undefined);
    connection.disconnect();
  }
  return 0;
}
