import { z } from 'zod';
import { addUnit, listOfficers, listUnits, type OfficerRecord, type Unit } from '../../../registry/officers';
import type { DeskRoute, RouteContext } from '../../api/route';
import { optionalText, readForm, requiredText, typedFields } from '../forms';
import { html, type Html } from '../html';
import { banner, csrfField, page, type PageContext } from '../layout';
import { adminForm, adminPage, changeBy, unitOptions } from './shared';

// หน่วยงาน: the office's tree (กอง > ฝ่าย > งาน) and a form to add a unit, as `saraban unit add` does.

const UnitForm = z.object({
  code: requiredText('รหัสหน่วยงาน', 32),
  name: requiredText('ชื่อหน่วยงาน'),
  parent: optionalText('หน่วยงานต้นสังกัด', 32),
});

/** The tree as nested lists, each unit with its code and how many officers work in it. */
function tree(ctx: PageContext, units: readonly Unit[], officers: readonly OfficerRecord[], centralUnit: string): Html {
  const f = ctx.format;
  const staff = new Map<number, number>();
  for (const o of officers) if (o.unitId !== null && !o.disabledAt) staff.set(o.unitId, (staff.get(o.unitId) ?? 0) + 1);
  const branch = (parentId: number | null): Html | '' => {
    const below = units.filter((u) => u.parentId === parentId);
    if (!below.length) return '';
    return html`<ul>${below.map(
      (u) => html`<li><span class="unit-name">${u.name}</span> <code>${u.code}</code> <small>· เจ้าหน้าที่ ${f.digits(staff.get(u.id) ?? 0)} คน</small>${u.code === centralUnit ? html` <span class="tag">รับหนังสือที่ไม่ตรงกฎใด</span>` : ''}${branch(u.id)}</li>`,
    )}</ul>`;
  };
  return units.length ? html`<nav class="unit-tree" aria-label="ผังหน่วยงาน">${branch(null)}</nav>` : html`<p>ยังไม่มีหน่วยงาน</p>`;
}

export function unitsPage(
  ctx: PageContext,
  units: readonly Unit[],
  officers: readonly OfficerRecord[],
  centralUnit: string,
  note: { done?: string; error?: string; typed?: Partial<Record<'code' | 'name' | 'parent', string>> } = {},
): Html {
  const typed = note.typed ?? {};
  return page(
    ctx,
    'หน่วยงาน',
    html`${banner('done', note.done === 'added' ? 'เพิ่มหน่วยงานแล้ว' : undefined)}
${banner('error', note.error)}
${tree(ctx, units, officers, centralUnit)}
<h2 id="add-unit">เพิ่มหน่วยงาน</h2>
<form class="admin" method="post" action="/admin/units" aria-labelledby="add-unit">
  ${csrfField(ctx)}
  <div><label for="unit-code">รหัสหน่วยงาน</label><input id="unit-code" name="code" required maxlength="32" value="${typed.code ?? ''}" aria-describedby="unit-code-hint">
  <small id="unit-code-hint">ตัวอักษรอังกฤษ ตัวเลข และ . _ - เช่น KK-SB</small></div>
  <div><label for="unit-name">ชื่อหน่วยงาน</label><input id="unit-name" name="name" required maxlength="200" value="${typed.name ?? ''}"></div>
  <div><label for="unit-parent">อยู่ภายใต้</label><select id="unit-parent" name="parent">${unitOptions(units, typed.parent, '— ไม่มี (หน่วยงานระดับบนสุด) —')}</select></div>
  <div><button type="submit">เพิ่มหน่วยงาน</button></div>
</form>`,
  );
}

export function adminUnitRoutes(ctx: RouteContext): DeskRoute[] {
  const { pool, config } = ctx;
  const show = async (c: PageContext, note: Parameters<typeof unitsPage>[4]) => {
    const [units, officers] = await Promise.all([listUnits(pool), listOfficers(pool)]);
    return unitsPage(c, units, officers, config.routing.centralUnit, note);
  };
  return [
    adminPage(ctx, '/admin/units', show),
    adminForm(ctx, '/admin/units', {
      async act(request) {
        const form = readForm(UnitForm, request.body);
        await addUnit(pool, { code: form.code, name: form.name, parentCode: form.parent }, changeBy(ctx, request));
        return '/admin/units?done=added';
      },
      again: (request, c, error) => show(c, { error, typed: typedFields(request.body, ['code', 'name', 'parent']) }),
    }),
  ];
}
