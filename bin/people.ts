import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config/load';
import { hashPassword, passwordProblem } from '../desk/auth/password';
import { newApiToken, secretHash } from '../desk/auth/secret';
import { ROLES, type Role } from '../letter/access';
import { createPool, type Pool } from '../registry/db';
import {
  addOfficer,
  type Change,
  addUnit,
  createToken,
  disableOfficer,
  findOfficer,
  listTokens,
  PeopleError,
  revokeToken,
  setChecksMailbox,
  setEmail,
  setOnDuty,
  setPassword,
} from '../registry/officers';

export const PEOPLE_USAGE = `  saraban unit add CODE --name NAME [--parent CODE]
  saraban officer add --username U --password P --role officer|supervisor|admin [--unit CODE]
                      [--name "ชื่อ สกุล"] [--position ...] [--phone ...] [--email ADDRESS] [--secret-clearance]
                      [--checks-mailbox]
  saraban officer set-email --username U --email ADDRESS | --none   where their reminders go (--none: nowhere)
  saraban officer disable --username U        ends their sessions and tokens at once
  saraban officer reset-password --username U --password P   also lifts a lockout
  saraban officer leave --username U          on leave: routing gives them no new letters
  saraban officer back --username U           on duty again
  saraban officer mailbox --username U        named to check the central mailbox: on /contact and the report
  saraban officer no-mailbox --username U     no longer named for the central mailbox
  saraban officer show --username U
  saraban token create --username U [--label TEXT]   prints the new API token alone
  saraban token list --username U
  saraban token revoke ID
  saraban password-hash                       reads a password on stdin, prints its hash for the settings
  (--password - reads the password from stdin, out of the shell's history)`;

/** Where a command writes: the answer a script reads (stdout), and what people read (stderr). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** The rest of stdin, for --password - and password-hash. */
  readInput(): Promise<string>;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readInput: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

type Command = (pool: Pool, args: string[], io: Output, change: Change) => Promise<number>;

const COMMANDS: Record<string, Record<string, Command>> = {
  unit: { add: unitAdd },
  officer: {
    add: officerAdd,
    disable: officerDisable,
    'reset-password': officerResetPassword,
    show: officerShow,
    'set-email': officerSetEmail,
    leave: officerSwitch(setOnDuty, false, (u) => `officer ${u} is on leave: routing passes them by`),
    back: officerSwitch(setOnDuty, true, (u) => `officer ${u} is on duty: routing gives them letters in turn again`),
    mailbox: officerSwitch(
      setChecksMailbox,
      true,
      (u) => `officer ${u} is named to check the central mailbox: listed on /contact and in saraban report central-address`,
    ),
    'no-mailbox': officerSwitch(setChecksMailbox, false, (u) => `officer ${u} is no longer named for the central mailbox`),
  },
  token: { create: tokenCreate, list: tokenList, revoke: tokenRevoke },
};

export const isPeopleCommand = (command: string) => command in COMMANDS || command === 'password-hash';

/**
 * `saraban unit|officer|token ...` and `saraban password-hash`: the operator's commands for the
 * desk's people. Exit codes: 0 done, 1 refused by the register, 2 the command is wrong.
 */
export async function runPeopleCommand(
  config: Config,
  command: string,
  args: string[],
  io: Output = processOutput,
  now = new Date(),
): Promise<number> {
  if (command === 'password-hash') return passwordHashCommand(io);
  const [sub, ...rest] = args;
  const run = COMMANDS[command]?.[sub ?? ''];
  if (!run) {
    io.err(`saraban ${command} takes one of: ${Object.keys(COMMANDS[command] ?? {}).join(', ')}\n\n${PEOPLE_USAGE}\n`);
    return 2;
  }
  const pool = createPool(config.database.url, 1);
  try {
    return await run(pool, rest, io, { actor: `operator:${operatorLogin()}`, at: now });
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`saraban ${command} ${sub}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof PeopleError) {
      io.err(`saraban ${command} ${sub}: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await pool.end();
  }
}

class UsageError extends Error {}

/** The login of whoever runs the command, for the audit trail (the database knows no better). */
function operatorLogin(): string {
  try {
    return userInfo().username;
  } catch {
    // A container's user with no name in /etc/passwd.
    return String(process.getuid?.() ?? 'unknown');
  }
}

type Spec = NonNullable<ParseArgsConfig['options']>;

function options<T extends Spec>(args: string[], spec: T, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>({
      args,
      options: spec,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== positionals)
    throw new UsageError(`give ${positionals} argument(s) before the options, not ${parsed.positionals.length}`);
  return parsed;
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is needed`);
  return value;
}

async function password(values: Record<string, unknown>, io: Output): Promise<string> {
  let given = required(values, 'password');
  if (given === '-') given = (await io.readInput()).replace(/\r?\n$/, '');
  const problem = passwordProblem(given);
  if (problem) throw new UsageError(`that password is too weak: ${problem}`);
  return given;
}

async function unitAdd(pool: Pool, args: string[], io: Output, change: Change): Promise<number> {
  const { values, positionals } = options(args, { name: { type: 'string' }, parent: { type: 'string' } }, 1);
  const unit = await addUnit(pool, { code: positionals[0], name: required(values, 'name'), parentCode: values.parent }, change);
  io.err(`unit ${unit.code} "${unit.name}" added${values.parent ? ` under ${values.parent}` : ''}\n`);
  return 0;
}

async function officerAdd(pool: Pool, args: string[], io: Output, change: Change): Promise<number> {
  const { values } = options(args, {
    username: { type: 'string' },
    password: { type: 'string' },
    role: { type: 'string' },
    unit: { type: 'string' },
    name: { type: 'string' },
    position: { type: 'string' },
    phone: { type: 'string' },
    email: { type: 'string' },
    'secret-clearance': { type: 'boolean', default: false },
    'checks-mailbox': { type: 'boolean', default: false },
  });
  const username = required(values, 'username');
  const role = required(values, 'role');
  if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not "${role}"`);
  const officer = await addOfficer(
    pool,
    {
      username,
      // Until the admin gives the name, the desk shows the username.
      name: values.name ?? username,
      role: role as Role,
      unitCode: values.unit,
      position: values.position,
      phone: values.phone,
      email: values.email,
      secretClearance: values['secret-clearance'],
      checksMailbox: values['checks-mailbox'],
      passwordHash: await hashPassword(await password(values, io)),
    },
    change,
  );
  io.err(`officer ${officer.username} (${officer.role}${values.unit ? `, ${values.unit}` : ''}) added\n`);
  return 0;
}

async function officerDisable(pool: Pool, args: string[], io: Output, change: Change): Promise<number> {
  const { values } = options(args, { username: { type: 'string' } });
  const username = required(values, 'username');
  await disableOfficer(pool, username, change);
  io.err(`officer ${username} disabled: their sessions are ended and their tokens revoked\n`);
  return 0;
}

/** `saraban officer leave|back|mailbox|no-mailbox --username U`: one yes-or-no about an officer. */
function officerSwitch(set: typeof setOnDuty, value: boolean, said: (username: string) => string): Command {
  return async (pool, args, io, change) => {
    const { values } = options(args, { username: { type: 'string' } });
    const username = required(values, 'username');
    await set(pool, username, value, change);
    io.err(`${said(username)}\n`);
    return 0;
  };
}

async function officerSetEmail(pool: Pool, args: string[], io: Output, change: Change): Promise<number> {
  const { values } = options(args, { username: { type: 'string' }, email: { type: 'string' }, none: { type: 'boolean', default: false } });
  const username = required(values, 'username');
  if (values.none === (values.email !== undefined)) throw new UsageError('give either --email ADDRESS or --none');
  await setEmail(pool, username, values.none ? null : required(values, 'email'), change);
  io.err(
    values.none
      ? `officer ${username} has no e-mail address: they get no reminders\n`
      : `reminders for officer ${username} go to ${values.email!.trim().toLowerCase()}\n`,
  );
  return 0;
}

async function officerResetPassword(pool: Pool, args: string[], io: Output, change: Change): Promise<number> {
  const { values } = options(args, { username: { type: 'string' }, password: { type: 'string' } });
  const username = required(values, 'username');
  await setPassword(pool, username, await hashPassword(await password(values, io)), change);
  io.err(`password of ${username} set; their sessions are ended and a lockout lifted\n`);
  return 0;
}

async function officerShow(pool: Pool, args: string[], io: Output): Promise<number> {
  const { values } = options(args, { username: { type: 'string' } });
  const username = required(values, 'username');
  const officer = await findOfficer(pool, username);
  if (!officer) throw new PeopleError('no-officer', `no officer "${username}"`);
  io.out(`${JSON.stringify(officer, null, 2)}\n`);
  return 0;
}

async function tokenCreate(pool: Pool, args: string[], io: Output, change: Change): Promise<number> {
  const { values } = options(args, { username: { type: 'string' }, label: { type: 'string' } });
  const username = required(values, 'username');
  const token = newApiToken();
  const id = await createToken(pool, username, secretHash(token), values.label ?? null, change);
  // The token alone on stdout, so that TOKEN=$(saraban token create ...) works; it is not kept.
  io.out(`${token}\n`);
  io.err(`token ${id} for ${username} created; it is shown once. Revoke it with: saraban token revoke ${id}\n`);
  return 0;
}

async function tokenList(pool: Pool, args: string[], io: Output): Promise<number> {
  const { values } = options(args, { username: { type: 'string' } });
  io.out(`${JSON.stringify(await listTokens(pool, required(values, 'username')), null, 2)}\n`);
  return 0;
}

async function tokenRevoke(pool: Pool, args: string[], io: Output, change: Change): Promise<number> {
  const { positionals } = options(args, {}, 1);
  const id = Number(positionals[0]);
  if (!Number.isInteger(id) || id <= 0)
    throw new UsageError(`give the token's number (saraban token list --username U), not "${positionals[0]}"`);
  if (!(await revokeToken(pool, id, change))) throw new PeopleError('no-token', `no token ${id} that is still valid`);
  io.err(`token ${id} revoked\n`);
  return 0;
}

async function passwordHashCommand(io: Output): Promise<number> {
  const given = (await io.readInput()).replace(/\r?\n$/, '');
  const problem = passwordProblem(given);
  if (problem) {
    io.err(`saraban password-hash: that password is too weak: ${problem}\n`);
    return 2;
  }
  io.out(`${await hashPassword(given)}\n`);
  return 0;
}
