/**
 * What the store saw of an app's log: the spans recorders covered, merged, and the gaps between
 * them within a window. A recorder that was not running, or a stream gap it reported, is a gap.
 */
export interface Span {
  from: number
  to: number
}

/** Samples come every ~20 s: spans closer than a missed sample or two are one span. */
export const MERGE_SLACK_MS = 60_000

/** Sorted, overlapping or nearly touching spans joined. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from)
  const merged: Span[] = []
  for (const span of sorted) {
    const last = merged.at(-1)
    if (last && span.from <= last.to + MERGE_SLACK_MS) last.to = Math.max(last.to, span.to)
    else merged.push({...span})
  }

  return merged
}

/** The parts of [from, to] no span covers, from merged spans; only those between covered parts (the edges are the window's business). */
export function gapsBetween(merged: Span[], from: number, to: number): Span[] {
  const gaps: Span[] = []
  const inside = merged.filter(span => span.to >= from && span.from <= to)
  for (let i = 1; i < inside.length; i++) gaps.push({from: inside[i - 1].to, to: inside[i].from})
  return gaps
}
