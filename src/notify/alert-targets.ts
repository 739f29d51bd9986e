/**
 * Where `--notify URL` sends alerts, and in what shape. The URL is a secret (a Slack webhook URL
 * or a PagerDuty routing key is all it takes to post): it stays inside the target, and every
 * message about a target uses its `label` (`slack #1`), never the URL.
 *
 * - Slack incoming webhook: `https://hooks.slack.com/...` (or `slack+https://...` for another host)
 * - PagerDuty Events API v2: `https://events.pagerduty.com/v2/enqueue?routing_key=KEY`
 *   (or `pagerduty+https://...?routing_key=KEY`); the routing key is sent in the body, not the URL
 * - anything else (or `webhook+https://...`): the generic JSON webhook (docs/record.md)
 */
import type {Alert} from '../core/alerts/alert-monitor.js'

import {UserError} from '../errors.js'

export type TargetKind = 'pagerduty' | 'slack' | 'webhook'

export interface AlertTarget {
  kind: TargetKind
  /** `slack #1`, `pagerduty #2`: what messages name it by. */
  label: string
  url: string
  routingKey?: string
}

/** The generic webhook's schema identifier (docs/record.md). */
export const WEBHOOK_SCHEMA = 'heroku-mem.alert/1'

export function parseTarget(text: string, index: number): AlertTarget {
  const prefixed = /^(slack|pagerduty|webhook)\+(https?:\/\/.+)$/i.exec(text.trim())
  const raw = prefixed ? prefixed[2] : text.trim()
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UserError(`--notify #${index + 1} is not a URL (expected https://hooks.slack.com/..., https://events.pagerduty.com/v2/enqueue?routing_key=..., or a webhook URL)`, 2)
  }

  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`--notify #${index + 1}: only http(s) URLs`, 2)
  const kind = (prefixed?.[1].toLowerCase() as TargetKind | undefined)
    ?? (url.hostname === 'hooks.slack.com' ? 'slack' : (url.hostname.endsWith('pagerduty.com') ? 'pagerduty' : 'webhook'))
  const label = `${kind} #${index + 1}`
  if (kind !== 'pagerduty') return {kind, label, url: url.toString()}
  const routingKey = url.searchParams.get('routing_key') ?? undefined
  if (!routingKey) throw new UserError(`--notify #${index + 1} (PagerDuty) needs ?routing_key=YOUR_INTEGRATION_KEY`, 2)
  url.searchParams.delete('routing_key')
  return {
    kind, label, routingKey, url: url.toString(),
  }
}

/** A restart is the watchdog doing its job (warning); the loop breaker gives up on a dyno (error). */
const SEVERITY: Record<Alert['kind'], string> = {
  blind: 'warning', 'loop-breaker': 'error', 'over-quota': 'error', prediction: 'warning', r15: 'critical', restart: 'warning',
}

/** The request body for a target. */
export function alertBody(target: AlertTarget, alert: Alert): unknown {
  switch (target.kind) {
  case 'pagerduty': {
    if (alert.action === 'resolve') return {dedup_key: alert.dedupKey, event_action: 'resolve', routing_key: target.routingKey}
    return {
      dedup_key: alert.dedupKey,
      event_action: 'trigger',
      payload: {
        class: alert.kind,
        component: alert.dyno ?? 'recorder',
        custom_details: alert.details,
        group: alert.app,
        severity: SEVERITY[alert.kind],
        source: `heroku-mem ${alert.app}`,
        summary: alert.summary,
        timestamp: new Date(alert.time).toISOString(),
      },
      routing_key: target.routingKey,
    }
  }

  case 'slack': {
    return {text: `${alert.action === 'trigger' ? ':rotating_light:' : ':white_check_mark:'} ${alert.summary}`}
  }

  case 'webhook': {
    return {
      action: alert.action,
      app: alert.app,
      dedup_key: alert.dedupKey,
      details: alert.details,
      dyno: alert.dyno ?? null,
      kind: alert.kind,
      schema: WEBHOOK_SCHEMA,
      severity: SEVERITY[alert.kind],
      summary: alert.summary,
      time: new Date(alert.time).toISOString(),
    }
  }
  }
}
