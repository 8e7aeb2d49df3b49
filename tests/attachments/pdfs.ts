// PDFs for the attachment tests, written by hand (no PDF library): pages of text with a private number on them, one
// with too many pages, one encrypted (the standard security handler; its password unknown to anyone).

/** The bytes of a PDF whose objects are these bodies (1 0 obj … in order), with a correct cross-reference table. */
function assemble(bodies: string[], trailerExtra = ''): Buffer {
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * An A4 PDF of `pages` pages: page i says "PAGE i" at the top and has a black-on-white band with a fake ID number
 * near the bottom (y 0.8–0.9 of the page), so a redaction there can be checked on the rendered view.
 */
export function aPdf(pages: number, options: { encrypted?: boolean } = {}): Buffer {
  // 1 catalog, 2 pages, 3 font, then per page: the page and its content.
  const kids = Array.from({ length: pages }, (_, i) => `${4 + i * 2} 0 R`).join(' ');
  const bodies = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  for (let i = 0; i < pages; i++) {
    // A4 is 595 × 842 points; PDF's y grows upwards. Grey band at the top 0.1–0.2, text in the bottom band.
    const stream =
      `0.5 g 0 674 595 84 re f 0 g BT /F1 36 Tf 60 760 Td (PAGE ${i + 1}) Tj ET ` +
      `BT /F1 28 Tf 60 110 Td (ID 110101199003071234) Tj ET`;
    bodies.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`,
      `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    );
  }
  if (!options.encrypted) return assemble(bodies);
  const hex32 = 'A1'.repeat(32);
  bodies.push(`<< /Filter /Standard /V 1 /R 2 /O <${hex32}> /U <${'B2'.repeat(32)}> /P -4 >>`);
  return assemble(bodies, `/Encrypt ${bodies.length} 0 R /ID [<${'C3'.repeat(16)}> <${'C3'.repeat(16)}>] `);
}
