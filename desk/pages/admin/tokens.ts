import { z } from 'zod';
import { createToken, findOfficer, listOfficers, listTokens, revokeToken, type OfficerRecord, type TokenRecord } from '../../../registry/officers';
import type { DeskRoute, RouteContext } from '../../api/route';
import { newApiToken, secretHash } from '../../auth/secret';
import { optionalText, readForm, requiredText, typedFields } from '../forms';
import { html, type Html } from '../html';
import { banner, csrfField, page, type PageContext } from '../layout';
import { adminForm, adminPage, changeBy, refusal } from './shared';

// โทเคน API: the tokens scripts sign in with, as `saraban token create|revoke` makes and ends
// them. Only a token's hash is kept, so a new token is shown once, on the answer to the form.

const TokenForm = z.object({ username: requiredText('เจ้าหน้าที่เจ้าของโทเคน', 64), label: optionalText('คำอธิบาย') });

const TokenId = z.object({ id: z.coerce.number().int().positive() });

export function tokensPage(
  ctx: PageContext,
  tokens: readonly TokenRecord[],
  officers: readonly OfficerRecord[],
  note: { done?: string; error?: string; typed?: { username?: string; label?: string } } = {},
): Html {
  const f = ctx.format;
  const when = (d: Date | null) => (d ? f.shortDateTime(d) : '—');
  const rows = tokens.map(
    (t) => html`<tr${t.revokedAt ? html` class="disabled"` : ''}>
  <td class="num" data-label="หมายเลข">${f.digits(t.id)}</td>
  <th scope="row">${t.name} <small>(${t.username})</small></th>
  <td data-label="คำอธิบาย">${t.label ?? '—'}</td>
  <td data-label="สร้างเมื่อ">${when(t.createdAt)}</td>
  <td data-label="ใช้ล่าสุด">${when(t.lastUsedAt)}</td>
  <td data-label="สถานะ">${
    t.revokedAt
      ? html`ยกเลิกแล้ว ${f.shortDateTime(t.revokedAt)}`
      : html`<form method="post" action="/admin/tokens/${t.id}/revoke" data-confirm="ยกเลิกโทเคนหมายเลข ${f.digits(t.id)} ของ ${t.name}?">
    ${csrfField(ctx)}
    <button type="submit" class="danger">ยกเลิกโทเคน ${f.digits(t.id)}</button>
  </form>`
  }</td>
</tr>`,
  );
  const typed = note.typed ?? {};
  const owners = officers
    .filter((o) => !o.disabledAt)
    .map((o) => html`<option value="${o.username}"${o.username === typed.username ? html` selected` : ''}>${o.name} (${o.username})</option>`);
  return page(
    ctx,
    'โทเคน API',
    html`${banner('done', note.done === 'revoked' ? 'ยกเลิกโทเคนแล้ว: โปรแกรมที่ใช้โทเคนนี้จะเข้าระบบไม่ได้อีก' : undefined)}
${banner('error', note.error)}
<p>โทเคนใช้สำหรับโปรแกรมที่เรียก API ของระบบ (ส่งในส่วนหัว <code>Authorization: Bearer …</code>) ในนามของเจ้าหน้าที่เจ้าของโทเคน ด้วยสิทธิ์เท่ากับเจ้าหน้าที่ผู้นั้น</p>
${
  tokens.length
    ? html`<div class="table-wrap"><table class="tokens cards">
<thead><tr><th scope="col">หมายเลข</th><th scope="col">ของ</th><th scope="col">คำอธิบาย</th><th scope="col">สร้างเมื่อ</th><th scope="col">ใช้ล่าสุด</th><th scope="col">สถานะ</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : html`<p>ยังไม่มีโทเคน</p>`
}
<h2 id="create-token">สร้างโทเคนใหม่</h2>
<form class="admin" method="post" action="/admin/tokens" aria-labelledby="create-token">
  ${csrfField(ctx)}
  <div><label for="token-owner">ของเจ้าหน้าที่</label><select id="token-owner" name="username" required><option value="">— เลือกเจ้าหน้าที่ —</option>${owners}</select></div>
  <div><label for="token-label">คำอธิบาย (เช่น ชื่อโปรแกรมที่ใช้)</label><input id="token-label" name="label" maxlength="200" value="${typed.label ?? ''}"></div>
  <div><button type="submit">สร้างโทเคน</button></div>
</form>`,
  );
}

/** The answer to the create form: the token, this once. */
export function newTokenPage(ctx: PageContext, token: string, id: number, owner: OfficerRecord): Html {
  return page(
    ctx,
    'สร้างโทเคนแล้ว',
    html`<p class="banner error" role="alert"><strong>คัดลอกโทเคนนี้เก็บไว้เดี๋ยวนี้</strong> ระบบเก็บไว้เพียงค่าที่ถอดกลับไม่ได้ และจะไม่แสดงโทเคนนี้อีก
หากทำหายต้องยกเลิกแล้วสร้างใหม่</p>
<div class="new-token">
  <label for="new-token">โทเคนหมายเลข ${ctx.format.digits(id)} ของ ${owner.name} (${owner.username})</label>
  <textarea id="new-token" readonly rows="2" spellcheck="false">${token}</textarea>
</div>
<p><a href="/admin/tokens">กลับไปรายการโทเคน</a></p>`,
  );
}

export function adminTokenRoutes(ctx: RouteContext): DeskRoute[] {
  const { pool } = ctx;
  const show = async (c: PageContext, note: Parameters<typeof tokensPage>[3]) => {
    const [tokens, officers] = await Promise.all([listTokens(pool), listOfficers(pool)]);
    return tokensPage(c, tokens, officers, note);
  };
  return [
    adminPage(ctx, '/admin/tokens', show),
    adminForm(ctx, '/admin/tokens', {
      async act(request, c, reply) {
        const form = readForm(TokenForm, request.body);
        const owner = await findOfficer(pool, form.username);
        if (!owner) throw refusal('no-officer', c.format);
        const token = newApiToken();
        const id = await createToken(pool, owner.username, secretHash(token), form.label ?? null, changeBy(ctx, request));
        // Not a redirect: the token exists only in this answer, which no cache may keep.
        reply.code(201).header('cache-control', 'no-store');
        return newTokenPage(c, token, id, owner);
      },
      again: (request, c, error) => show(c, { error, typed: typedFields(request.body, ['username', 'label']) }),
    }),
    adminForm(ctx, '/admin/tokens/:id/revoke', {
      params: TokenId,
      async act(request, c) {
        if (!(await revokeToken(pool, request.params.id, changeBy(ctx, request)))) throw refusal('no-token', c.format);
        return '/admin/tokens?done=revoked';
      },
      again: (_request, c, error) => show(c, { error }),
    }),
  ];
}
