// CPU a letter costs in each step of the worker, measured one step at a time in this one
// process on the bench's own letters: where the end-to-end bench's worker time goes.
// Run after `npm run build`: node dist/bench/stages.js [--letters N] [--pdf FILE]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { composeAcknowledgement } from '../letter/acknowledgement';
import { repairMessage } from '../letter/charset';
import { mimeTree } from '../letter/mime';
import { readLetterMetadata } from '../letter/metadata';
import { checkSmtpAuthenticity, noDns } from '../worker/authenticity';
import { readMessage } from '../worker/read';
import { CENTRAL_ADDRESS, letterPress, SENDER, standInPdf } from './letters';

/** Runs step once per letter (after a warm-up) and prints the process's CPU and the wall time per letter. */
async function stage(name: string, letters: number, step: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < Math.min(20, letters); i++) await step(i);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < letters; i++) await step(i);
  const used = process.cpuUsage(cpu);
  const perLetter = (micros: number) => (micros / letters / 1000).toFixed(2).padStart(7);
  // CPU counts every thread of the process: the PDF reader threads, and V8's own (garbage collection).
  console.log(`${name.padEnd(50)}${perLetter(used.user + used.system)} ms CPU ${perLetter((performance.now() - started) * 1000)} ms wall`);
}

async function main() {
  const { values } = parseArgs({ options: { letters: { type: 'string', default: '300' }, pdf: { type: 'string' } } });
  const count = Number(values.letters);
  const pdf = values.pdf ? readFileSync(values.pdf) : standInPdf(102_400);
  const press = await letterPress(pdf, 'stages');
  const letters = Array.from({ length: count }, (_, i) => press(i).raw);
  const at = (i: number) => letters[i % letters.length];
  console.log(`${count} letters of ${letters[0].length} bytes; per letter:`);

  await stage('repair a copy for parsing (letter/charset)', count, (i) => repairMessage(at(i)));
  await stage('MIME structure (letter/mime mimeTree)', count, (i) => mimeTree(at(i)));
  await stage('mailparser on the whole message (for scale)', count, (i) =>
    simpleParser(at(i), { skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true }),
  );
  await stage('readMessage: all of it, PDF first page included', count, (i) => readMessage(at(i), SENDER));
  await stage('SPF, DKIM, DMARC, ARC (mailauth, no DNS)', count, (i) =>
    checkSmtpAuthenticity(
      at(i),
      { ip: '192.0.2.10', helo: 'mail.moe.go.th', mailFrom: SENDER },
      { resolver: noDns, mta: 'example.go.th', from: SENDER },
    ),
  );
  const read = await readMessage(at(0), SENDER);
  await stage('the letter markings (letter/metadata)', count, () =>
    readLetterMetadata({ subject: read.text.subject, body: read.text.body, firstPage: read.text.firstPage ?? undefined }),
  );
  const book = { code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: [CENTRAL_ADDRESS] };
  const agency = { name: 'สำนักงานทดสอบสมรรถนะ', nameEn: 'Benchmark Office', domain: 'example.go.th' };
  await stage('compose the acknowledgement (nodemailer)', count, (i) => {
    const ack = composeAcknowledgement({
      agency,
      book,
      number: i + 1,
      year: 2569,
      registeredAt: new Date(),
      subject: read.details.subject,
      reference: 'ศธ 0206/1',
      title: null,
      letterMessageId: read.details.messageId,
      attachments: read.details.attachments,
    });
    const mail = { from: CENTRAL_ADDRESS, to: SENDER, subject: ack.subject, text: ack.text, headers: ack.headers, date: new Date() };
    return new MailComposer(mail).compile().build();
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
