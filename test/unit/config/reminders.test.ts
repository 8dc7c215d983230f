import { THAI_GOVERNMENT_HOLIDAYS } from '../../../config/holidays';
import { loadConfig, parseConfig } from '../../../config/load';

const minimal = {
  agency: { name: 'สำนักงานทดสอบ', domain: 'example.go.th' },
  books: [{ code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: ['saraban@example.go.th'] }],
};

describe('the reminder settings', () => {
  it('default to 09:00 and 14:00 on working days, hourly ด่วนที่สุด reminders, a supervisor after four hours, and the shipped holidays', () => {
    const { reminders, desk } = parseConfig(minimal);
    expect(reminders).toEqual({
      enabled: true,
      checkTimes: ['09:00', '14:00'],
      officeHours: { start: '08:30', end: '16:30' },
      holidays: THAI_GOVERNMENT_HOLIDAYS.map((h) => h.date),
      urgentEveryMinutes: 60,
      escalateAfterMinutes: 240,
    });
    expect(desk.publicUrl).toBeUndefined();
  });

  it('ship the government holidays of 2569 and 2570, in order, each a weekday or a holiday that a substitute day follows', () => {
    const dates = THAI_GOVERNMENT_HOLIDAYS.map((h) => h.date);
    expect(dates).toEqual([...dates].sort());
    expect(new Set(dates).size).toBe(dates.length);
    expect(new Set(dates.map((d) => d.slice(0, 4)))).toEqual(new Set(['2026', '2027']));
    // Songkran, and 2 January 2569 that the Cabinet added.
    expect(dates).toEqual(expect.arrayContaining(['2026-01-02', '2026-04-13', '2026-04-14', '2026-04-15', '2027-04-13']));
    // วันแรงงาน is not a government holiday.
    expect(dates).not.toContain('2026-05-01');
    const weekend = (d: string) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
    for (const holiday of THAI_GOVERNMENT_HOLIDAYS.filter((h) => weekend(h.date))) {
      const within3Days = (d: string) => d > holiday.date && Date.parse(d) - Date.parse(holiday.date) <= 3 * 86_400_000;
      expect([holiday.date, THAI_GOVERNMENT_HOLIDAYS.some((h) => within3Days(h.date) && h.name.startsWith('วันหยุดชดเชย'))]).toEqual([
        holiday.date,
        true,
      ]);
    }
  });

  it('are in the example file as shipped, so an operator edits the list the gateway uses', () => {
    expect(loadConfig({ SARABAN_CONFIG: '' }).reminders.holidays).toEqual(THAI_GOVERNMENT_HOLIDAYS.map((h) => h.date));
  });

  it('keep the check times in order, once each, and the desk address without a trailing slash', () => {
    const config = parseConfig({
      ...minimal,
      reminders: { checkTimes: ['14:00', '08:30', '14:00'] },
      desk: { publicUrl: 'https://saraban.example.go.th/desk/' },
    });
    expect(config.reminders.checkTimes).toEqual(['08:30', '14:00']);
    expect(config.desk.publicUrl).toBe('https://saraban.example.go.th/desk');
  });

  it('refuse, naming the setting and the form it takes, a time, a date, office hours and an address that cannot be used', () => {
    expect(() =>
      parseConfig({
        ...minimal,
        reminders: {
          checkTimes: ['9.00'],
          holidays: ['2026-02-30', '13/04/2569'],
          officeHours: { start: '16:30', end: '08:30' },
          from: 'saraban',
        },
        desk: { publicUrl: 'saraban.example.go.th' },
      }),
    ).toThrow(
      new RegExp(
        [
          'reminders.checkTimes.0: write a time of day as HH:MM',
          'reminders.officeHours: start must be before end',
          'reminders.holidays.0: write a date of the calendar as YYYY-MM-DD',
          'reminders.holidays.1: write a date of the calendar as YYYY-MM-DD',
          'reminders.from: ',
          'desk.publicUrl: write the address officers open the desk at',
        ]
          .map((line) => line.replace(/[.]/g, '\\.'))
          .map((line) => `(?=[\\s\\S]*${line})`)
          .join(''),
      ),
    );
  });
});
