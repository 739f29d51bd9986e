/** Lines as bytes for the byte readers' oracle tests (test/core/parse/*-line-bytes.test.ts). */

/** The lines of `bytes` (split at `\n`, as a file reader hands them), as [start, end) pairs. */
export function linesOf(bytes: Buffer): Array<[number, number]> {
  const lines: Array<[number, number]> = []
  let start = 0
  for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, start)) {
    lines.push([start, newline])
    start = newline + 1
  }

  if (start < bytes.length) lines.push([start, bytes.length])
  return lines
}

/**
 * `rounds` lines, each one of `variants` with up to three bytes deleted, inserted or replaced (a
 * quarter of them untouched), from `alphabet` or from byte sequences that are not ASCII, several
 * not UTF-8 at all; joined by `\n`, none inside a line. Park-Miller with the given seed: a failure
 * is reproducible.
 */
export function mutatedLines(variants: readonly string[], alphabet: string, rounds: number, seed: number): Buffer {
  let state = seed
  const random = (): number => {
    state = (state * 48_271) % 2_147_483_647
    return state / 2_147_483_647
  }

  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
  const bytes = [...Buffer.from(alphabet)].map(byte => [byte])
  bytes.push([0x80], [0xC3, 0xA9], [0xE2, 0x98], [0xFF], [0x00], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98], [0xC0, 0x80], [0xEF, 0xBB, 0xBF])
  const lines: Buffer[] = []
  for (let round = 0; round < rounds; round++) {
    const line = [...Buffer.from(pick(variants))]
    const edits = round % 4 === 0 ? 0 : 1 + Math.floor(random() * 3)
    for (let edit = 0; edit < edits; edit++) {
      const at = Math.floor(random() * line.length)
      const kind = Math.floor(random() * 3)
      line.splice(at, kind === 1 ? 0 : 1, ...(kind === 0 ? [] : pick(bytes)))
    }

    lines.push(Buffer.from(line.filter(byte => byte !== 10)), Buffer.from('\n'))
  }

  return Buffer.concat(lines)
}
