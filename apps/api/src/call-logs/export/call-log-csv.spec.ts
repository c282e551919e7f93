import { CALL_LOG_CSV_COLUMNS, CallLogDto } from '@toolgate/contracts';
import { csvCell, CSV_HEADER, csvRow } from './call-log-csv';

describe('csvCell', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    ['plain', 'plain'],
    [42, '42'],
    [true, 'true'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
  ])('writes %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\r=1', `"'\r=1"`],
  ])('neutralizes the formula %j with a leading quote', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes objects as JSON text, quoted, and neutralizes nothing inside them', () => {
    expect(csvCell({ q: '=1', n: [1, 2] })).toBe('"{""q"":""=1"",""n"":[1,2]}"');
  });
});

describe('csvRow', () => {
  it('writes the columns in the header order, CRLF-terminated', () => {
    const log = Object.fromEntries(CALL_LOG_CSV_COLUMNS.map((c) => [c, null])) as unknown as CallLogDto;
    Object.assign(log, { id: 'x', toolName: 'a,b', durationMs: 5, isError: false, arguments: { k: 'v' } });
    expect(CSV_HEADER).toBe(`${CALL_LOG_CSV_COLUMNS.join(',')}\r\n`);
    const cells = csvRow(log);
    expect(cells.endsWith('\r\n')).toBe(true);
    expect(cells).toBe(
      CALL_LOG_CSV_COLUMNS.map((c) => ({ id: 'x', toolName: '"a,b"', durationMs: '5', isError: 'false', arguments: '"{""k"":""v""}"' })[c as string] ?? '').join(',') +
        '\r\n',
    );
  });
});
