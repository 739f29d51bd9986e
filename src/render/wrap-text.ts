/**
 * Wraps a line at spaces to a terminal's width, with a hanging indent for the lines after the
 * first: `wrapText('  - a long advice line ...', 40, '    ')`. Never breaks inside a word (a
 * word longer than the width gets a line of its own); colour codes do not count toward the width.
 */
// eslint-disable-next-line no-control-regex -- terminal colour codes are what it skips
const ANSI = /\u001B\[[\d;]*m/g

export function visibleLength(text: string): number {
  return text.replaceAll(ANSI, '').length
}

export function wrapText(line: string, width: number | undefined, indent = ''): string[] {
  if (width === undefined || visibleLength(line) <= width) return [line]
  const lead = /^\s*/.exec(line)![0]
  const words = line.slice(lead.length).split(' ')
  const lines: string[] = []
  let current = lead
  let prefix = lead
  for (const word of words) {
    const candidate = current === prefix ? current + word : `${current} ${word}`
    if (visibleLength(candidate) <= width || current === prefix) {
      current = candidate
      continue
    }

    lines.push(current)
    prefix = indent
    current = indent + word
  }

  lines.push(current)
  return lines
}
