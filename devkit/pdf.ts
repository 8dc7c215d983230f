/**
 * A PDF file of these objects, numbered from 1 (the first is the catalog), with its
 * cross-reference table and trailer; `trailer` adds entries to the trailer dictionary. For
 * the PDFs the bench and the tests make up; a string object is written as latin1.
 */
export function pdfFile(objects: ReadonlyArray<string | Buffer>, trailer = ''): Buffer {
  // A binary comment on line 2 tells tools the file is binary, as real PDFs do.
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0].length;
  const offsets = objects.map((body, i) => {
    const object = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(object);
    length += object.length;
    return length - object.length;
  });
  // Each cross-reference entry is exactly 20 bytes, as the format requires.
  const xref = ['xref', `0 ${offsets.length + 1}`, '0000000000 65535 f ', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `)];
  parts.push(
    Buffer.from(`${xref.join('\n')}\ntrailer\n<< /Size ${offsets.length + 1} /Root 1 0 R${trailer} >>\nstartxref\n${length}\n%%EOF\n`),
  );
  return Buffer.concat(parts);
}
