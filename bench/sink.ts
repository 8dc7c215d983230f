// The bare sink: an smtp-server that accepts every message and throws it away. The bench
// runs it as its own process, like the gateway, so the baseline pays the same costs of a
// separate process and a loopback socket; what the gateway adds on top is its own work.
//
//   node dist/bench/sink.js <port>
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node dist/bench/sink.js <port>');
  process.exit(2);
}

const server = new SMTPServer({
  // The same edge settings as the gateway's, so both answer the same dialogue.
  banner: 'bench sink',
  size: 25 * 1024 * 1024,
  disabledCommands: ['AUTH', 'STARTTLS'],
  authOptional: true,
  hideENHANCEDSTATUSCODES: false,
  logger: false,
  onData(stream, _session, callback) {
    stream.on('end', () => callback());
    stream.resume();
  },
});
server.on('error', (err) => console.error(`sink: ${err.message}`));
server.listen(port, '127.0.0.1');

process.once('SIGTERM', () => server.close(() => process.exit(0)));
