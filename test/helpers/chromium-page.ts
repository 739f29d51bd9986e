/**
 * A self-contained HTML file opened in headless Chromium (Debian's, as a user would view it),
 * with what a page must not do recorded: console errors or warnings, page errors, and requests
 * for anything but the file itself.
 */
import type {Page} from 'playwright-core'

import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {chromium} from 'playwright-core'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export interface OpenedPage {
  page: Page
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[]
  /** Every URL the page asked for, the file's own first. */
  requests: string[]
  fileUrl: string
}

/** Writes `html` to a temporary file, opens it, runs `check` on the loaded page, and always closes the browser. */
export async function withHtmlInChromium(html: string, check: (opened: OpenedPage) => Promise<void>): Promise<void> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mem-html-')), 'report.html')
  writeFileSync(file, html)
  const browser = await chromium.launch({
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    executablePath: CHROMIUM,
    headless: true,
  })
  try {
    const page = await browser.newPage()
    const problems: string[] = []
    const requests: string[] = []
    page.on('console', message => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text())
    })
    page.on('pageerror', error => problems.push(error.message))
    page.on('request', request => requests.push(request.url()))
    const fileUrl = pathToFileURL(file).href
    await page.goto(fileUrl, {waitUntil: 'load'})
    await check({
      fileUrl, page, problems, requests,
    })
  } finally {
    await browser.close()
  }
}
