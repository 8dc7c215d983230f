// วันหยุดราชการ: the days Thai government offices close besides Saturdays and Sundays, the
// default of reminders.holidays (no reminder is sent on them). CHECK THIS LIST EVERY YEAR and
// put the coming year's days in the settings file: the Cabinet (คณะรัฐมนตรี) announces each
// year's holidays late in the year before, and adds special days (วันหยุดพิเศษ) at short notice.
//
// Where it came from:
// - 2569 (2026): the Cabinet's list of government holidays for 2569, with the special holiday of
//   Friday 2 January 2569 it confirmed in November 2568 (สำนักเลขาธิการคณะรัฐมนตรี), as
//   published by the Thai press (Thairath, Kapook, Dec 2568) and cross-checked with the
//   python-holidays project's Thailand calendar (government and public categories). 1 May
//   (วันแรงงาน) is not a government holiday and is not listed; วันพืชมงคล is.
// - 2570 (2027): the regular holidays of the Holidays Act and Cabinet resolutions, their
//   Buddhist dates by the lunar calendar and substitute days (ชดเชย) for those on a weekend,
//   as python-holidays computes them. Not yet checked against the Cabinet's announcement for
//   2570: วันพืชมงคล (fixed each year by the court astrologers) and any special day are missing.

/** One closed day: its date (CE, YYYY-MM-DD) and name. */
export interface Holiday {
  date: string;
  name: string;
}

export const THAI_GOVERNMENT_HOLIDAYS: readonly Holiday[] = [
  // พ.ศ. 2569
  { date: '2026-01-01', name: 'วันขึ้นปีใหม่' },
  { date: '2026-01-02', name: 'วันหยุดราชการเพิ่มเป็นกรณีพิเศษ' },
  { date: '2026-03-03', name: 'วันมาฆบูชา' },
  { date: '2026-04-06', name: 'วันจักรี' },
  { date: '2026-04-13', name: 'วันสงกรานต์' },
  { date: '2026-04-14', name: 'วันสงกรานต์' },
  { date: '2026-04-15', name: 'วันสงกรานต์' },
  { date: '2026-05-04', name: 'วันฉัตรมงคล' },
  { date: '2026-05-13', name: 'วันพืชมงคล' },
  { date: '2026-05-31', name: 'วันวิสาขบูชา' },
  { date: '2026-06-01', name: 'วันหยุดชดเชยวันวิสาขบูชา' },
  { date: '2026-06-03', name: 'วันเฉลิมพระชนมพรรษาสมเด็จพระราชินี' },
  { date: '2026-07-28', name: 'วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระเจ้าอยู่หัว' },
  { date: '2026-07-29', name: 'วันอาสาฬหบูชา' },
  { date: '2026-07-30', name: 'วันเข้าพรรษา' },
  { date: '2026-08-12', name: 'วันแม่แห่งชาติ' },
  { date: '2026-10-13', name: 'วันนวมินทรมหาราช' },
  { date: '2026-10-23', name: 'วันปิยมหาราช' },
  { date: '2026-12-05', name: 'วันพ่อแห่งชาติ' },
  { date: '2026-12-07', name: 'วันหยุดชดเชยวันพ่อแห่งชาติ' },
  { date: '2026-12-10', name: 'วันรัฐธรรมนูญ' },
  { date: '2026-12-31', name: 'วันสิ้นปี' },
  // พ.ศ. 2570
  { date: '2027-01-01', name: 'วันขึ้นปีใหม่' },
  { date: '2027-02-21', name: 'วันมาฆบูชา' },
  { date: '2027-02-22', name: 'วันหยุดชดเชยวันมาฆบูชา' },
  { date: '2027-04-06', name: 'วันจักรี' },
  { date: '2027-04-13', name: 'วันสงกรานต์' },
  { date: '2027-04-14', name: 'วันสงกรานต์' },
  { date: '2027-04-15', name: 'วันสงกรานต์' },
  { date: '2027-05-04', name: 'วันฉัตรมงคล' },
  { date: '2027-05-20', name: 'วันวิสาขบูชา' },
  { date: '2027-06-03', name: 'วันเฉลิมพระชนมพรรษาสมเด็จพระราชินี' },
  { date: '2027-07-18', name: 'วันอาสาฬหบูชา' },
  { date: '2027-07-19', name: 'วันเข้าพรรษา' },
  { date: '2027-07-20', name: 'วันหยุดชดเชยวันอาสาฬหบูชา' },
  { date: '2027-07-28', name: 'วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระเจ้าอยู่หัว' },
  { date: '2027-08-12', name: 'วันแม่แห่งชาติ' },
  { date: '2027-10-13', name: 'วันนวมินทรมหาราช' },
  { date: '2027-10-23', name: 'วันปิยมหาราช' },
  { date: '2027-10-25', name: 'วันหยุดชดเชยวันปิยมหาราช' },
  { date: '2027-12-05', name: 'วันพ่อแห่งชาติ' },
  { date: '2027-12-06', name: 'วันหยุดชดเชยวันพ่อแห่งชาติ' },
  { date: '2027-12-10', name: 'วันรัฐธรรมนูญ' },
  { date: '2027-12-31', name: 'วันสิ้นปี' },
];
