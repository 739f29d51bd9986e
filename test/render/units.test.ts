import {expect} from 'chai'

import {
  count, formatMb, formatPercent, formatTime, plural, sparkline,
} from '../../src/render/units.js'

describe('render units', () => {
  it('counts with thousands separators, and one of a thing as one (every renderer: report, blame, record)', () => {
    expect(count(131_850)).to.equal('131,850')
    expect(plural(131_850, 'sample')).to.equal('131,850 samples')
    expect(plural(1, 'memory sample')).to.equal('1 memory sample')
    expect(plural(0, 'request')).to.equal('0 requests')
  })

  it('formats MiB and percentages compactly', () => {
    expect(formatMb(491.2)).to.equal('491MB')
    expect(formatMb(12.34)).to.equal('12.3MB')
    expect(formatMb(14_336)).to.equal('14.0GB')
    expect(formatPercent(95.94)).to.equal('95.9%')
    expect(formatPercent(201.6)).to.equal('202%')
  })

  it('formats times as UTC ISO without milliseconds', () => {
    expect(formatTime(Date.UTC(2026, 10, 20, 10, 12, 0, 123))).to.equal('2026-11-20T10:12:00Z')
  })

  it('draws a sparkline scaled to the quota, or above it', () => {
    expect(sparkline([0, 256, 511], 512, 10)).to.equal('▁▅█')
    expect(sparkline([512, 1024], 512, 10)).to.equal('▅█')
    expect(sparkline([1, 2, 3, 4], 512, 2)).to.have.length(2)
  })
})
