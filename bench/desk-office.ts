// The office the desk bench fills: a provincial office of 20 units in a tree (กอง > ฝ่าย/งาน),
// 100 officers, and what its incoming letters say: titles, agencies and their reference codes,
// as registry clerks see them (the shapes of test/fixtures: ที่ มท ๐๒๐๑.๒/ว ๕๙๕๑).

export const CENTRAL_UNIT = 'SARABAN';

export interface OfficeUnit {
  code: string;
  name: string;
  parent?: string;
  /** Officers (role officer) working in it. */
  staff: number;
}

/** Parents before children, as `saraban unit add` needs them. */
export const UNITS: readonly OfficeUnit[] = [
  { code: 'OFFICE', name: 'สำนักงานจังหวัดตัวอย่าง', staff: 0 },
  { code: 'ADMIN', name: 'กลุ่มงานบริหารทั่วไป', parent: 'OFFICE', staff: 0 },
  { code: CENTRAL_UNIT, name: 'งานสารบรรณกลาง', parent: 'ADMIN', staff: 10 },
  { code: 'HR', name: 'ฝ่ายบริหารงานบุคคล', parent: 'ADMIN', staff: 5 },
  { code: 'FIN', name: 'ฝ่ายการเงินและบัญชี', parent: 'ADMIN', staff: 7 },
  { code: 'SUPPLY', name: 'งานพัสดุ', parent: 'ADMIN', staff: 4 },
  { code: 'IT', name: 'ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร', parent: 'ADMIN', staff: 3 },
  { code: 'PLAN', name: 'กลุ่มงานยุทธศาสตร์และข้อมูลเพื่อการพัฒนาจังหวัด', parent: 'OFFICE', staff: 0 },
  { code: 'PLAN-POLICY', name: 'ฝ่ายนโยบายและแผน', parent: 'PLAN', staff: 5 },
  { code: 'PLAN-DATA', name: 'งานข้อมูลและสารสนเทศ', parent: 'PLAN', staff: 4 },
  { code: 'PLAN-MONITOR', name: 'งานติดตามและประเมินผล', parent: 'PLAN', staff: 4 },
  { code: 'PLAN-PROJECT', name: 'งานโครงการพัฒนาจังหวัด', parent: 'PLAN', staff: 6 },
  { code: 'LEGAL', name: 'กลุ่มงานกฎหมายและความมั่นคง', parent: 'OFFICE', staff: 0 },
  { code: 'LEGAL-CASE', name: 'งานคดีและนิติกรรม', parent: 'LEGAL', staff: 4 },
  { code: 'LEGAL-COMPLAINT', name: 'ศูนย์ดำรงธรรมจังหวัด', parent: 'LEGAL', staff: 7 },
  { code: 'LEGAL-ORDER', name: 'งานความมั่นคงและความสงบเรียบร้อย', parent: 'LEGAL', staff: 4 },
  { code: 'SOCIAL', name: 'กลุ่มงานพัฒนาสังคม', parent: 'OFFICE', staff: 0 },
  { code: 'SOCIAL-WELFARE', name: 'ฝ่ายสวัสดิการสังคม', parent: 'SOCIAL', staff: 5 },
  { code: 'SOCIAL-DISASTER', name: 'งานป้องกันและบรรเทาสาธารณภัย', parent: 'SOCIAL', staff: 7 },
  { code: 'SOCIAL-EDU', name: 'งานการศึกษา ศาสนา และวัฒนธรรม', parent: 'SOCIAL', staff: 4 },
];

/** The divisions (กอง): their heads are the bench's supervisors. */
export const DIVISIONS = UNITS.filter((u) => u.parent === 'OFFICE').map((u) => u.code);

const FIRST_NAMES = [
  'สมชาย',
  'สมหญิง',
  'วิไลวรรณ',
  'ประเสริฐ',
  'กัญญา',
  'ธนพล',
  'ศิริพร',
  'อนุชา',
  'พรทิพย์',
  'สุรเชษฐ์',
  'นภาพร',
  'วีระพงษ์',
  'จันทร์เพ็ญ',
  'ชัยวัฒน์',
  'รัตนา',
  'ปิยะพงษ์',
  'สุภาวดี',
  'กิตติศักดิ์',
  'อรุณี',
  'ณัฐวุฒิ',
];
const LAST_NAMES = [
  'ใจดี',
  'รักษ์ไทย',
  'ศรีสุข',
  'มั่นคง',
  'บุญมา',
  'ทองคำ',
  'แสงอรุณ',
  'พึ่งบุญ',
  'วงศ์สวัสดิ์',
  'เจริญผล',
  'สายสุวรรณ',
  'อินทร์แก้ว',
  'ชูเกียรติ',
  'ปัญญาดี',
];

/** ชื่อ สกุล of the n-th officer (n from 0). */
export const officerName = (n: number) => `${FIRST_NAMES[n % FIRST_NAMES.length]} ${LAST_NAMES[(n * 7) % LAST_NAMES.length]}`;

export interface Agency {
  name: string;
  /** The agency's code in a reference (ที่ มท ...), and its divisions' numbers. */
  code: string;
  divisions: readonly string[];
  domain: string;
  /** How often it writes to this office, relative to the others. */
  weight: number;
}

export const AGENCIES: readonly Agency[] = [
  { name: 'สำนักงานปลัดกระทรวงมหาดไทย', code: 'มท', divisions: ['0201.2', '0201.3', '0201.5'], domain: 'moi.go.th', weight: 8 },
  { name: 'กรมส่งเสริมการปกครองท้องถิ่น', code: 'มท', divisions: ['0808.2', '0810.5', '0816.3'], domain: 'dla.go.th', weight: 7 },
  { name: 'กรมการปกครอง', code: 'มท', divisions: ['0309.1', '0310.4', '0318'], domain: 'dopa.go.th', weight: 6 },
  { name: 'กรมป้องกันและบรรเทาสาธารณภัย', code: 'มท', divisions: ['0624.1', '0617'], domain: 'disaster.go.th', weight: 5 },
  { name: 'กระทรวงศึกษาธิการ', code: 'ศธ', divisions: ['0206', '0210.3'], domain: 'moe.go.th', weight: 4 },
  { name: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน', code: 'ศธ', divisions: ['04002', '04009'], domain: 'obec.go.th', weight: 3 },
  { name: 'กรมบัญชีกลาง', code: 'กค', divisions: ['0405.2', '0405.4', '0409.7'], domain: 'cgd.go.th', weight: 5 },
  { name: 'สำนักงบประมาณ', code: 'นร', divisions: ['0704', '0717'], domain: 'bb.go.th', weight: 3 },
  { name: 'สำนักงาน ก.พ.', code: 'นร', divisions: ['1008', '1011.2'], domain: 'ocsc.go.th', weight: 2 },
  { name: 'สำนักเลขาธิการนายกรัฐมนตรี', code: 'นร', divisions: ['0105', '0106.4'], domain: 'opm.go.th', weight: 2 },
  { name: 'กระทรวงสาธารณสุข', code: 'สธ', divisions: ['0211.3', '0228.05'], domain: 'moph.go.th', weight: 3 },
  { name: 'กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์', code: 'พม', divisions: ['0403', '0506.2'], domain: 'm-society.go.th', weight: 3 },
  { name: 'กระทรวงเกษตรและสหกรณ์', code: 'กษ', divisions: ['0301', '0409.3'], domain: 'moac.go.th', weight: 2 },
  { name: 'กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม', code: 'ทส', divisions: ['0202.3', '1009.4'], domain: 'mnre.go.th', weight: 2 },
  { name: 'กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม', code: 'ดศ', divisions: ['0202.2', '0205'], domain: 'mdes.go.th', weight: 1 },
  { name: 'สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)', code: 'สพร', divisions: ['001', '003'], domain: 'dga.or.th', weight: 1 },
  { name: 'สำนักงานตำรวจแห่งชาติ', code: 'ตช', divisions: ['0011.23', '0026.4'], domain: 'royalthaipolice.go.th', weight: 2 },
  { name: 'สำนักงานการตรวจเงินแผ่นดิน', code: 'ตผ', divisions: ['0002', '0037'], domain: 'audit.go.th', weight: 1 },
  { name: 'องค์การบริหารส่วนจังหวัดตัวอย่าง', code: 'ตย', divisions: ['51001', '51002'], domain: 'example-pao.go.th', weight: 4 },
  { name: 'ที่ว่าการอำเภอเมืองตัวอย่าง', code: 'ตย', divisions: ['0318', '0318.1'], domain: 'example-district.go.th', weight: 4 },
  { name: 'มหาวิทยาลัยสงขลานครินทร์', code: 'มอ', divisions: ['001', '968'], domain: 'psu.ac.th', weight: 1 },
];

/** A kind of letter: its title (with {slots} filled per letter) and the unit routing sends it to. */
interface TitleShape {
  title: string;
  unit: string;
}

const TITLES: readonly TitleShape[] = [
  { title: 'ขอเชิญประชุมคณะกรรมการ{committee} ครั้งที่ {n}/{be}', unit: 'PLAN-POLICY' },
  { title: 'ขอส่งแผนปฏิบัติราชการประจำปีงบประมาณ พ.ศ. {be}', unit: 'PLAN-POLICY' },
  { title: 'ขอความอนุเคราะห์ข้อมูล{topic}', unit: 'PLAN-DATA' },
  { title: 'การจัดเก็บข้อมูลความจำเป็นพื้นฐาน (จปฐ.) ปี {be}', unit: 'PLAN-DATA' },
  { title: 'การติดตามและประเมินผลการดำเนินงานตามแผนปฏิบัติราชการ รอบ {n} เดือน', unit: 'PLAN-MONITOR' },
  { title: 'โครงการ{project} ประจำปีงบประมาณ พ.ศ. {be}', unit: 'PLAN-PROJECT' },
  { title: 'แจ้งจัดสรรงบประมาณรายจ่ายประจำปีงบประมาณ พ.ศ. {be} งวดที่ {n}', unit: 'FIN' },
  { title: 'ขอเบิกเงินค่าใช้จ่ายในการเดินทางไปราชการ', unit: 'FIN' },
  { title: 'รายงานผลการเบิกจ่ายงบประมาณ ไตรมาสที่ {q}', unit: 'FIN' },
  { title: 'ซักซ้อมแนวทางการเบิกจ่ายเงิน{money}', unit: 'FIN' },
  { title: 'ประกาศผู้ชนะการเสนอราคาจัดซื้อ{item}', unit: 'SUPPLY' },
  { title: 'การจัดซื้อจัดจ้าง{item} ด้วยวิธีเฉพาะเจาะจง', unit: 'SUPPLY' },
  { title: 'การประเมินผลการปฏิบัติราชการ รอบที่ {h}/{be}', unit: 'HR' },
  { title: 'รับสมัครคัดเลือกบุคคลเพื่อแต่งตั้งให้ดำรงตำแหน่ง{position}', unit: 'HR' },
  { title: 'ขอส่งตัวข้าราชการไปช่วยราชการ', unit: 'HR' },
  { title: 'รายงานสถานการณ์อุทกภัย{place}', unit: 'SOCIAL-DISASTER' },
  { title: 'ขอความช่วยเหลือผู้ประสบภัย{disaster}', unit: 'SOCIAL-DISASTER' },
  { title: 'การเตรียมความพร้อมรับมือสถานการณ์ภัยแล้ง ปี {be}', unit: 'SOCIAL-DISASTER' },
  { title: 'เร่งรัดการแก้ไขปัญหาหมอกควันและไฟป่า', unit: 'SOCIAL-DISASTER' },
  { title: 'การจ่ายเบี้ยยังชีพผู้สูงอายุและคนพิการ ประจำเดือน{month}', unit: 'SOCIAL-WELFARE' },
  { title: 'ขอความร่วมมือรณรงค์{campaign}', unit: 'SOCIAL-WELFARE' },
  { title: 'ร้องเรียนกรณี{complaint}', unit: 'LEGAL-COMPLAINT' },
  { title: 'ขอให้ตรวจสอบข้อเท็จจริงกรณี{complaint}', unit: 'LEGAL-COMPLAINT' },
  { title: 'แจ้งผลคำพิพากษาคดีหมายเลขแดงที่ {n}/{be}', unit: 'LEGAL-CASE' },
  { title: 'การรักษาความสงบเรียบร้อยในช่วง{event}', unit: 'LEGAL-ORDER' },
  { title: 'การรักษาความปลอดภัยระบบเทคโนโลยีสารสนเทศของส่วนราชการ', unit: 'IT' },
  { title: 'การกำหนดที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลางของส่วนราชการ', unit: 'IT' },
  { title: 'การจัดงานวันสำคัญทางพระพุทธศาสนา{festival}', unit: 'SOCIAL-EDU' },
  { title: 'ขอความร่วมมือส่งเสริมการอ่านและการเรียนรู้ตลอดชีวิต', unit: 'SOCIAL-EDU' },
  { title: 'ขอเชิญร่วมพิธี{ceremony}', unit: CENTRAL_UNIT },
  { title: 'ขอความร่วมมือประชาสัมพันธ์{campaign}', unit: CENTRAL_UNIT },
  { title: 'ซักซ้อมแนวทางปฏิบัติงานสารบรรณ', unit: CENTRAL_UNIT },
];

const SLOTS: Record<string, readonly string[]> = {
  committee: ['บริหารงานจังหวัดแบบบูรณาการ', 'ขับเคลื่อนการพัฒนาจังหวัด', 'พิจารณาร่างแผนพัฒนาจังหวัด', 'ป้องกันและปราบปรามยาเสพติด'],
  topic: ['สถานศึกษาในพื้นที่', 'ประชากรและครัวเรือน', 'ผลผลิตทางการเกษตร', 'แหล่งน้ำเพื่อการเกษตร', 'ผู้มีรายได้น้อย'],
  project: ['พัฒนาแหล่งท่องเที่ยวชุมชน', 'ส่งเสริมอาชีพเกษตรกร', 'ก่อสร้างถนนคอนกรีตเสริมเหล็ก', 'ขุดลอกคลองส่งน้ำ'],
  money: ['ค่าเช่าบ้าน', 'สวัสดิการค่ารักษาพยาบาล', 'ค่าตอบแทนล่วงเวลา'],
  item: ['ครุภัณฑ์คอมพิวเตอร์', 'วัสดุสำนักงาน', 'รถยนต์ส่วนกลาง', 'น้ำมันเชื้อเพลิง'],
  position: ['นักวิเคราะห์นโยบายและแผนชำนาญการ', 'นิติกรชำนาญการพิเศษ', 'เจ้าพนักงานธุรการปฏิบัติงาน'],
  place: ['ในพื้นที่อำเภอเมือง', 'และดินโคลนถล่ม', 'ลุ่มน้ำชี', 'ประจำวัน'],
  disaster: ['วาตภัย', 'อุทกภัย', 'อัคคีภัย', 'ภัยหนาว'],
  month: ['มกราคม', 'เมษายน', 'กรกฎาคม', 'ตุลาคม', 'ธันวาคม'],
  campaign: ['ป้องกันโรคไข้เลือดออก', 'ลดใช้ถุงพลาสติก', 'ความปลอดภัยทางถนนช่วงเทศกาล', 'ต่อต้านการทุจริต'],
  complaint: ['การบุกรุกที่สาธารณประโยชน์', 'เหตุเดือดร้อนรำคาญจากโรงงาน', 'การก่อสร้างอาคารโดยไม่ได้รับอนุญาต', 'ถนนชำรุด'],
  festival: ['วันวิสาขบูชา', 'วันอาสาฬหบูชา', 'วันมาฆบูชา'],
  event: ['เทศกาลสงกรานต์', 'เทศกาลปีใหม่', 'การเลือกตั้งท้องถิ่น'],
  ceremony: ['วันปิยมหาราช', 'เฉลิมพระเกียรติ', 'วันข้าราชการพลเรือน', 'วางพวงมาลา'],
};

/** Words officers search for (ค้นหา), from the titles above, some common and some rare. */
export const SEARCH_WORDS = ['อุทกภัย', 'งบประมาณ', 'ประชุม', 'ร้องเรียน', 'ผู้สูงอายุ', 'ครุภัณฑ์', 'มหาดไทย', 'ไฟป่า'];

/** A small deterministic random source (mulberry32): the same seed fills the same office. */
export function randomSource(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(list: readonly T[]): T => list[int(list.length)],
    chance: (p: number) => next() < p,
    weighted: <T extends { weight: number }>(list: readonly T[]): T => {
      let r = next() * list.reduce((sum, x) => sum + x.weight, 0);
      for (const x of list) if ((r -= x.weight) < 0) return x;
      return list[list.length - 1];
    },
  };
}

export type Random = ReturnType<typeof randomSource>;

/** A title of this shape, its slots filled. */
export function titleOf(random: Random, be: number): { title: string; unit: string } {
  const shape = random.pick(TITLES);
  const title = shape.title.replace(/\{(\w+)\}/g, (_, slot: string) => {
    if (slot === 'be') return String(be);
    if (slot === 'n') return String(1 + random.int(12));
    if (slot === 'q') return String(1 + random.int(4));
    if (slot === 'h') return String(1 + random.int(2));
    return random.pick(SLOTS[slot]);
  });
  return { title, unit: shape.unit };
}
