// npm run bench: how many letters a second the gateway keeps (answers 250 to) and acknowledges,
// measured against a bare smtp-server that discards the same load in the same run.
//
//   node dist/bench/run.js [--letters 2000] [--connections 50] [--size 102400 | --pdf FILE] [--timeout 600]
//
// 1. Bare sink: dist/bench/sink.js in a process of its own takes the load and throws it away.
// 2. Gateway: `saraban gateway` and `saraban worker` as separate processes, on a fresh
//    database and Redis prefix, acknowledging to a relay inside this process.
// Prints a table and, last, one JSON line with every figure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { CENTRAL_ADDRESS, letterPress, sendLetters, sendOne, standInPdf, type LetterPress, type LoadResult } from './letters';
import {
  cpuSeconds,
  cpuSecondsOfCommand,
  followCpu,
  freePort,
  machineCpu,
  startChild,
  stopChild,
  waitForPort,
  type Child,
  type Stopped,
} from '../devkit/processes';
import { startAcknowledgementRelay } from './relay';
import { createScratchDatabase, deleteRedisPrefix, runName } from '../devkit/scratch';
import { percentiles, round } from '../devkit/figures';
import { positive, runBench, settingsEnv, type Cleanup } from './harness';

const SARABAN = path.join(__dirname, '..', 'bin', 'saraban.js');
const SINK = path.join(__dirname, 'sink.js');

// The issue's targets.
const TARGET_INTAKE_RATIO = 0.2; // gateway letters/s to 250, over the bare sink's
const TARGET_END_TO_END = 150; // letters/s from first send to last acknowledgement

const USAGE = `npm run bench -- [options]   (or: node dist/bench/run.js [options])

  --letters N        letters to send in each phase (default 2000)
  --connections C    concurrent SMTP connections (default 50)
  --size BYTES       size of each letter's stand-in PDF: one page of text, padded (default 102400)
  --pdf FILE         attach this PDF to every letter instead (e.g. a real scanned letter)
  --timeout SECONDS  give up when a phase has not finished in this time (default 600)
  --postgres URL     PostgreSQL to create the scratch database in (default postgres://postgres@127.0.0.1:5432/postgres)
  --redis URL        Redis for the queues (default redis://127.0.0.1:6379)
  --workers N        run N \`saraban worker\` processes side by side, as an office with more
                     cores would (default 1)
  --cpu-prof DIR     write V8 CPU profiles of the gateway and the worker into DIR
                     (open them in Chrome DevTools; profiling slows the run: do not quote its rates)`;

interface Options {
  letters: number;
  connections: number;
  size: number;
  /** A real PDF to attach instead of the stand-in. */
  pdfFile?: string;
  timeoutMs: number;
  postgres: string;
  redis: string;
  cpuProfileDir?: string;
  workers: number;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      letters: { type: 'string', default: '2000' },
      connections: { type: 'string', default: '50' },
      size: { type: 'string', default: '102400' },
      pdf: { type: 'string' },
      timeout: { type: 'string', default: '600' },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
      'cpu-prof': { type: 'string' },
      workers: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return null;
  return {
    letters: positive('letters', values.letters),
    connections: positive('connections', values.connections),
    size: positive('size', values.size),
    pdfFile: values.pdf,
    timeoutMs: positive('timeout', values.timeout) * 1000,
    postgres: values.postgres,
    redis: values.redis,
    cpuProfileDir: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    workers: positive('workers', values.workers),
  };
}

// ---- figures ----------------------------------------------------------------------------

interface Latency {
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, in milliseconds. */
function latency(samples: number[]): Latency | null {
  const at = percentiles(samples, [50, 99, 100]);
  return at && { p50: at.p50, p99: at.p99, max: at.p100 };
}

interface IntakeFigures {
  accepted: number;
  refused: number;
  firstRefusal?: string;
  /** From the first MAIL FROM to the last 250. */
  seconds: number;
  lettersPerSecond: number;
  /** Per letter, from MAIL FROM to the 250 after its data. */
  latencyMs: Latency | null;
}

function intakeFigures(load: LoadResult): IntakeFigures {
  const lastAccepted = load.deliveries.reduce((last, d) => Math.max(last, d.acceptedAt), load.startedAt);
  const seconds = (lastAccepted - load.startedAt) / 1000;
  return {
    accepted: load.deliveries.length,
    refused: load.failures.length,
    ...(load.failures.length ? { firstRefusal: load.failures[0].error } : {}),
    seconds: round(seconds, 3),
    lettersPerSecond: seconds > 0 ? round(load.deliveries.length / seconds, 1) : 0,
    latencyMs: latency(load.deliveries.map((d) => d.acceptedAt - d.startedAt)),
  };
}

/** CPU time used in a window: what says which process the rate waits on. */
interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  processes: Record<string, number | null>;
}

/** Readers of CPU seconds used so far, by the name the report gives them. */
type CpuMeters = Record<string, () => number | null>;

function meters(children: Child[]): CpuMeters {
  return {
    bench: () => {
      const own = process.cpuUsage();
      return (own.user + own.system) / 1e6;
    },
    ...Object.fromEntries(children.map((c) => [c.name, () => cpuSeconds(c.process.pid!)])),
    // The whole Redis server: other users of it on this machine count too.
    redis: () => cpuSecondsOfCommand('redis-server'),
  };
}

function snapshot(readers: CpuMeters): CpuSnapshot {
  return {
    at: performance.now(),
    machine: machineCpu(),
    processes: Object.fromEntries(Object.entries(readers).map(([name, read]) => [name, read()])),
  };
}

interface CpuWindow {
  seconds: number;
  /** Busy share of all the machine's cores over the window, in per cent. */
  machineBusyPercent: number;
  /** CPU seconds each process used, and that as per cent of one core. */
  processes: Record<string, { cpuSeconds: number; percentOfOneCore: number }>;
}

function cpuWindow(from: CpuSnapshot, to: CpuSnapshot): CpuWindow {
  const seconds = (to.at - from.at) / 1000;
  const processes: CpuWindow['processes'] = {};
  for (const [name, before] of Object.entries(from.processes)) {
    const after = to.processes[name];
    if (before === null || after === null || after === undefined) continue;
    const used = after - before;
    processes[name] = { cpuSeconds: round(used, 2), percentOfOneCore: round((100 * used) / seconds, 0) };
  }
  const total = to.machine.total - from.machine.total;
  const busy = to.machine.busy - from.machine.busy;
  // Whatever else ran meanwhile (the kernel, PostgreSQL's WAL writer, someone else's job):
  // a run on a busy machine shows here.
  const elsewhere = busy - Object.values(processes).reduce((sum, p) => sum + p.cpuSeconds, 0);
  processes.elsewhere = { cpuSeconds: round(elsewhere, 2), percentOfOneCore: round((100 * elsewhere) / seconds, 0) };
  return {
    seconds: round(seconds, 3),
    machineBusyPercent: total > 0 ? round((100 * busy) / total, 0) : 0,
    processes,
  };
}

function processFigures(stopped: Stopped) {
  return { peakRssMiB: stopped.peakRssKiB === null ? null : round(stopped.peakRssKiB / 1024, 1), exit: stopped.exitCode };
}

// ---- the two phases ---------------------------------------------------------------------

/**
 * What ends a phase early: --timeout elapsed, or a process under test died (a settings error,
 * a crash) - then waiting on would only wait for the timeout. Call done() before stopping them.
 */
function phaseSignal(options: Options, phase: string, children: Child[]): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`${phase}: gave up after ${options.timeoutMs / 1000} s (--timeout)`)),
    options.timeoutMs,
  );
  timer.unref();
  let done = false;
  for (const child of children) {
    void child.exited.then((code) => {
      if (!done) controller.abort(new Error(`${phase}: the ${child.name} process exited (${code}) while under test; its output is above`));
    });
  }
  return {
    signal: controller.signal,
    done() {
      done = true;
      clearTimeout(timer);
    },
  };
}

async function benchBareSink(options: Options, press: LetterPress, cleanup: Cleanup) {
  const port = await freePort();
  const sink = startChild('sink', SINK, [String(port)], process.env);
  cleanup.push(() => stopChild(sink));
  await waitForPort(sink, port);
  const phase = phaseSignal(options, 'bare sink', [sink]);
  // One letter first, outside the clock: the connection path and both processes warmed up.
  await sendOne(port, press('warm-up'));

  const cpu = meters([sink]);
  const before = snapshot(cpu);
  const load = await sendLetters(port, { letters: options.letters, connections: options.connections, press, signal: phase.signal });
  phase.signal.throwIfAborted();
  const after = snapshot(cpu);
  phase.done();
  return {
    intake: intakeFigures(load),
    cpu: cpuWindow(before, after),
    processes: { sink: processFigures(await stopChild(sink)) },
  };
}

async function benchGateway(options: Options, press: LetterPress, cleanup: Cleanup) {
  const databaseName = runName('bench');
  const database = await createScratchDatabase(options.postgres, databaseName);
  cleanup.push(() => database.drop());
  // Only the backends serving this run's database: others' tests may use the same server.
  const postgresCpu = followCpu('postgres', ` ${databaseName} `);
  cleanup.push(async () => postgresCpu.stop());
  const prefix = runName('bench');
  cleanup.push(() => deleteRedisPrefix(options.redis, prefix));
  const relay = await startAcknowledgementRelay();
  cleanup.push(() => relay.close());

  const smtpPort = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saraban-bench-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const settingsFile = path.join(dir, 'saraban.yaml');
  // The shipped defaults everywhere else (pool sizes, worker concurrency): we measure what an office runs.
  writeFileSync(
    settingsFile,
    toYaml({
      agency: { name: 'สำนักงานทดสอบสมรรถนะ', nameEn: 'Benchmark Office', domain: 'example.go.th' },
      books: [{ code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: [CENTRAL_ADDRESS] }],
      smtp: { host: '127.0.0.1', port: smtpPort },
      database: { url: database.url },
      redis: { url: options.redis, prefix },
      relay: { url: relay.url },
      // The reply windows would rightly hold back thousands of acknowledgements to one sender
      // within a minute (for its digest): here every one must go. The loop check stays as
      // shipped: every bench letter has a reference of its own, so none is a loop.
      replies: {
        trusted: { windows: [], hourlyShare: 10_000_000 },
        authenticated: { windows: [], hourlyShare: 10_000_000 },
        unverified: { windows: [], hourlyShare: 10_000_000 },
        allSendersPerHour: 10_000_000,
      },
      // No DNS: the bench must not send thousands of look-ups to the network's resolver, and
      // its time would measure that resolver. SPF/DKIM/DMARC still run, finding no records.
      authenticity: { checkDns: false },
      ...(process.env.BENCH_LETTER_CONCURRENCY ? { workers: { letterConcurrency: Number(process.env.BENCH_LETTER_CONCURRENCY) } } : {}),
      log: { level: 'warn' },
    }),
  );
  // The directory naming sending agencies, found next to the settings file.
  writeFileSync(path.join(dir, 'agencies.csv'), 'match,name\nmoe.go.th,กระทรวงศึกษาธิการ\n');
  const env = settingsEnv(settingsFile);

  // Node writes a profile when the process exits normally, which SIGTERM gives it here.
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  // Named worker, worker2, ...: the names key their CPU and memory figures.
  const workers = Array.from({ length: options.workers }, (_, i) =>
    startChild(i === 0 ? 'worker' : `worker${i + 1}`, SARABAN, ['worker'], env, nodeArgs),
  );
  for (const worker of workers) cleanup.push(() => stopChild(worker));
  const gateway = startChild('gateway', SARABAN, ['gateway'], env, nodeArgs);
  cleanup.push(() => stopChild(gateway));
  // The pids name the profiles (CPU.<date>.<pid>...cpuprofile) and the lines in `top`.
  console.error(`bench: gateway pid ${gateway.process.pid}, ${workers.map((w) => `${w.name} pid ${w.process.pid}`).join(', ')}`);
  const phase = phaseSignal(options, 'gateway', [gateway, ...workers]);
  const signal = phase.signal;
  await waitForPort(gateway, smtpPort, 60_000);

  // One letter through the whole pipeline, outside the clock: proves the worker and the relay
  // are up (a misconfiguration fails here, not after ten minutes) and warms every process.
  const warmUp = press('warm-up');
  await sendOne(smtpPort, warmUp);
  await relay.untilAcknowledged([warmUp.messageId], AbortSignal.any([signal, AbortSignal.timeout(60_000)])).catch((err: Error) => {
    signal.throwIfAborted();
    throw new Error(
      `the warm-up letter was not acknowledged within 60 s (${err.message}): is the relay reachable, and are acknowledgements on?`,
    );
  });

  const cpu = { ...meters([gateway, ...workers]), postgres: postgresCpu.seconds };
  const before = snapshot(cpu);
  const load = await sendLetters(smtpPort, { letters: options.letters, connections: options.connections, press, signal });
  signal.throwIfAborted();
  const intakeDone = snapshot(cpu);
  const expected = load.deliveries.map((d) => d.messageId);
  const arrived = () => expected.filter((id) => relay.arrivals.has(id)).length;
  // Someone watching a long run sees it move (or see that it does not).
  const progress = setInterval(() => console.error(`bench: ${arrived()} of ${expected.length} acknowledgements so far`), 10_000);
  await relay
    .untilAcknowledged(expected, signal)
    .catch((err: Error) => {
      throw new Error(`${err.message}: ${arrived()} of ${expected.length} acknowledgements had arrived`);
    })
    .finally(() => clearInterval(progress));
  const acknowledged = snapshot(cpu);
  phase.done();

  const lastAck = load.deliveries.reduce((last, d) => Math.max(last, relay.arrivals.get(d.messageId)!), load.startedAt);
  const seconds = (lastAck - load.startedAt) / 1000;
  const endToEnd = {
    acknowledged: load.deliveries.length,
    duplicates: relay.duplicates,
    strays: relay.strays,
    notAcknowledgements: relay.notAcknowledgements,
    // From the first MAIL FROM to the last acknowledgement at the relay.
    seconds: round(seconds, 3),
    lettersPerSecond: round(load.deliveries.length / seconds, 1),
    // Per letter, from MAIL FROM to its acknowledgement arriving at the relay.
    latencyMs: latency(load.deliveries.map((d) => relay.arrivals.get(d.messageId)! - d.startedAt)),
  };
  // No new mail first, then the workers finish: the order an operator stops them in.
  const gatewayStopped = await stopChild(gateway);
  const workersStopped = await Promise.all(workers.map(async (w) => [w.name, processFigures(await stopChild(w))] as const));
  return {
    intake: intakeFigures(load),
    endToEnd,
    cpu: { intake: cpuWindow(before, intakeDone), endToEnd: cpuWindow(before, acknowledged) },
    processes: { gateway: processFigures(gatewayStopped), ...Object.fromEntries(workersStopped) },
  };
}

// ---- report -----------------------------------------------------------------------------

type SinkResult = Awaited<ReturnType<typeof benchBareSink>>;
type GatewayResult = Awaited<ReturnType<typeof benchGateway>>;

function report(options: Options, sink: SinkResult, gateway: GatewayResult, benchPeakRssMiB: number) {
  const ratio = round(gateway.intake.lettersPerSecond / sink.intake.lettersPerSecond, 3);
  const targets = {
    intakeRatio: { target: TARGET_INTAKE_RATIO, measured: ratio, met: ratio >= TARGET_INTAKE_RATIO },
    endToEndLettersPerSecond: {
      target: TARGET_END_TO_END,
      measured: gateway.endToEnd.lettersPerSecond,
      met: gateway.endToEnd.lettersPerSecond >= TARGET_END_TO_END,
    },
  };
  const ms = (l: Latency | null) => (l ? `${l.p50} / ${l.p99} / ${l.max}` : '-');
  const row = (label: string, a: string | number, b: string | number) =>
    console.log(`  ${label.padEnd(34)}${String(a).padStart(24)}${String(b).padStart(30)}`);
  const yesNo = (met: boolean) => (met ? 'MET' : 'NOT MET');

  console.log('');
  const pdf = options.pdfFile ? `${path.basename(options.pdfFile)} (${options.size} bytes)` : `${options.size}-byte stand-in PDF`;
  const workers = options.workers === 1 ? '' : `, ${options.workers} worker processes`;
  console.log(`saraban-gateway bench: ${options.letters} letters, ${pdf} each, ${options.connections} connections${workers}`);
  console.log(`  machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  console.log('');
  row('', 'bare sink', 'gateway');
  row('letters answered 250', sink.intake.accepted, gateway.intake.accepted);
  row('letters refused / failed', sink.intake.refused, gateway.intake.refused);
  row('seconds to last 250', sink.intake.seconds, gateway.intake.seconds);
  row('letters/s to 250', sink.intake.lettersPerSecond, gateway.intake.lettersPerSecond);
  row('to 250 p50 / p99 / max (ms)', ms(sink.intake.latencyMs), ms(gateway.intake.latencyMs));
  row('acknowledgements at the relay', '-', gateway.endToEnd.acknowledged);
  row('seconds to last acknowledgement', '-', gateway.endToEnd.seconds);
  row('letters/s to acknowledgement', '-', gateway.endToEnd.lettersPerSecond);
  row('send->ack p50 / p99 / max (ms)', '-', ms(gateway.endToEnd.latencyMs));
  row('machine CPU busy while sending', `${sink.cpu.machineBusyPercent}%`, `${gateway.cpu.intake.machineBusyPercent}%`);
  console.log('');
  console.log('  peak RSS (MiB)');
  console.log(`    bench process (senders, relay)  ${benchPeakRssMiB}`);
  console.log(`    bare sink                       ${sink.processes.sink.peakRssMiB}`);
  console.log(`    gateway                         ${gateway.processes.gateway.peakRssMiB}`);
  for (const [name, figures] of Object.entries(gateway.processes).filter(([name]) => name.startsWith('worker'))) {
    console.log(`    ${name.padEnd(32)}${figures.peakRssMiB}`);
  }
  console.log('');
  const cpuLine = (label: string, w: CpuWindow) =>
    console.log(
      `  CPU, ${label} (${w.seconds} s, machine ${w.machineBusyPercent}% busy): ` +
        Object.entries(w.processes)
          .map(([name, p]) => `${name} ${p.percentOfOneCore}%`)
          .join(', '),
    );
  console.log('  CPU per process, as % of one core ("elsewhere": the rest of the machine, kernel included):');
  cpuLine('bare sink phase, sending', sink.cpu);
  cpuLine('gateway phase, sending', gateway.cpu.intake);
  cpuLine('gateway phase, send to last ack', gateway.cpu.endToEnd);
  console.log('');
  console.log(`  intake ratio gateway/bare sink: ${ratio} (target >= ${TARGET_INTAKE_RATIO}): ${yesNo(targets.intakeRatio.met)}`);
  console.log(
    `  end to end: ${gateway.endToEnd.lettersPerSecond} letters/s (target >= ${TARGET_END_TO_END}): ${yesNo(targets.endToEndLettersPerSecond.met)}`,
  );
  if (sink.intake.refused || gateway.intake.refused) {
    console.log(
      `  WARNING: letters were refused (sink: ${sink.intake.firstRefusal ?? '-'}; gateway: ${gateway.intake.firstRefusal ?? '-'})`,
    );
  }
  const senders = sink.cpu.processes.bench?.percentOfOneCore ?? 0;
  if (senders >= 90) {
    console.log(
      `  note: in the bare-sink phase the senders (this process) used ${senders}% of a core: the sink's rate is ` +
        'likely bounded by the load generator, making the ratio an upper bound',
    );
  }
  if (gateway.endToEnd.notAcknowledgements) {
    console.log(
      `  WARNING: ${gateway.endToEnd.notAcknowledgements} replies were notices, not acknowledgements: not the path this bench means to measure`,
    );
  }
  if (gateway.endToEnd.duplicates || gateway.endToEnd.strays) {
    console.log(`  note: ${gateway.endToEnd.duplicates} duplicate and ${gateway.endToEnd.strays} unmatched acknowledgements at the relay`);
  }
  console.log('');
  console.log(
    JSON.stringify({
      bench: 'saraban-gateway',
      at: new Date().toISOString(),
      options: {
        letters: options.letters,
        connections: options.connections,
        pdfBytes: options.size,
        pdfFile: options.pdfFile ?? null,
        workers: options.workers,
      },
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryBytes: os.totalmem(), node: process.version },
      bareSink: sink,
      gateway,
      benchProcess: { peakRssMiB: benchPeakRssMiB },
      targets,
    }),
  );
}

runBench(async (cleanup) => {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const pdf = options.pdfFile ? readFileSync(options.pdfFile) : standInPdf(options.size);
  // The report names the size actually sent.
  options.size = pdf.length;
  const press = await letterPress(pdf, runName('letter'));
  console.error(`bench: bare sink, ${options.letters} letters over ${options.connections} connections...`);
  const sink = await benchBareSink(options, press, cleanup);
  console.error(`bench: gateway and worker, the same load...`);
  const gateway = await benchGateway(options, press, cleanup);
  const benchPeakRssMiB = round(process.resourceUsage().maxRSS / 1024, 1);
  report(options, sink, gateway, benchPeakRssMiB);
  return 0;
});
