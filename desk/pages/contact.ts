import { CIRCULAR } from '../../letter/contact';
import { toArabicDigits } from '../../letter/thai';
import { readContactSheet } from '../../registry/contact';
import { publicContact, type Contact } from '../api/contact';
import { route, type DeskRoute, type RouteContext } from '../api/route';
import { html, type Html } from './html';
import { publicPage } from './layout';

// The public page the Ministry's circular asks an agency to publish: its central address and
// the officers who check it. No sign-in; the same data as /contact.json.

/**
 * A tel: link for a number as people write it ("0 2123 4567 ต่อ 101", Thai digits too): its
 * digits, and the extension after ต่อ as RFC 3966's ;ext=. Null when it holds no number.
 */
export function telHref(phone: string): string | null {
  const [number, extension] = toArabicDigits(phone).split(/ต่อ|ext\.?|#/i);
  const digits = number.replace(/(?!^\+)[^0-9]/g, '').replace(/^\+?$/, '');
  if (!digits) return null;
  const ext = extension?.replace(/[^0-9]/g, '');
  return `tel:${digits}${ext ? `;ext=${ext}` : ''}`;
}

const phoneLink = (phone: string | null): Html | string => {
  if (!phone) return '-';
  const href = telHref(phone);
  return href ? html`<a href="${href}">${phone}</a>` : phone;
};

export function contactPage(contact: Contact): Html {
  const officers = contact.officers.length
    ? html`<div class="table-wrap"><table class="contact cards">
<caption class="visually-hidden">เจ้าหน้าที่ผู้รับผิดชอบตรวจสอบไปรษณีย์อิเล็กทรอนิกส์กลาง</caption>
<thead><tr><th scope="col">ชื่อ - สกุล</th><th scope="col">ตำแหน่ง</th><th scope="col">หมายเลขโทรศัพท์</th></tr></thead>
<tbody>
${contact.officers.map((o) => html`<tr><th scope="row">${o.name}</th><td data-label="ตำแหน่ง">${o.position ?? '-'}</td><td data-label="โทรศัพท์">${phoneLink(o.phone)}</td></tr>\n`)}</tbody>
</table></div>`
    : html`<p>ยังไม่ได้ประกาศรายชื่อเจ้าหน้าที่ผู้รับผิดชอบ</p>`;
  const help = contact.helpDesk;
  const helpDesk = help
    ? html`<h2>ติดต่อสอบถาม</h2>
<dl class="fields">
${help.name ? html`<dt>หน่วยงาน</dt><dd>${help.name}</dd>` : ''}
${help.phone ? html`<dt>โทรศัพท์</dt><dd>${phoneLink(help.phone)}</dd>` : ''}
${help.email ? html`<dt>อีเมล</dt><dd><a href="mailto:${help.email}">${help.email}</a></dd>` : ''}
${help.address ? html`<dt>ที่อยู่</dt><dd>${help.address}</dd>` : ''}
</dl>`
    : '';
  return publicPage(
    `ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง · ${contact.agency}`,
    html`<h1>ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง</h1>
<p class="agency">${contact.agency}${contact.agencyEn ? html` <span lang="en">(${contact.agencyEn})</span>` : ''}</p>
<p>หนังสือราชการที่ส่งทางไปรษณีย์อิเล็กทรอนิกส์ถึงหน่วยงาน โปรดส่งถึงที่อยู่ต่อไปนี้</p>
<ul class="addresses">${contact.centralAddresses.map((a) => html`<li><a href="mailto:${a}">${a}</a></li>`)}</ul>
<h2>เจ้าหน้าที่ผู้รับผิดชอบตรวจสอบ</h2>
${officers}
<h2>เวลาทำการ</h2>
<p>${contact.officeHours}</p>
${helpDesk}
<p class="note">ประกาศตาม${CIRCULAR} · <a href="/contact.json">ข้อมูลนี้ในรูปแบบ JSON</a></p>`,
  );
}

export function contactPageRoutes({ pool, config }: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/contact',
      auth: 'public',
      page: true,
      schema: { hide: true },
      async handler(_request, reply) {
        reply.header('cache-control', 'public, max-age=300');
        return contactPage(publicContact(await readContactSheet(pool, config)));
      },
    }),
  ];
}
