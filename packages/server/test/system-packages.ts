// Tests that use Debian packages (chromium, kubectl, JupyterHub) run after every other test
// (vitest.config.ts: the "system" project), while .ci/run installs what is missing in the
// background. `JSP_SYSTEM_PACKAGES_DONE` names the file the install writes its exit status to.
import { existsSync, readFileSync } from "node:fs"

/** How long a test may wait for the install: apt-get's own lock timeout and a download of ~160 MB. */
export const systemPackagesWaitMs = 300_000

/** Waits until .ci/run's install of Debian packages has ended, if one runs; fails with its log if it failed. */
export const systemPackagesReady = async (): Promise<void> => {
  const done = process.env["JSP_SYSTEM_PACKAGES_DONE"]
  if (done === undefined || done === "") return
  const deadline = Date.now() + systemPackagesWaitMs - 5_000
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`the install of Debian packages by .ci/run did not end within ${systemPackagesWaitMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const status = readFileSync(done, "utf8").trim()
  if (status !== "0") {
    const log = process.env["JSP_SYSTEM_PACKAGES_LOG"]
    throw new Error(`the install of Debian packages by .ci/run failed (exit ${status}):\n${log === undefined || !existsSync(log) ? "" : readFileSync(log, "utf8")}`)
  }
}
