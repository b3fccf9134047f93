import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { type BrowserContext, chromium } from "playwright-core"

/** Debian's chromium, which `.ci/run` installs: playwright-core downloads no browser of its own. */
export const chromiumPath = "/usr/bin/chromium"

/** Headless, no sandbox (CI runs as root), and nothing that reaches the network on its own. */
export const chromiumFlags: ReadonlyArray<string> = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** A running headless Chromium with a fresh profile; `close` ends it and removes the profile. */
export interface HeadlessChromium {
  readonly context: BrowserContext
  /** The profile directory, named on the command line of the browser's processes. */
  readonly userDataDir: string
  readonly close: () => Promise<void>
}

/** The processes whose command line names this directory: the browser and its helpers, while they run. */
export const processesUsing = (directory: string): ReadonlyArray<number> =>
  readdirSync("/proc").filter((entry) => /^\d+$/u.test(entry)).flatMap((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(directory) ? [Number(pid)] : []
    } catch {
      return [] // ended between the listing and the read
    }
  })

/** Waits (at most `limitMs`) until no process names the directory; the ones left, if any. */
export const waitUntilGone = async (directory: string, limitMs = 10_000): Promise<ReadonlyArray<number>> => {
  const until = Date.now() + limitMs
  let left = processesUsing(directory)
  while (left.length > 0 && Date.now() < until) {
    await sleep(50)
    left = processesUsing(directory)
  }
  return left
}

/**
 * Launches Debian's chromium headless through playwright-core, with a fresh profile directory.
 * A missing chromium is an error (the browser tests fail, they never skip).
 */
export const launchChromium = async (): Promise<HeadlessChromium> => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} not found: the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)`)
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "jsp-chromium-"))
  const removeProfile = () => rmSync(userDataDir, { recursive: true, force: true })
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumFlags],
      timeout: 60_000
    })
  } catch (error) {
    removeProfile()
    throw error
  }
  return {
    context,
    userDataDir,
    close: async () => {
      try {
        await context.close()
      } finally {
        removeProfile()
      }
    }
  }
}
