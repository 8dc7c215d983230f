// `saraban audit verify`: walks the audit trail's hash chain (registry/audit.ts).
import type { Config } from '../config/load';
import { verifyAuditChain, type AuditChainProblem } from '../registry/audit';
import { createPool } from '../registry/db';

/** Exit status of a chain that was walked and found broken (1 is for a check that could not run). */
export const CHAIN_BROKEN = 3;

const EXPLAINED: Record<AuditChainProblem, (seq: number) => string> = {
  'sequence gap': (seq) => `sequence gap: event #${seq} is missing (removed, with the trigger disabled)`,
  'hash mismatch': (seq) => `hash mismatch: event #${seq} is not what was written (changed after it was appended)`,
  'previous hash mismatch': (seq) =>
    seq === 1
      ? 'previous hash mismatch: event #1 does not start the chain (its previous hash is not 64 zeros)'
      : `previous hash mismatch: event #${seq} names another hash than event #${seq - 1}'s (one of the two was changed after it was appended)`,
};

export async function auditCommand(config: Config, args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] !== 'verify') {
    console.error('usage: saraban audit verify');
    return 2;
  }
  const pool = createPool(config.database.url, 1);
  try {
    const check = await verifyAuditChain(pool).catch((err: Error & { code?: string }) => {
      // Undefined column or table: a database that this release has not migrated yet.
      if (err.code === '42703' || err.code === '42P01') throw new Error(`${err.message}: run \`saraban migrate\` first`);
      throw err;
    });
    if (check.ok) {
      const events = check.events === 1 ? '1 event, #1' : `${check.events} events, #1 to #${check.events}`;
      // The last hash, to write down elsewhere: the chain alone cannot show events removed from its end.
      console.log(check.events === 0 ? 'audit chain intact: no events yet' : `audit chain intact: ${events}; last hash ${check.lastHash}`);
      return 0;
    }
    console.error(`audit chain broken at event #${check.seq}: ${EXPLAINED[check.problem](check.seq)}`);
    return CHAIN_BROKEN;
  } finally {
    await pool.end();
  }
}
