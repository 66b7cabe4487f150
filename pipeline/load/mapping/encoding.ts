/**
 * Text encodings of CSV exports. UTF-8 is the default; a UTF-16 (little-endian) file is recognised
 * by its byte-order mark, as Excel's "Unicode text" writes it; Latin-1 cannot be told from UTF-8
 * with certainty, so a mapping declares it (`encoding: latin-1`). A file that is not what it is
 * read as stops the load with the file, line and byte of the first bad byte, never silent garbage.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { WuweiError } from '../../base/errors.ts';

/** The encodings DuckDB's CSV reader decodes without extensions, by its names. */
export const ENCODINGS = ['utf-8', 'utf-16', 'latin-1'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** The encoding to read a CSV file with: its byte-order mark decides, else the declared one, else UTF-8. */
export function csvEncoding(path: string, declared: Encoding | undefined): Encoding {
  const head = readHead(path, 4096);
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16';
  if (head[0] === 0xfe && head[1] === 0xff) {
    throw new WuweiError(
      'bad_input',
      `${path}: UTF-16 big-endian (byte-order mark FE FF) cannot be read: save the file as UTF-8 (or UTF-16 little-endian)`,
    );
  }
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  // NUL bytes are in no CSV text but in every UTF-16 one: without its mark the columns would read as garbage.
  if (declared !== 'utf-16' && head.includes(0)) {
    throw new WuweiError(
      'bad_input',
      `${path}: NUL bytes in the first ${head.length} bytes: UTF-16 without a byte-order mark, or not a text file; save it as UTF-8 (or declare \`encoding: utf-16\` in the mapping)`,
    );
  }
  return declared ?? 'utf-8';
}

/** The one-line error for a file that is not valid UTF-8, naming the line and byte of the first bad byte. */
export function notUtf8Error(path: string): WuweiError {
  const bad = firstInvalidUtf8(path);
  const where = bad
    ? `, line ${bad.line}: not UTF-8 (byte 0x${bad.byte.toString(16).padStart(2, '0')} at offset ${bad.offset})`
    : ': not UTF-8';
  return new WuweiError(
    'bad_input',
    `${path}${where}; if the export is Latin-1 (ISO-8859-1), declare \`encoding: latin-1\` in the mapping (--mapping), or save the file as UTF-8`,
  );
}

/** The first byte that breaks UTF-8, with its 1-based line; null when the file is valid UTF-8. Read in chunks: exports can be large. */
export function firstInvalidUtf8(path: string): { line: number; offset: number; byte: number } | null {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let line = 1;
    let offset = 0; // of chunk[0] in the file
    let pending = 0; // continuation bytes still expected
    let start = 0; // offset of the sequence being read
    let min = 0; // smallest code point the sequence may encode (rejects overlong forms)
    let value = 0;
    let lead = 0;
    for (
      let n = readSync(fd, chunk, 0, chunk.length, offset);
      n > 0;
      offset += n, n = readSync(fd, chunk, 0, chunk.length, offset)
    ) {
      for (let i = 0; i < n; i++) {
        const b = chunk[i]!;
        if (pending > 0) {
          if ((b & 0xc0) !== 0x80) return { line, offset: start, byte: lead };
          value = (value << 6) | (b & 0x3f);
          if (--pending === 0 && (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)))
            return { line, offset: start, byte: lead };
          continue;
        }
        if (b === 0x0a) line++;
        if (b < 0x80) continue;
        start = offset + i;
        lead = b;
        if (b >= 0xc2 && b <= 0xdf) [pending, min, value] = [1, 0x80, b & 0x1f];
        else if (b >= 0xe0 && b <= 0xef) [pending, min, value] = [2, 0x800, b & 0x0f];
        else if (b >= 0xf0 && b <= 0xf4) [pending, min, value] = [3, 0x10000, b & 0x07];
        else return { line, offset: start, byte: b };
      }
    }
    return pending > 0 ? { line, offset: start, byte: lead } : null;
  } finally {
    closeSync(fd);
  }
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(bytes);
    const n = readSync(fd, head, 0, bytes, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
