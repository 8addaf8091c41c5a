// format=mightyohm: the MightyOhm Geiger counter kit reports once a second at
// 9600 8N1 (firmware geiger.c, sendreport()):
//   CPS, 0, CPM, 18, uSv/hr, 0.10, SLOW
// CPS is the count of the last second; CPM and uSv/hr are running averages of the
// same counts (SLOW: 60 s, FAST: 5 s, INST: this second after an overflow), so
// only CPS is new noise. At power-up it prints "mightyohm.com Geiger Counter 1.00"
// and the kit's URL, which carry no count.
import { createLineParser } from './line-reader.std';
import type { SerialFormatParser } from './serial-format.std';

/** A report is under 60 characters; far longer is not this device. */
const MAX_LINE = 128;
const REPORT = /^CPS, (\d+), CPM, \d+, uSv\/hr, \d+\.\d\d, (?:SLOW|FAST|INST)$/;
const BANNER = /^(?:mightyohm\.com Geiger Counter|https?:\/\/)/;

export function createMightyOhmParser(): SerialFormatParser {
  return createLineParser(MAX_LINE, (line, samples) => {
    const report = REPORT.exec(line);
    if (report) {
      // One sample a second, 8 bits wide: counts above 255 a second (a hot source,
      // far above background) saturate rather than wrap, keeping the order of values.
      samples.push(Math.min(255, Number(report[1])));
      return 'sample';
    }
    return BANNER.test(line) ? 'ignored' : 'malformed';
  });
}
