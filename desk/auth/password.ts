import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// scrypt from node:crypto: no native module to build, and the cost travels in the hash, so
// it can be raised later without breaking the hashes already stored. The default is the OWASP
// minimum (N = 2^17, r = 8, p = 1: 128 MiB and a few hundred ms per sign-in).
const DEFAULT_COST = { ln: 17, r: 8, p: 1 };
const KEY_BYTES = 32;
const HASH_FORM = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Whether text has the form hashPassword() writes (`$scrypt$ln=17,r=8,p=1$salt$hash`, base64). */
export const isPasswordHash = (text: string): boolean => HASH_FORM.test(text);

function derive(password: string, salt: Buffer, cost: { ln: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** cost.ln;
  // Node refuses anything over 32 MiB unless told: allow what this cost needs and a little more.
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 128 * N * cost.r * cost.p + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = HASH_FORM.exec(hash);
  if (!m) return false;
  const expected = Buffer.from(m[5], 'base64');
  const key = await derive(password, Buffer.from(m[4], 'base64'), { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let unknownOfficerHash: Promise<string> | undefined;

/**
 * Takes as long as checking a real password, for a username that does not exist: how long the
 * answer took must not tell who has an account.
 */
export async function verifyNoPassword(password: string): Promise<false> {
  await verifyPassword(password, await (unknownOfficerHash ??= hashPassword('no officer has this password')));
  return false;
}

/** How long a password may be, in characters. */
export const PASSWORD_LENGTH = { min: 10, max: 1024 } as const;

/** Refuses a password too weak to protect the register; the message says what to change. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_LENGTH.min) return `use at least ${PASSWORD_LENGTH.min} characters`;
  if (password.length > PASSWORD_LENGTH.max) return `use at most ${PASSWORD_LENGTH.max} characters`;
  return null;
}
