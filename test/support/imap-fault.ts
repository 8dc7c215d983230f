// A fault injector between the gateway and a real IMAP server (test/support/dovecot.ts): a TCP
// proxy that passes every byte through, except that the tagged answer to a UID FETCH of one chosen
// message is turned from OK into NO, as a server that cannot read that message answers. Not a
// mock server: everything else, the data of that FETCH included, is the real server's.
import net from 'node:net';

export interface FaultyFetch {
  /** The message whose FETCH fails. */
  uid: number;
  /**
   * 'body': only a FETCH of its whole content (BODY[], BODY.PEEK[], BINARY[], RFC822), as a
   * server that cannot read its stored copy; 'any': every FETCH that names it, whatever it asks
   * for and whatever other messages it names (Gmail: "Some messages could not be FETCHed").
   */
  fetches: 'body' | 'any';
}

export interface ImapFaultProxy {
  port: number;
  /** FETCH answers turned into NO so far. */
  refused(): number;
  close(): Promise<void>;
}

const UID_FETCH = /^(\S+) UID FETCH (\S+) (.*)$/i;
const WHOLE_BODY = /\b(?:BODY(?:\.PEEK)?\[\]|BINARY(?:\.PEEK)?\[\]|RFC822(?![.\w]))/i;
const LITERAL_AT_END = /\{(\d+)\+?\}$/;

/** Whether a UID set such as `1:3,7,9:*` holds the UID (`*` read as no upper end). */
export function uidSetHas(set: string, uid: number): boolean {
  return set.split(',').some((part) => {
    const [a, b = a] = part.split(':').map((n) => (n === '*' ? Infinity : Number(n)));
    return uid >= Math.min(a, b) && uid <= Math.max(a, b);
  });
}

export async function startImapFaultProxy(targetPort: number, fault: FaultyFetch): Promise<ImapFaultProxy> {
  let refused = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    for (const s of [client, upstream]) {
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => undefined);
    }
    // Tags of the commands in flight whose answer is to be refused.
    const doomed = new Set<string>();

    let commands = '';
    client.on('data', (chunk: Buffer) => {
      // Looked at before it is passed on, so the tag is known before the server can answer it.
      commands += chunk.toString('latin1');
      let end: number;
      while ((end = commands.indexOf('\r\n')) >= 0) {
        const match = UID_FETCH.exec(commands.slice(0, end));
        commands = commands.slice(end + 2);
        if (match && uidSetHas(match[2], fault.uid) && (fault.fetches === 'any' || WHOLE_BODY.test(match[3]))) doomed.add(match[1]);
      }
      upstream.write(chunk);
    });

    // The server's answers, read as IMAP frames them: lines, and literals ({n} then n bytes) that
    // are passed on untouched, so that a line of a message's text is never taken for an answer.
    let pending = Buffer.alloc(0);
    let literal = 0;
    let atResponseStart = true;
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      for (;;) {
        if (literal > 0) {
          const n = Math.min(literal, pending.length);
          out.push(pending.subarray(0, n));
          pending = pending.subarray(n);
          literal -= n;
          if (literal > 0) break;
          continue;
        }
        const end = pending.indexOf('\r\n');
        if (end < 0) break;
        let line = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 2);
        const literalSize = LITERAL_AT_END.exec(line);
        if (atResponseStart) {
          const tag = line.slice(0, line.indexOf(' '));
          if (doomed.delete(tag) && /^OK\b/i.test(line.slice(tag.length + 1))) {
            refused++;
            line = `${tag} NO [UNAVAILABLE] injected fault: UID ${fault.uid} cannot be fetched`;
          }
        }
        out.push(Buffer.from(`${line}\r\n`, 'latin1'));
        literal = literalSize ? Number(literalSize[1]) : 0;
        atResponseStart = !literalSize;
      }
      client.write(Buffer.concat(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
