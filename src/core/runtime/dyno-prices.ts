/**
 * Monthly list prices of Cedar dynos, US$ per dyno running all month, as published by Heroku
 * (Dev Center "Usage & Billing": Standard and Performance prices; Basic $7 in its 2024-10-11
 * revision). Prices change: the report prints this date next to every figure it derives from them.
 * Eco is a shared hours pool, not a per-dyno price, and the sizes without a published figure here
 * (Performance-L-RAM, -XL, -2XL) are left out rather than guessed.
 */
export const DYNO_PRICES_AS_OF = '2024-10-11'

const MONTHLY_USD: Record<string, number> = {
  basic: 7,
  'performance-l': 500,
  'performance-m': 250,
  'standard-1x': 25,
  'standard-2x': 50,
}

/** US$ a month for one dyno of this size, or undefined when the table has no price for it. */
export function monthlyPrice(size: string | undefined): number | undefined {
  return size === undefined ? undefined : MONTHLY_USD[size.toLowerCase()]
}
