// The sending side of the load: one SMTP connection that sends prepared messages one after
// another, as an agency's MTA does with a queue. The tests' raw SMTP sessions use it too.
//
// Hand-written rather than nodemailer's client on purpose. The load generator shares the two
// cores with what it measures, and nodemailer's client runs every byte of a message through
// JavaScript to escape leading dots: about 1.4 ms of CPU for the bench's 140 KB letter, more
// than the bare sink spends taking it, so the sink's rate measured the generator, not the
// sink. Here the prepared message goes to the socket as it is (its lines are checked once for
// a leading dot), and MAIL FROM and RCPT TO go together when the server offers PIPELINING.
import net from 'node:net';

/** A reply the server gave that was not the one the dialogue needs. */
export class SmtpRefusal extends Error {
  override name = 'SmtpRefusal';
}

// A server that stops answering fails the connection instead of hanging the run.
const REPLY_TIMEOUT_MS = 60_000;

export class SmtpSender {
  private readonly socket: net.Socket;
  private received = '';
  private replyLines: string[] = [];
  private readonly replies: string[] = [];
  private readonly waiting: Array<{ resolve: (reply: string) => void; reject: (err: Error) => void }> = [];
  private failure: Error | null = null;
  private pipelining = false;

  /** Connects; `greet()` before the first letter. */
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.setTimeout(REPLY_TIMEOUT_MS, () => this.socket.destroy(new Error(`no reply within ${REPLY_TIMEOUT_MS / 1000} s`)));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed')));
  }

  /** Whether another letter can go on this connection. */
  get usable(): boolean {
    return this.failure === null && !this.socket.destroyed;
  }

  /** Reads the greeting and says EHLO. */
  async greet(): Promise<void> {
    this.expect(await this.reply(), '220');
    const ehlo = this.expect(await this.command('EHLO bench.moe.go.th'), '250');
    this.pipelining = /^250[ -]PIPELINING\b/im.test(ehlo);
  }

  /** Sends one command line; resolves with the server's reply, whatever it is. */
  command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** Sends bytes as they are (part of a message in DATA), waiting for nothing. */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The server's next reply (the greeting first). */
  reply(): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** One transaction; resolves with the server's reply to the message, rejects with a refusal. */
  async send(from: string, to: string, message: Buffer): Promise<string> {
    const mailFrom = `MAIL FROM:<${from}>\r\n`;
    const rcptTo = `RCPT TO:<${to}>\r\n`;
    try {
      if (this.pipelining) {
        this.socket.write(mailFrom + rcptTo);
        const mail = await this.reply();
        // After a 421 no reply to RCPT TO comes: the server has closed the connection.
        if (mail.startsWith('421')) this.expect(mail, '250');
        const rcpt = await this.reply();
        this.expect(mail, '250');
        this.expect(rcpt, '250');
      } else {
        this.socket.write(mailFrom);
        this.expect(await this.reply(), '250');
        this.socket.write(rcptTo);
        this.expect(await this.reply(), '250');
      }
      this.socket.write('DATA\r\n');
      this.expect(await this.reply(), '354');
    } catch (err) {
      if (err instanceof SmtpRefusal && this.usable) await this.reset().catch(() => undefined);
      throw err;
    }
    this.socket.write(dotStuffed(message));
    this.socket.write(message.length === 0 || message.subarray(-2).toString() === '\r\n' ? '.\r\n' : '\r\n.\r\n');
    return this.expect(await this.reply(), '250');
  }

  /** QUIT when the connection is usable (the server closes it then), else, or when told, drops it. */
  close(options: { drop?: boolean } = {}): void {
    if (options.drop || !this.usable) return void this.socket.destroy();
    this.socket.removeAllListeners('timeout');
    this.socket.setTimeout(1_000, () => this.socket.destroy());
    this.socket.end('QUIT\r\n');
  }

  /** Ends the connection without a word and resolves once it is closed. */
  async hangUp(): Promise<void> {
    this.socket.end();
    if (!this.socket.closed) await new Promise((resolve) => this.socket.once('close', resolve));
  }

  private async reset(): Promise<void> {
    await this.command('RSET');
  }

  private expect(reply: string, code: string): string {
    if (reply.startsWith(code)) return reply;
    // 421: the server is closing the connection (shutting down, say); nothing more goes on it.
    if (reply.startsWith('421')) this.socket.destroy();
    throw new SmtpRefusal(reply.replace(/\r\n/g, ' '));
  }

  // A reply is one line, or several joined by CRLF when each but the last has "-" after the code.
  // Bytes are gathered as latin1 and each whole line read as UTF-8 (a server may answer in Thai).
  private onData(chunk: Buffer): void {
    this.received += chunk.toString('latin1');
    let end: number;
    while ((end = this.received.indexOf('\r\n')) >= 0) {
      const line = Buffer.from(this.received.slice(0, end), 'latin1').toString('utf8');
      this.received = this.received.slice(end + 2);
      this.replyLines.push(line);
      if (line[3] === '-') continue;
      const reply = this.replyLines.join('\r\n');
      this.replyLines = [];
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(reply);
      else this.replies.push(reply);
    }
  }
}

/** RFC 5321 4.5.2: a line that starts with a dot gets another. The bench's letters have none. */
function dotStuffed(message: Buffer): Buffer {
  if (message[0] !== 0x2e && message.indexOf('\n.') < 0) return message;
  const text = message.toString('latin1');
  return Buffer.from((text.startsWith('.') ? '.' : '') + text.replace(/\n\./g, '\n..'), 'latin1');
}
