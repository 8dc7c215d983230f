import type { Config } from '../../../config/load';
import type { RouteTarget, RoutingRule } from '../../../letter/routing';
import { listOfficers, listUnits, type OfficerRecord, type Unit } from '../../../registry/officers';
import type { DeskRoute, RouteContext } from '../../api/route';
import { html, type Html } from '../html';
import { page, type PageContext } from '../layout';
import { adminPage } from './shared';

// กฎการส่งต่อ: the routing rules as the settings give them (config.routing), shown, not edited:
// they live in the configuration file, which the operator changes.

const CONDITIONS: Array<[keyof RoutingRule['when'], string]> = [
  ['books', 'ทะเบียน'],
  ['agencies', 'หน่วยงานผู้ส่ง'],
  ['domains', 'โดเมนอีเมลผู้ส่ง (รวมโดเมนย่อย)'],
  ['titleWords', 'มีคำในเรื่อง'],
  ['urgencies', 'ชั้นความเร็ว'],
];

interface Known {
  units: readonly Unit[];
  officers: readonly OfficerRecord[];
  books: Config['books'];
}

function conditions(rule: RoutingRule, known: Known): Html {
  const items = CONDITIONS.filter(([key]) => rule.when[key]?.length).map(([key, label]) => {
    const values = rule.when[key]!.map((v) => (key === 'books' ? (known.books.find((b) => b.code === v)?.name ?? v) : v));
    return html`<li>${label}: ${values.map((v, i) => html`${i ? ' หรือ ' : ''}<q>${v}</q>`)}</li>`;
  });
  return html`<ul class="conditions">${items}</ul>`;
}

/** Where a rule sends a letter; a unit or officer not at the desk is flagged (routing then uses the central unit). */
function target(to: RouteTarget, known: Known, central = false): Html {
  const instead = central ? '' : ' หนังสือจึงไปที่หน่วยงานรับหนังสือกลางแทน';
  if ('unit' in to) {
    const unit = known.units.find((u) => u.code === to.unit);
    return unit
      ? html`หน่วยงาน ${unit.name} <code>${unit.code}</code> <small>(เวียนให้เจ้าหน้าที่ที่ปฏิบัติงานอยู่ทีละคน)</small>`
      : html`หน่วยงานรหัส <code>${to.unit}</code> <span class="tag suspect">ไม่พบในทะเบียนหน่วยงาน${instead}</span>`;
  }
  const officer = known.officers.find((o) => o.username === to.officer);
  if (!officer) return html`เจ้าหน้าที่ <code>${to.officer}</code> <span class="tag suspect">ไม่พบในทะเบียนเจ้าหน้าที่${instead}</span>`;
  return html`เจ้าหน้าที่ ${officer.name} <code>${officer.username}</code>${officer.disabledAt ? html` <span class="tag suspect">บัญชีปิดแล้ว${instead}</span>` : ''}`;
}

export function routingPage(ctx: PageContext, routing: Config['routing'], known: Known): Html {
  const f = ctx.format;
  const rows = routing.rules.map(
    (rule, i) => html`<tr>
  <td class="num" data-label="ลำดับ">${f.digits(i + 1)}</td>
  <th scope="row">${rule.name}</th>
  <td data-label="เงื่อนไข">${conditions(rule, known)}</td>
  <td data-label="ส่งไปที่">${target(rule.to, known)}</td>
</tr>`,
  );
  return page(
    ctx,
    'กฎการส่งต่อหนังสือ',
    html`<p>หนังสือที่ลงรับแล้วจะถูกส่งต่อตามกฎข้อแรกที่ตรง ตามลำดับในตาราง กฎหนึ่งข้อตรงเมื่อหนังสือตรงทุกเงื่อนไขของกฎ และเงื่อนไขที่มีหลายค่าตรงเมื่อตรงค่าใดค่าหนึ่ง
หนังสือที่ไม่ตรงกฎใดเลยไปที่ ${target({ unit: routing.centralUnit }, known, true)}</p>
<p class="banner note">กฎเหล่านี้อ่านจากไฟล์การตั้งค่าของระบบ (หัวข้อ <code>routing</code>) หน้านี้แสดงเท่านั้น
หากต้องการเปลี่ยน ให้ผู้ดูแลเครื่องแก้ไฟล์การตั้งค่าแล้วเริ่มระบบใหม่</p>
${
  routing.rules.length
    ? html`<div class="table-wrap"><table class="rules cards">
<thead><tr><th scope="col">ลำดับ</th><th scope="col">ชื่อกฎ</th><th scope="col">เงื่อนไข</th><th scope="col">ส่งไปที่</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : html`<p>ยังไม่มีกฎ หนังสือทุกฉบับไปที่หน่วยงานรับหนังสือกลาง</p>`
}`,
  );
}

export function adminRoutingRoutes(ctx: RouteContext): DeskRoute[] {
  return [
    adminPage(ctx, '/admin/routing', async (c) => {
      const [units, officers] = await Promise.all([listUnits(ctx.pool), listOfficers(ctx.pool)]);
      return routingPage(c, ctx.config.routing, { units, officers, books: ctx.config.books });
    }),
  ];
}
