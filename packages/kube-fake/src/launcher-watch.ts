// A copy of packages/cli/src/launcher-watch.ts (kube-fake cannot depend on the CLI): keep the two the same.
import { readFileSync } from "node:fs"

/**
 * A package manager's process or pnpm's shim of the pinned Node: `node …/pnpm …`, `npm exec …`,
 * `sh -c pnpm …`, `/bin/sh …/node_modules/.bin/node …`.
 */
const packageManager = /(^|[\s/])(pnpm|pnpx|npm|npx)(\.c?js)?(\s|$)|npm-cli\.js|^\S*sh \S*node_modules\/\.bin\/node(\s|$)/u
/** A shell running a command line (`sh -c …`), as package managers run scripts. */
const shellCommand = /^(\S*\/)?(sh|bash|dash)\s-c\s/u

interface ProcessStat { readonly ppid: number; readonly start: string; readonly zombie: boolean }

// /proc/PID/stat: "pid (comm) state ppid … starttime(22nd field) …"; comm may hold spaces.
const statOf = (pid: number): ProcessStat | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ")
    return { ppid: Number(fields[1]), start: fields[19] ?? "", zombie: fields[0] === "Z" || fields[0] === "X" }
  } catch {
    return undefined
  }
}

const commandLineOf = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim()
  } catch {
    return undefined
  }
}

interface Ancestor { readonly pid: number; readonly start: string }

/**
 * The package-manager processes this process runs under, nearest first: its ancestors while each
 * is a package manager, one of their shims, or a `sh -c` they started. Empty when the parent is
 * anything else (a shell, a script, a supervisor) or off Linux.
 */
export const packageManagerChain = (): ReadonlyArray<Ancestor> => {
  const chain: Array<Ancestor & { readonly manager: boolean }> = []
  let pid = process.ppid
  while (pid > 1 && chain.length < 12) {
    const stat = statOf(pid)
    const command = commandLineOf(pid)
    if (stat === undefined || command === undefined) break
    const manager = packageManager.test(command)
    if (!manager && !shellCommand.test(command)) break
    chain.push({ pid, start: stat.start, manager })
    pid = stat.ppid
  }
  // A `sh -c` counts only below a package manager: a user's own `sh -c` above them is not theirs.
  while (chain.length > 0 && chain[chain.length - 1]?.manager === false) chain.pop()
  return chain.map(({ pid, start }) => ({ pid, start }))
}

/**
 * Ends this process as SIGTERM would once a package-manager process it runs under is gone.
 *
 * `npx pnpm exec jsp` runs pnpm through pnpm's `/bin/sh` shim of the pinned Node, which does not
 * pass signals on: SIGTERM to the `npx` a script started ends npx and the shell under it, while
 * pnpm and this process would run on. Checks twice a second, on a timer that never keeps the
 * process alive; does nothing when started directly (its parent is then no package manager).
 */
export const watchPackageManagerChain = (intervalMs = 500): void => {
  const chain = packageManagerChain()
  if (chain.length === 0) return
  const timer = setInterval(() => {
    const alive = chain.every((ancestor) => {
      const stat = statOf(ancestor.pid)
      return stat !== undefined && !stat.zombie && stat.start === ancestor.start
    })
    if (alive) return
    clearInterval(timer)
    process.kill(process.pid, "SIGTERM")
  }, intervalMs)
  timer.unref()
}
