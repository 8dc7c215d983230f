import { THAI_GOVERNMENT_HOLIDAYS } from '../../../config/holidays';
import { deadlineOf } from '../../../letter/routing';
import {
  bangkokDate,
  deadlineDay,
  isWorkingDay,
  nextWorkingDay,
  officeMinutesBetween,
  previousWorkingDay,
  slotsBetween,
  slotsOfDay,
  type WorkingDay,
} from '../../../letter/workday';

// February-March 2569: Friday 27 Feb, the weekend, Monday 2 Mar, Tuesday 3 Mar วันมาฆบูชา, Wednesday 4 Mar.
const holidays = new Set(THAI_GOVERNMENT_HOLIDAYS.map((h) => h.date));
const workday: WorkingDay = {
  holidays,
  checkTimes: ['09:00', '14:00'],
  officeHours: { start: '08:30', end: '16:30' },
  urgentEveryMinutes: 60,
};
const bangkok = (local: string) => new Date(`${local}+07:00`);

describe('the working day', () => {
  it('is Monday to Friday, except a holiday: a weekend and วันมาฆบูชา are not', () => {
    const days = ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'];
    expect(days.map((d) => isWorkingDay(d, holidays))).toEqual([true, false, false, true, false, true]);
  });

  it('before a date is the last working day before it, over a weekend and a holiday', () => {
    expect(previousWorkingDay('2026-03-04', holidays)).toBe('2026-03-02');
    expect(previousWorkingDay('2026-03-02', holidays)).toBe('2026-02-27');
    expect(previousWorkingDay('2026-03-01', holidays)).toBe('2026-02-27');
  });

  it('after a date is the first working day after it, past Songkran and its weekend', () => {
    expect(nextWorkingDay('2026-02-27', holidays)).toBe('2026-03-02');
    expect(nextWorkingDay('2026-03-02', holidays)).toBe('2026-03-04');
    expect(nextWorkingDay('2026-04-10', holidays)).toBe('2026-04-16');
  });

  it('is found nowhere in a calendar with no working day, instead of searching for ever', () => {
    const everyDay = new Set(Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10)));
    expect(nextWorkingDay('2026-01-01', everyDay)).toBeNull();
  });

  it('is the day in Bangkok, not in UTC, around midnight', () => {
    // 17:00 UTC on Sunday is midnight, Monday, in Bangkok.
    expect(bangkokDate(new Date('2026-03-01T17:00:00Z'))).toBe('2026-03-02');
    expect(bangkokDate(new Date('2026-03-01T16:59:59Z'))).toBe('2026-03-01');
    expect(isWorkingDay(bangkokDate(new Date('2026-03-01T17:30:00Z')), holidays)).toBe(true);
    // Friday 23:30 UTC is already Saturday in Bangkok.
    expect(isWorkingDay(bangkokDate(new Date('2026-02-27T17:30:00Z')), holidays)).toBe(false);
  });
});

describe('the slots of a working day', () => {
  it('are the check times and the ด่วนที่สุด steps within office hours, a check time on the hour being both', () => {
    const slots = slotsOfDay('2026-03-02', workday);
    expect(slots.map((s) => `${s.time}${s.check ? ' check' : ''}${s.urgent ? ' urgent' : ''}`)).toEqual([
      '09:00 check urgent',
      '10:00 urgent',
      '11:00 urgent',
      '12:00 urgent',
      '13:00 urgent',
      '14:00 check urgent',
      '15:00 urgent',
      '16:00 urgent',
    ]);
    expect(slots[0]).toMatchObject({ key: '2026-03-02T09:00', day: '2026-03-02', at: new Date('2026-03-02T02:00:00Z') });
  });

  it('take a check time outside office hours and steps that do not fall on the hour', () => {
    const slots = slotsOfDay('2026-03-02', { ...workday, checkTimes: ['07:45'], urgentEveryMinutes: 90 });
    expect(slots.map((s) => s.key.slice(11))).toEqual(['07:45', '09:00', '10:30', '12:00', '13:30', '15:00', '16:30']);
  });

  it('are none on a weekend or a holiday', () => {
    expect(slotsOfDay('2026-02-28', workday)).toEqual([]);
    expect(slotsOfDay('2026-03-01', workday)).toEqual([]);
    expect(slotsOfDay('2026-03-03', workday)).toEqual([]);
  });

  it('between Friday after work and Wednesday morning are Monday’s two check times and Wednesday’s first, none on the weekend or the holiday', () => {
    const checks = slotsBetween(bangkok('2026-02-27T17:00'), bangkok('2026-03-04T09:00'), workday).filter((s) => s.check);
    expect(checks.map((s) => s.key)).toEqual(['2026-03-02T09:00', '2026-03-02T14:00', '2026-03-04T09:00']);
  });

  it('between Sunday 23:00 and Monday 09:00 in Bangkok are Monday’s first, although UTC is still on Sunday at midnight Bangkok', () => {
    const slots = slotsBetween(new Date('2026-03-01T16:00:00Z'), new Date('2026-03-02T02:00:00Z'), workday);
    expect(slots.map((s) => s.key)).toEqual(['2026-03-02T09:00']);
    // The slot itself is included, the instant before it is not.
    expect(slotsBetween(new Date('2026-03-02T02:00:00Z'), new Date('2026-03-02T02:59:59Z'), workday)).toEqual([]);
  });
});

describe('a deadline', () => {
  it('of a whole day falls on that day, although it is kept as the next midnight', () => {
    expect(deadlineDay(deadlineOf('2026-03-04')!)).toBe('2026-03-04');
    expect(deadlineDay(deadlineOf('2026-03-04T10:00')!)).toBe('2026-03-04');
    expect(previousWorkingDay(deadlineDay(deadlineOf('2026-03-04')!), holidays)).toBe('2026-03-02');
  });
});

describe('the time a letter has waited', () => {
  it('counts office hours of working days only: Friday 16:00 to Monday 09:00 is an hour', () => {
    expect(officeMinutesBetween(bangkok('2026-02-27T16:00'), bangkok('2026-03-02T09:00'), workday)).toBe(60);
  });

  it('counts nothing of a holiday, nor of a night, nor backwards', () => {
    expect(officeMinutesBetween(bangkok('2026-03-02T16:00'), bangkok('2026-03-04T08:45'), workday)).toBe(30 + 15);
    expect(officeMinutesBetween(bangkok('2026-03-02T18:00'), bangkok('2026-03-02T23:00'), workday)).toBe(0);
    expect(officeMinutesBetween(bangkok('2026-03-02T10:00'), bangkok('2026-03-02T09:00'), workday)).toBe(0);
  });

  it('is all of it within one day', () => {
    expect(officeMinutesBetween(bangkok('2026-03-02T09:30'), bangkok('2026-03-02T13:30'), workday)).toBe(240);
  });
});
