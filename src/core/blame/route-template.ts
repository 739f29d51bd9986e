/**
 * Request paths -> route templates: `GET /reports/42/export?x=1` -> `GET /reports/:id/export`.
 * Ids (numbers, UUIDs, hex digests, long tokens) collapse so that one route is one row, and a
 * catalog bounds how many distinct templates are kept (the rest are `other`): a path with an id
 * the rules miss must not grow memory by one row per request.
 */

/** Route name for everything past the catalog's bound. */
export const OTHER_ROUTE = 'other'

const NUMBER = /^\d+$/
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i
/** A hex id or digest: 8+ hex characters with at least one digit (so `deadbeef`-like words stay). */
const HEX = /^(?=[^\d]*\d)[\da-f]{8,}$/i
/** Tokens, slugs with ids, base64: 16+ URL-safe characters mixing letters and digits. */
const TOKEN = /^(?=.*\d)(?=.*[a-z])[\w.~=-]{16,}$/i
/** `42.json`, `42.csv`: an id with a format suffix. */
const NUMBER_WITH_EXTENSION = /^\d+(\.[a-z\d]{1,5})$/i
/** Paths deeper than this are cut: deep trees are rarely distinct routes. */
const MAX_SEGMENTS = 8

/** `GET /reports/:id/export` for method `get` and path `/reports/42/export?x=1`. */
export function routeTemplate(method: string, path: string): string {
  let end = path.length
  const query = path.indexOf('?')
  if (query !== -1) end = query
  const fragment = path.indexOf('#')
  if (fragment !== -1 && fragment < end) end = fragment
  const segments = path.slice(0, end).split('/')
  const out: string[] = []
  for (const segment of segments.slice(0, MAX_SEGMENTS + 1)) out.push(templateSegment(segment))
  if (segments.length > MAX_SEGMENTS + 1) out.push('...')
  let template = out.join('/')
  if (!template.startsWith('/')) template = `/${template}`
  return `${method.toUpperCase()} ${template}`
}

const DIGIT = /\d/

function templateSegment(segment: string): string {
  // Every id shape but an all-letter UUID has a digit: most segments are words and stop here.
  if (!DIGIT.test(segment)) return segment
  if (NUMBER.test(segment) || UUID.test(segment) || HEX.test(segment) || TOKEN.test(segment)) return ':id'
  const withExtension = NUMBER_WITH_EXTENSION.exec(segment)
  if (withExtension) return `:id${withExtension[1]}`
  return segment
}

/**
 * Paths remembered with their route id, at most this many (then forgotten all at once): most
 * requests go to a few paths (`/`, `/login`, assets), and templating each again was a tenth of
 * mem:blame's time on a 1 GB log. A path's id never changes once given, so the cache is exact.
 */
const PATH_CACHE_SIZE = 4096
const PATH_CACHE_METHODS = 16

/** Route templates -> small integer ids, at most `limit` of them; later templates share `other`. */
export class RouteCatalog {
  readonly names: string[] = [OTHER_ROUTE]
  private readonly ids = new Map<string, number>([[OTHER_ROUTE, 0]])
  /** Per method, path -> id. */
  private readonly paths = new Map<string, Map<string, number>>()

  constructor(private readonly limit: number) {}

  /** Id of the request's route (0 is `other`). */
  idOf(method: string, path: string): number {
    let paths = this.paths.get(method)
    if (!paths) {
      // Methods are a handful; a log with more is forgotten all at once too.
      if (this.paths.size >= PATH_CACHE_METHODS) this.paths.clear()
      paths = new Map()
      this.paths.set(method, paths)
    }

    const cached = paths.get(path)
    if (cached !== undefined) return cached
    if (paths.size >= PATH_CACHE_SIZE) paths.clear()
    const id = this.templateId(routeTemplate(method, path))
    paths.set(path, id)
    return id
  }

  private templateId(template: string): number {
    const known = this.ids.get(template)
    if (known !== undefined) return known
    if (this.names.length > this.limit) return 0
    const id = this.names.length
    this.names.push(template)
    this.ids.set(template, id)
    return id
  }
}
