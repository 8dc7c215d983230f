import { deskFormat } from '../../../desk/pages/format';
import { escapeHtml, html, trusted } from '../../../desk/pages/html';
import { reasonInThai } from '../../../desk/pages/letter';
import { safeNext } from '../../../desk/pages/login';
import type { PageContext } from '../../../desk/pages/layout';
import { countText, pager } from '../../../desk/pages/queue';
import { ListQuery } from '../../../desk/api/letters';

describe('html`...`', () => {
  it('escapes every interpolated text, so markup a sender wrote shows as text', () => {
    const subject = `<script>alert("x")</script> & 'q'`;
    expect(html`<td>${subject}</td>`.markup).toBe('<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</td>');
    expect(html`<a title="${'" onmouseover="x'}">`.markup).toBe('<a title="&quot; onmouseover=&quot;x">');
  });

  it('keeps fragments made by the tag as they are, in lists too, and writes nothing for null, undefined and false', () => {
    const rows = ['ก', '<b>'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${rows}</ul>${null}${undefined}${false}${0}`.markup).toBe('<ul><li>ก</li><li>&lt;b&gt;</li></ul>0');
  });

  it('passes markup marked trusted unchanged, and escapes a plain string that looks like markup', () => {
    expect(html`${trusted('<br>')}${'<br>'}`.markup).toBe('<br>&lt;br&gt;');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });
});

describe('the desk format', () => {
  const at = new Date('2026-12-04T07:30:00Z'); // 14.30 in Bangkok

  it('writes a date and time as a Thai office does, in the Buddhist era with Thai digits', () => {
    const f = deskFormat('thai');
    expect(f.dateTime(at)).toBe('วันที่ ๔ ธันวาคม ๒๕๖๙ เวลา ๑๔.๓๐ น.');
    expect(f.shortDateTime(at)).toBe('๔ ธ.ค. ๖๙ ๑๔.๓๐ น.');
    expect(f.date('2027-01-05')).toBe('๕ มกราคม ๒๕๗๐');
    expect(f.digits('ที่ มท 0201/123')).toBe('ที่ มท ๐๒๐๑/๑๒๓');
  });

  it('keeps Arabic digits when the desk is set so', () => {
    const f = deskFormat('arabic');
    expect(f.dateTime(at)).toBe('วันที่ 4 ธันวาคม 2569 เวลา 14.30 น.');
    expect(f.digits(12)).toBe('12');
  });

  it('takes the Bangkok date at midnight UTC+7, not the UTC one', () => {
    expect(deskFormat('arabic').dateTime(new Date('2026-12-31T17:30:00Z'))).toBe('วันที่ 1 มกราคม 2570 เวลา 00.30 น.');
  });
});

describe('safeNext', () => {
  it('goes on only to a path of this desk', () => {
    expect(safeNext('/letters/5?x=1')).toBe('/letters/5?x=1');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '', undefined, 5, '/ x']) {
      expect(safeNext(bad)).toBe('/');
    }
  });
});

describe("a sender check's reason, in Thai", () => {
  it('names the domain the mailbox server judged and the one shown, when they differ', () => {
    expect(reasonInThai('dmarc=pass')).toBe('DMARC ผ่าน');
    expect(reasonInThai('dmarc=pass judged header.from=evil.example, not the From shown (moe.go.th)')).toBe(
      'ผล DMARC ของเซิร์ฟเวอร์อีเมล (ผ่าน) เป็นของโดเมน evil.example ไม่ใช่โดเมนของผู้ส่งที่แสดง (moe.go.th)',
    );
    expect(reasonInThai('dmarc=fail for no header.from, not the From shown (none)')).toBe(
      'ผล DMARC ของเซิร์ฟเวอร์อีเมล (ไม่ผ่าน) ไม่ระบุว่าตรวจโดเมนใด จึงยืนยันผู้ส่งที่แสดงไม่ได้',
    );
    expect(reasonInThai('something new')).toBe('something new');
  });
});

describe("the queue's pager", () => {
  const ctx = { format: deskFormat('arabic') } as PageContext;
  const query = (offset: number) => ListQuery.parse({ q: 'ประชุม', limit: '50', offset: String(offset) });
  const text = (nav: ReturnType<typeof pager>) => (nav === '' ? '' : nav.markup.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());

  it('counts to the total when it is exact, with a next page while there is one', () => {
    expect(text(pager(ctx, query(0), 120))).toBe('1–50 จาก 120 ถัดไป');
    expect(text(pager(ctx, query(100), 120))).toBe('ก่อนหน้า 101–120 จาก 120');
    expect(pager(ctx, query(0), 30)).toBe('');
  });

  it('ends where the page ends when the count stopped at the cap, and offers a next page only after a full one', () => {
    expect(text(pager(ctx, query(950), 1000, { shown: 50 }))).toBe('ก่อนหน้า 951–1000 จาก 1000+ ถัดไป');
    expect(text(pager(ctx, query(1200), 1000, { shown: 7 }))).toBe('ก่อนหน้า 1201–1207 จาก 1000+');
    expect(text(pager(ctx, query(1250), 1000, { shown: 0 }))).toBe('ก่อนหน้า จาก 1000+');
  });

  it('writes a count stopped at the cap with a plus, and a count not made as nothing', () => {
    expect(countText(ctx.format, 1000, true)).toBe('1000+');
    expect(countText(ctx.format, 12, false)).toBe('12');
    expect(countText(ctx.format, null, false)).toBe('');
  });
});
