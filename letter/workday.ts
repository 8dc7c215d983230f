// The office's working day (วันทำการ), as the reminders follow it: Monday to Friday, except the
// holidays the settings list, in Bangkok time. The regulation has the central mailbox checked
// at set times of each working day; these are the times (slots) a reminder may be sent at.
// Pure: the instant to judge is always given.

/** A calendar date in Bangkok, common era: YYYY-MM-DD. */
export type IsoDate = string;

/** What the working day is made of (reminders.* in the settings). */
export interface WorkingDay {
  /** Closed days besides Saturdays and Sundays. */
  holidays: ReadonlySet<IsoDate>;
  /** The check times of each working day, HH:MM (ตรวจหนังสือเช้าและบ่าย). */
  checkTimes: readonly string[];
  /** Office hours, HH:MM: ด่วนที่สุด reminders fall within them, and waiting is counted in them. */
  officeHours: { start: string; end: string };
  /** The step of the ด่วนที่สุด reminders, in minutes from midnight (60: on the hour). */
  urgentEveryMinutes: number;
}

// Bangkok has kept UTC+7, without summer time, since 1920.
const BANGKOK_OFFSET_MS = 7 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** The date a clock in Bangkok shows at this instant. */
export function bangkokDate(instant: Date): IsoDate {
  return new Date(instant.getTime() + BANGKOK_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a clock in Bangkok shows `time` (HH:MM) on `date`. */
export function bangkokInstant(date: IsoDate, time: string): Date {
  return new Date(Date.parse(`${date}T${time}:00Z`) - BANGKOK_OFFSET_MS);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(date: IsoDate, holidays: ReadonlySet<IsoDate>): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

// Thai holidays run at most a week or so in a row (Songkran and a weekend): a year without a
// working day is a list gone wrong, and the search stops there rather than run for ever.
const SEARCH_DAYS = 366;

/** The last working day before `date` (for a deadline: the day its reminder is sent). */
export function previousWorkingDay(date: IsoDate, holidays: ReadonlySet<IsoDate>): IsoDate | null {
  return step(date, -1, holidays);
}

/** The first working day after `date`. */
export function nextWorkingDay(date: IsoDate, holidays: ReadonlySet<IsoDate>): IsoDate | null {
  return step(date, 1, holidays);
}

function step(date: IsoDate, direction: 1 | -1, holidays: ReadonlySet<IsoDate>): IsoDate | null {
  for (let n = 1; n <= SEARCH_DAYS; n++) {
    const day = addDays(date, n * direction);
    if (isWorkingDay(day, holidays)) return day;
  }
  return null;
}

/**
 * The day a deadline falls on: the Bangkok date of its last moment. A deadline of a whole day
 * (ด่วนภายใน 4 มี.ค.) is kept as the next midnight, which belongs to the day before it.
 */
export function deadlineDay(deadline: Date): IsoDate {
  return bangkokDate(new Date(deadline.getTime() - 1));
}

/** A moment reminders may go out at: a check time, a step of the ด่วนที่สุด reminders, or both. */
export interface Slot {
  /** Bangkok local date and time, YYYY-MM-DDTHH:MM: what a reminder is recorded under. */
  key: string;
  at: Date;
  day: IsoDate;
  time: string;
  check: boolean;
  urgent: boolean;
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const timeOf = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The slots of one day, in order: none on a closed day. */
export function slotsOfDay(day: IsoDate, workday: WorkingDay): Slot[] {
  if (!isWorkingDay(day, workday.holidays)) return [];
  const times = new Map<string, { check: boolean; urgent: boolean }>();
  for (const time of workday.checkTimes) times.set(time, { check: true, urgent: false });
  const [start, end] = [minutesOf(workday.officeHours.start), minutesOf(workday.officeHours.end)];
  const every = workday.urgentEveryMinutes;
  for (let m = Math.ceil(start / every) * every; m <= end; m += every) {
    const time = timeOf(m);
    times.set(time, { check: times.get(time)?.check ?? false, urgent: true });
  }
  return [...times.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([time, kind]) => ({ key: `${day}T${time}`, at: bangkokInstant(day, time), day, time, ...kind }));
}

/** The slots after `after` up to and including `upTo`, in order. */
export function slotsBetween(after: Date, upTo: Date, workday: WorkingDay): Slot[] {
  const slots: Slot[] = [];
  for (let day = bangkokDate(after); day <= bangkokDate(upTo); day = addDays(day, 1)) {
    slots.push(...slotsOfDay(day, workday).filter((s) => s.at > after && s.at <= upTo));
  }
  return slots;
}

/**
 * Minutes of office hours on working days between two instants: how long a letter has really
 * waited. A letter that came on Saturday has waited nothing by Monday 08:30.
 */
export function officeMinutesBetween(from: Date, to: Date, workday: WorkingDay): number {
  if (to <= from) return 0;
  let total = 0;
  for (let day = bangkokDate(from), n = 0; day <= bangkokDate(to) && n <= SEARCH_DAYS; day = addDays(day, 1), n++) {
    if (!isWorkingDay(day, workday.holidays)) continue;
    const open = Math.max(bangkokInstant(day, workday.officeHours.start).getTime(), from.getTime());
    const close = Math.min(bangkokInstant(day, workday.officeHours.end).getTime(), to.getTime());
    if (close > open) total += (close - open) / 60_000;
  }
  return Math.floor(total);
}
