import { parseBinaryCopy } from '../../../registry/db';

// Builds binary COPY data as PostgreSQL writes it: signature, flags, header extension, rows, trailer.
function copyData(rows: (Buffer | null)[][], extension = Buffer.alloc(0), flags = 0): Buffer {
  const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(flags), int32(extension.length), extension];
  for (const row of rows) {
    parts.push(int16(row.length));
    for (const field of row) parts.push(...(field === null ? [int32(-1)] : [int32(field.length), field]));
  }
  parts.push(int16(-1));
  return Buffer.concat(parts);
}

describe('reading binary COPY data (the kept message as bytes)', () => {
  it('gives each row its fields as the bytes sent, NULL as null and an empty field as empty', () => {
    const bytes = Buffer.from([0, 1, 0xff, 0x0d, 0x0a, 0x80]);
    const rows = parseBinaryCopy(
      copyData([
        [Buffer.from('{"id":"a"}'), bytes],
        [Buffer.from('{"id":"a"}'), Buffer.alloc(0)],
        [Buffer.from('{"id":"a"}'), null],
      ]),
    );
    expect(rows).toHaveLength(3);
    expect(rows[0][0]!.toString()).toBe('{"id":"a"}');
    expect(rows[0][1]!.equals(bytes)).toBe(true);
    expect(rows[1][1]!.length).toBe(0);
    expect(rows[2][1]).toBeNull();
  });

  it('gives no rows for an empty result and skips a header extension', () => {
    expect(parseBinaryCopy(copyData([]))).toEqual([]);
    expect(parseBinaryCopy(copyData([[Buffer.from('x')]], Buffer.from('ext')))[0][0]!.toString()).toBe('x');
  });

  it('refuses data that is not binary COPY or ends inside a field', () => {
    expect(() => parseBinaryCopy(Buffer.from('id,data\n1,abc\n'))).toThrow('not binary COPY data');
    const whole = copyData([[Buffer.alloc(100, 7)]]);
    expect(() => parseBinaryCopy(whole.subarray(0, whole.length - 20))).toThrow(RangeError);
    // Bit 16: each row carries an OID first, which a query's COPY never asks for.
    expect(() => parseBinaryCopy(copyData([[Buffer.from('x')]], Buffer.alloc(0), 1 << 16))).toThrow('flags set');
  });
});
