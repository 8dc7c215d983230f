import type { Contact } from '../../../desk/api/contact';
import { contactPage, telHref } from '../../../desk/pages/contact';

describe('the public contact page', () => {
  const contact: Contact = {
    agency: 'สำนักงานทดสอบ',
    agencyEn: 'Test Office',
    centralAddresses: ['saraban@example.go.th', 'saraban-hr@example.go.th'],
    officeHours: 'วันจันทร์ถึงวันศุกร์ เวลา ๐๘.๓๐–๑๖.๓๐ น.',
    officers: [
      { name: 'กมล ใจดี', position: 'เจ้าพนักงานธุรการ', phone: '0 2123 4567 ต่อ 101' },
      { name: 'สมหญิง รักงาน', position: null, phone: null },
    ],
    helpDesk: { name: 'งานสารบรรณ', phone: '๐ ๒๑๒๓ ๔๕๖๗', email: 'help@example.go.th', address: null },
  };

  it('makes a tel: link of a number as people write it, its extension after ต่อ, and none of a text without digits', () => {
    expect(telHref('0 2123 4567 ต่อ 101')).toBe('tel:021234567;ext=101');
    expect(telHref('๐ ๒๑๒๓ ๔๕๖๗')).toBe('tel:021234567');
    expect(telHref('+66 2 123 4567')).toBe('tel:+6621234567');
    expect(telHref('08-1234-5678')).toBe('tel:0812345678');
    expect(telHref('ติดต่อผ่านงานสารบรรณ')).toBeNull();
    expect(telHref('+')).toBeNull();
  });

  it('shows the agency, each central address to write to, the officers with position and telephone, the hours and the help desk', () => {
    const page = contactPage(contact).markup;
    expect(page).toContain('<html lang="th">');
    expect(page).toContain('<title>ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง · สำนักงานทดสอบ</title>');
    expect(page).toContain('<li><a href="mailto:saraban@example.go.th">saraban@example.go.th</a></li>');
    expect(page).toContain('<li><a href="mailto:saraban-hr@example.go.th">saraban-hr@example.go.th</a></li>');
    expect(page).toContain(
      '<tr><th scope="row">กมล ใจดี</th><td data-label="ตำแหน่ง">เจ้าพนักงานธุรการ</td><td data-label="โทรศัพท์"><a href="tel:021234567;ext=101">0 2123 4567 ต่อ 101</a></td></tr>',
    );
    expect(page).toContain('<tr><th scope="row">สมหญิง รักงาน</th><td data-label="ตำแหน่ง">-</td><td data-label="โทรศัพท์">-</td></tr>');
    expect(page).toContain('<p>วันจันทร์ถึงวันศุกร์ เวลา ๐๘.๓๐–๑๖.๓๐ น.</p>');
    expect(page).toContain('<dt>โทรศัพท์</dt><dd><a href="tel:021234567">๐ ๒๑๒๓ ๔๕๖๗</a></dd>');
    expect(page).toContain('<a href="mailto:help@example.go.th">help@example.go.th</a>');
    expect(page).not.toContain('<dt>ที่อยู่</dt>');
    expect(page).toContain('มท ๐๒๐๑.๒/ว ๕๙๕๑');
  });

  it('says so when no officer is named, and leaves the help desk out when the settings have none', () => {
    const page = contactPage({ ...contact, officers: [], helpDesk: null }).markup;
    expect(page).toContain('ยังไม่ได้ประกาศรายชื่อเจ้าหน้าที่ผู้รับผิดชอบ');
    expect(page).not.toContain('<table');
    expect(page).not.toContain('ติดต่อสอบถาม');
  });

  it('escapes what officers and the settings wrote: a name or an agency full of markup shows as text', () => {
    const page = contactPage({
      ...contact,
      agency: 'สำนักงาน <b>ทดสอบ</b>',
      officers: [{ name: '<script>alert(1)</script>', position: '" onmouseover="x', phone: '"><img src=x onerror=alert()> 0 2123 4567' }],
    }).markup;
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>ทดสอบ');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot; onmouseover=&quot;x');
    expect(page).toContain('<a href="tel:021234567">&quot;&gt;&lt;img src=x onerror=alert()&gt; 0 2123 4567</a>');
  });
});
