import { z } from 'zod';
import { ROLES, type Role } from '../../../letter/access';
import {
  addOfficer,
  disableOfficer,
  findOfficer,
  listOfficers,
  listUnits,
  normalUsername,
  setChecksMailbox,
  setEmail,
  setOnDuty,
  setPassword,
  setRoleAndUnit,
  setSecretClearance,
  type OfficerRecord,
  type Unit,
} from '../../../registry/officers';
import type { DeskRoute, RouteContext } from '../../api/route';
import { hashPassword, passwordProblem, PASSWORD_LENGTH } from '../../auth/password';
import { DeskError } from '../../errors';
import type { DeskFormat } from '../format';
import { choice, optionalText, readForm, requiredText, typedFields, yesNo } from '../forms';
import { html, type Html } from '../html';
import { banner, csrfField, page, ROLE_NAMES, type PageContext } from '../layout';
import { adminForm, adminPage, changeBy, refusal, unitOptions, type FormRequest } from './shared';

// เจ้าหน้าที่: the admin's list of officers and the page of each, with the same registry
// functions and audit events as `saraban officer ...` (bin/people.ts), the admin as the actor.

const DONE: Record<string, string> = {
  added: 'เพิ่มเจ้าหน้าที่แล้ว',
  disabled: 'ปิดบัญชีแล้ว: เซสชันของเจ้าหน้าที่ผู้นี้สิ้นสุดทันที และโทเคน API ทุกอันถูกยกเลิก',
  password: 'ตั้งรหัสผ่านใหม่แล้ว: เซสชันเดิมของเจ้าหน้าที่ผู้นี้สิ้นสุดแล้ว และปลดการล็อกแล้ว',
  'on-leave': 'บันทึกว่าลาแล้ว: ระบบจะไม่เวียนหนังสือใหม่ให้จนกว่าจะกลับมาปฏิบัติงาน',
  'on-duty': 'บันทึกว่ากลับมาปฏิบัติงานแล้ว',
  'clearance-granted': 'ให้สิทธิ์หนังสือลับแล้ว',
  'clearance-withdrawn': 'ถอนสิทธิ์หนังสือลับแล้ว',
  changed: 'บันทึกบทบาทและหน่วยงานแล้ว',
  'mailbox-assigned': 'บันทึกเป็นผู้ตรวจสอบไปรษณีย์อิเล็กทรอนิกส์กลางแล้ว: ชื่อจะแสดงในหน้าติดต่อและรายงาน',
  'mailbox-unassigned': 'ถอนจากผู้ตรวจสอบไปรษณีย์อิเล็กทรอนิกส์กลางแล้ว',
  email: 'บันทึกอีเมลสำหรับการแจ้งเตือนแล้ว',
};

const EmailForm = z.object({ email: optionalText('อีเมล', 254) });

const newPassword = (f: DeskFormat) =>
  z.string({ error: 'กรุณากรอกรหัสผ่าน' }).refine((p) => passwordProblem(p) === null, {
    message: `รหัสผ่านต้องยาว ${f.digits(PASSWORD_LENGTH.min)} ถึง ${f.digits(PASSWORD_LENGTH.max)} ตัวอักษร`,
  });

/** A password typed twice: the second must match. */
const passwordTwice = (f: DeskFormat) =>
  z
    .object({ password: newPassword(f), password2: z.string({ error: 'กรุณากรอกรหัสผ่านอีกครั้งเพื่อยืนยัน' }) })
    .refine((p) => p.password === p.password2, { message: 'รหัสผ่านทั้งสองช่องไม่ตรงกัน' });

const unitField = optionalText('หน่วยงาน', 32);

const NewOfficerForm = (f: DeskFormat) =>
  z
    .object({
      username: requiredText('ชื่อผู้ใช้', 64),
      name: requiredText('ชื่อ สกุล'),
      role: choice('บทบาท', ROLES as [Role, ...Role[]]),
      unit: unitField,
      position: optionalText('ตำแหน่ง'),
      phone: optionalText('โทรศัพท์', 64),
    })
    .and(passwordTwice(f));

const RoleForm = z.object({ role: choice('บทบาท', ROLES as [Role, ...Role[]]), unit: unitField });

const Username = z.object({ username: z.string().min(1).max(64) });

/** The add form's fields given back when it was refused: never the password. */
const TYPED = ['username', 'name', 'role', 'unit', 'position', 'phone'] as const;
type Typed = Partial<Record<(typeof TYPED)[number], string>>;

function accountState(f: DeskFormat, o: OfficerRecord, now: Date): Html | string {
  if (o.disabledAt) return 'ปิดบัญชีแล้ว';
  if (o.lockedUntil && o.lockedUntil > now) return html`ล็อกถึง ${f.shortDateTime(o.lockedUntil)}`;
  return 'ใช้งานได้';
}

const unitOf = (o: OfficerRecord) => (o.unitCode ? `${o.unitName} (${o.unitCode})` : '—');

function roleOptions(selected: string | undefined): Html[] {
  return ROLES.map((r) => html`<option value="${r}"${r === selected ? html` selected` : ''}>${ROLE_NAMES[r]}</option>`);
}

export function officersPage(
  ctx: PageContext,
  officers: readonly OfficerRecord[],
  units: readonly Unit[],
  now: Date,
  note: { done?: string; error?: string; typed?: Typed } = {},
): Html {
  const f = ctx.format;
  const typed = note.typed ?? {};
  const rows = officers.map(
    (o) => html`<tr${o.disabledAt ? html` class="disabled"` : ''}>
  <th scope="row"><a href="/admin/officers/${o.username}">${o.username}</a></th>
  <td data-label="ชื่อ สกุล">${o.name}</td>
  <td data-label="ตำแหน่ง">${o.position ?? '—'}</td>
  <td data-label="โทรศัพท์">${o.phone ? f.digits(o.phone) : '—'}</td>
  <td data-label="บทบาท">${ROLE_NAMES[o.role]}</td>
  <td data-label="หน่วยงาน">${unitOf(o)}</td>
  <td data-label="การปฏิบัติงาน">${o.onDuty ? 'ปฏิบัติงาน' : 'ลา'}</td>
  <td data-label="หนังสือลับ">${o.secretClearance ? 'มีสิทธิ์' : '—'}</td>
  <td data-label="ตรวจไปรษณีย์กลาง">${o.checksMailbox ? 'ใช่' : '—'}</td>
  <td data-label="บัญชี">${accountState(f, o, now)}</td>
</tr>`,
  );
  return page(
    ctx,
    'เจ้าหน้าที่',
    html`${banner('done', note.done && DONE[note.done])}
${banner('error', note.error)}
<p class="count-line">${f.digits(officers.length)} คน · เลือกชื่อผู้ใช้เพื่อเปลี่ยนการปฏิบัติงาน สิทธิ์หนังสือลับ บทบาท รหัสผ่าน หรือปิดบัญชี</p>
<div class="table-wrap"><table class="people cards">
<thead><tr><th scope="col">ชื่อผู้ใช้</th><th scope="col">ชื่อ สกุล</th><th scope="col">ตำแหน่ง</th><th scope="col">โทรศัพท์</th><th scope="col">บทบาท</th><th scope="col">หน่วยงาน</th><th scope="col">การปฏิบัติงาน</th><th scope="col">หนังสือลับ</th><th scope="col">ตรวจไปรษณีย์กลาง</th><th scope="col">บัญชี</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
<h2 id="report">รายงานที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง</h2>
<p>รายงานชื่อหน่วยงาน ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง และเจ้าหน้าที่ผู้ตรวจสอบ (ชื่อ ตำแหน่ง โทรศัพท์) ตามหนังสือ มท ๐๒๐๑.๒/ว ๕๙๕๑
สำหรับส่ง สพร. และกระทรวงมหาดไทย · หน้าสาธารณะ: <a href="/contact">/contact</a></p>
<p class="actions"><a class="button" href="/api/reports/central-address?format=pdf">ดาวน์โหลด PDF</a>
<a class="button" href="/api/reports/central-address?format=csv">ดาวน์โหลด CSV</a></p>
<h2 id="add-officer">เพิ่มเจ้าหน้าที่</h2>
<form class="admin" method="post" action="/admin/officers" aria-labelledby="add-officer">
  ${csrfField(ctx)}
  <div><label for="new-username">ชื่อผู้ใช้</label><input id="new-username" name="username" required maxlength="64" autocomplete="off" value="${typed.username ?? ''}" aria-describedby="new-username-hint">
  <small id="new-username-hint">ตัวอักษร a-z ตัวเลข และ . _ - เท่านั้น</small></div>
  <div><label for="new-name">ชื่อ สกุล</label><input id="new-name" name="name" required maxlength="200" value="${typed.name ?? ''}"></div>
  <div><label for="new-role">บทบาท</label><select id="new-role" name="role">${roleOptions(typed.role ?? 'officer')}</select></div>
  <div><label for="new-unit">หน่วยงาน</label><select id="new-unit" name="unit">${unitOptions(units, typed.unit, '— ไม่สังกัดหน่วยงาน —')}</select></div>
  <div><label for="new-position">ตำแหน่ง</label><input id="new-position" name="position" maxlength="200" value="${typed.position ?? ''}"></div>
  <div><label for="new-phone">โทรศัพท์</label><input id="new-phone" name="phone" type="tel" maxlength="64" value="${typed.phone ?? ''}"></div>
  <div><label for="new-password">รหัสผ่านเริ่มต้น</label><input id="new-password" name="password" type="password" required minlength="${PASSWORD_LENGTH.min}" autocomplete="new-password"></div>
  <div><label for="new-password2">ยืนยันรหัสผ่าน</label><input id="new-password2" name="password2" type="password" required minlength="${PASSWORD_LENGTH.min}" autocomplete="new-password"></div>
  <div><button type="submit">เพิ่มเจ้าหน้าที่</button></div>
</form>`,
  );
}

export function officerPage(
  ctx: PageContext,
  o: OfficerRecord,
  units: readonly Unit[],
  now: Date,
  note: { done?: string; error?: string } = {},
): Html {
  const f = ctx.format;
  const to = `/admin/officers/${o.username}`;
  const self = o.id === ctx.officer.id;
  const details = html`<dl class="fields">
  <dt>ชื่อผู้ใช้</dt><dd>${o.username}</dd>
  <dt>ตำแหน่ง</dt><dd>${o.position ?? '—'}</dd>
  <dt>โทรศัพท์</dt><dd>${o.phone ? f.digits(o.phone) : '—'}</dd>
  <dt>บทบาท</dt><dd>${ROLE_NAMES[o.role]}</dd>
  <dt>หน่วยงาน</dt><dd>${unitOf(o)}</dd>
  <dt>การปฏิบัติงาน</dt><dd>${o.onDuty ? 'ปฏิบัติงาน' : 'ลา (ระบบไม่เวียนหนังสือใหม่ให้)'}</dd>
  <dt>หนังสือลับ</dt><dd>${o.secretClearance ? 'มีสิทธิ์เห็นหนังสือชั้นลับและลับมาก' : 'ไม่มีสิทธิ์'}</dd>
  <dt>ไปรษณีย์อิเล็กทรอนิกส์กลาง</dt><dd>${o.checksMailbox ? 'เป็นผู้ตรวจสอบ (แสดงในหน้าติดต่อและรายงาน)' : 'ไม่ได้เป็นผู้ตรวจสอบ'}</dd>
  <dt>อีเมลแจ้งเตือน</dt><dd>${o.email ?? '—'}</dd>
  <dt>บัญชี</dt><dd>${o.disabledAt ? html`ปิดบัญชีแล้ว ${f.dateTime(o.disabledAt)}` : accountState(f, o, now)}</dd>
</dl>`;
  const forms = o.disabledAt
    ? html`<p>บัญชีนี้ปิดแล้ว จึงเปลี่ยนแปลงไม่ได้</p>`
    : html`<h2 id="duty">การปฏิบัติงาน</h2>
<form method="post" action="${to}/duty" aria-labelledby="duty">
  ${csrfField(ctx)}
  <input type="hidden" name="onDuty" value="${o.onDuty ? 'false' : 'true'}">
  <button type="submit">${o.onDuty ? 'บันทึกว่าลา' : 'บันทึกว่ากลับมาปฏิบัติงาน'}</button>
</form>
<h2 id="clearance">สิทธิ์หนังสือลับ</h2>
<form method="post" action="${to}/clearance" aria-labelledby="clearance">
  ${csrfField(ctx)}
  <input type="hidden" name="cleared" value="${o.secretClearance ? 'false' : 'true'}">
  <button type="submit"${o.secretClearance ? html` class="secondary"` : ''}>${o.secretClearance ? 'ถอนสิทธิ์หนังสือลับ' : 'ให้สิทธิ์หนังสือลับ (ลับ ลับมาก)'}</button>
</form>
<h2 id="mailbox">ผู้ตรวจสอบไปรษณีย์อิเล็กทรอนิกส์กลาง</h2>
<form method="post" action="${to}/mailbox" aria-labelledby="mailbox">
  ${csrfField(ctx)}
  <input type="hidden" name="checks" value="${o.checksMailbox ? 'false' : 'true'}">
  <button type="submit"${o.checksMailbox ? html` class="secondary"` : ''}>${o.checksMailbox ? 'ถอนจากผู้ตรวจสอบไปรษณีย์กลาง' : 'ตั้งเป็นผู้ตรวจสอบไปรษณีย์กลาง'}</button>
</form>
<h2 id="email">อีเมลสำหรับการแจ้งเตือน</h2>
<form class="admin" method="post" action="${to}/email" aria-labelledby="email">
  ${csrfField(ctx)}
  <div><label for="email-address">อีเมล</label><input id="email-address" name="email" type="email" maxlength="254" value="${o.email ?? ''}" aria-describedby="email-hint">
  <small id="email-hint">เว้นว่างเพื่อไม่รับการแจ้งเตือน</small></div>
  <div><button type="submit">บันทึกอีเมล</button></div>
</form>
<h2 id="role">บทบาทและหน่วยงาน</h2>
<form class="admin" method="post" action="${to}/role" aria-labelledby="role">
  ${csrfField(ctx)}
  <div><label for="role-role">บทบาท</label><select id="role-role" name="role">${roleOptions(o.role)}</select></div>
  <div><label for="role-unit">หน่วยงาน</label><select id="role-unit" name="unit">${unitOptions(units, o.unitCode, '— ไม่สังกัดหน่วยงาน —')}</select></div>
  <div><button type="submit">บันทึกบทบาทและหน่วยงาน</button></div>
</form>
<h2 id="password">ตั้งรหัสผ่านใหม่</h2>
<form class="admin" method="post" action="${to}/password" aria-labelledby="password">
  ${csrfField(ctx)}
  <div><label for="reset-password">รหัสผ่านใหม่</label><input id="reset-password" name="password" type="password" required minlength="${PASSWORD_LENGTH.min}" autocomplete="new-password"></div>
  <div><label for="reset-password2">ยืนยันรหัสผ่านใหม่</label><input id="reset-password2" name="password2" type="password" required minlength="${PASSWORD_LENGTH.min}" autocomplete="new-password"></div>
  <div><button type="submit">ตั้งรหัสผ่านใหม่</button></div>
  <p class="hint">เจ้าหน้าที่จะถูกออกจากระบบทุกเครื่องทันที และการล็อกจากการใส่รหัสผ่านผิดจะถูกปลด</p>
</form>
${
  self
    ? ''
    : html`<h2 id="disable">ปิดบัญชี</h2>
<form method="post" action="${to}/disable" aria-labelledby="disable" data-confirm="ปิดบัญชีของ ${o.name}? เปิดคืนไม่ได้">
  ${csrfField(ctx)}
  <p class="hint">เซสชันทุกเครื่องสิ้นสุดทันที โทเคน API ทุกอันถูกยกเลิก และเปิดบัญชีคืนไม่ได้ หนังสือที่ถืออยู่ยังคงอยู่กับบัญชีนี้</p>
  <button type="submit" class="danger">ปิดบัญชีของ ${o.name}</button>
</form>`
}`;
  return page(
    ctx,
    `เจ้าหน้าที่: ${o.name}`,
    html`${banner('done', note.done && DONE[note.done])}
${banner('error', note.error)}
<p><a href="/admin/officers">กลับไปรายชื่อเจ้าหน้าที่</a></p>
${details}
${forms}`,
  );
}

export function adminOfficerRoutes(ctx: RouteContext): DeskRoute[] {
  const { pool } = ctx;

  async function showList(c: PageContext, note: Parameters<typeof officersPage>[4]) {
    const [officers, units] = await Promise.all([listOfficers(pool), listUnits(pool)]);
    return officersPage(c, officers, units, ctx.clock(), note);
  }

  async function showOfficer(c: PageContext, username: string, note: { done?: string; error?: string }) {
    const officer = await findOfficer(pool, username);
    if (!officer) throw refusal('no-officer', c.format);
    return officerPage(c, officer, await listUnits(pool), ctx.clock(), note);
  }

  /** One form of an officer's page: `act` changes them and names what was done; then back to their page. */
  const officerForm = (path: string, act: (request: FormRequest<{ username: string }>, username: string, c: PageContext) => Promise<string>) =>
    adminForm(ctx, `/admin/officers/:username/${path}`, {
      params: Username,
      act: async (request, c) => `/admin/officers/${normalUsername(request.params.username)}?done=${await act(request, request.params.username, c)}`,
      again: (request, c, error) => showOfficer(c, request.params.username, { error }),
    });

  const notSelf = (request: FormRequest<unknown>, username: string, message: string) => {
    if (normalUsername(username) === request.officer.username) throw new DeskError(409, 'self', message);
  };

  return [
    adminPage(ctx, '/admin/officers', showList),
    adminForm(ctx, '/admin/officers', {
      async act(request, c) {
        const form = readForm(NewOfficerForm(c.format), request.body);
        await addOfficer(
          pool,
          {
            username: form.username,
            name: form.name,
            role: form.role,
            unitCode: form.unit,
            position: form.position,
            phone: form.phone,
            passwordHash: await hashPassword(form.password),
          },
          changeBy(ctx, request),
        );
        return '/admin/officers?done=added';
      },
      again: (request, c, error) => showList(c, { error, typed: typedFields(request.body, TYPED) }),
    }),
    adminPage(ctx, '/admin/officers/:username', (c, note, params) => showOfficer(c, params.username, note), Username),
    officerForm('duty', async (request, username) => {
      const { onDuty } = readForm(z.object({ onDuty: yesNo('การปฏิบัติงาน') }), request.body);
      await setOnDuty(pool, username, onDuty, changeBy(ctx, request));
      return onDuty ? 'on-duty' : 'on-leave';
    }),
    officerForm('clearance', async (request, username) => {
      const { cleared } = readForm(z.object({ cleared: yesNo('สิทธิ์หนังสือลับ') }), request.body);
      await setSecretClearance(pool, username, cleared, changeBy(ctx, request));
      return cleared ? 'clearance-granted' : 'clearance-withdrawn';
    }),
    officerForm('mailbox', async (request, username) => {
      const { checks } = readForm(z.object({ checks: yesNo('ผู้ตรวจสอบไปรษณีย์กลาง') }), request.body);
      await setChecksMailbox(pool, username, checks, changeBy(ctx, request));
      return checks ? 'mailbox-assigned' : 'mailbox-unassigned';
    }),
    officerForm('email', async (request, username) => {
      const { email } = readForm(EmailForm, request.body);
      await setEmail(pool, username, email ?? null, changeBy(ctx, request));
      return 'email';
    }),
    officerForm('role', async (request, username) => {
      const form = readForm(RoleForm, request.body);
      // The admin's own account stays an admin's: someone must be left to run the desk.
      if (form.role !== 'admin') notSelf(request, username, 'ท่านลดบทบาทของตนเองไม่ได้ ให้ผู้ดูแลระบบอีกคนเปลี่ยนให้');
      await setRoleAndUnit(pool, username, { role: form.role, unitCode: form.unit ?? null }, changeBy(ctx, request));
      return 'changed';
    }),
    officerForm('password', async (request, username, c) => {
      const form = readForm(passwordTwice(c.format), request.body);
      await setPassword(pool, username, await hashPassword(form.password), changeBy(ctx, request));
      return 'password';
    }),
    officerForm('disable', async (request, username) => {
      notSelf(request, username, 'ท่านปิดบัญชีของตนเองไม่ได้ ให้ผู้ดูแลระบบอีกคนปิดให้');
      await disableOfficer(pool, username, changeBy(ctx, request));
      return 'disabled';
    }),
  ];
}
