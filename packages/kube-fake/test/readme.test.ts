import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const kubeFake = `${root}node_modules/.bin/kube-fake`

/** The `sh` block of the README's section "Against a cluster", as a reader would paste it. */
const readmeBlock = (): string => {
  const readme = readFileSync(`${root}README.md`, "utf8")
  const section = readme.slice(readme.indexOf("### Against a cluster"))
  const start = section.indexOf("```sh\n") + "```sh\n".length
  return section.slice(start, section.indexOf("```", start))
}

/** Processes whose command line mentions `text` (a directory only this test uses). */
const processesMentioning = (text: string): ReadonlyArray<number> =>
  readdirSync("/proc").filter((entry) => /^\d+$/u.test(entry)).flatMap((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text) ? [Number(pid)] : []
    } catch {
      return [] // ended meanwhile
    }
  })

const leftAfter = async (text: string, ms: number): Promise<ReadonlyArray<number>> => {
  const deadline = Date.now() + ms
  while (processesMentioning(text).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  return processesMentioning(text)
}

const directories: Array<string> = []
const temporary = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "kube-fake-test-"))
  directories.push(dir)
  return dir
}

// Whatever a failed test left running is stopped here; a passing one left nothing.
afterEach(() => {
  for (const dir of directories.splice(0)) {
    for (const pid of processesMentioning(dir)) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // gone
      }
    }
  }
})

describe.skipIf(!existsSync("/proc/self/cmdline"))("kube-fake as the README shows it", () => {
  it("the README's block, pasted as-is into bash, starts it, waits for it, runs jsp against it and stops it: nothing is left", { timeout: 150_000 }, async () => {
    const block = readmeBlock()
    expect(block).toMatch(/kube-fake .*&\n[^\n]*kube-fake --wait[\s\S]*jsp explain[\s\S]*kill /u)
    const dir = temporary()
    // The README's paths, in a directory of this test's own: two suites on one machine do not meet.
    // `pnpm exec X` runs node_modules/.bin/X: the same commands, without starting pnpm six times.
    const script = block.replaceAll("/tmp/", `${dir}/`).replaceAll("npx -y pnpm@10 exec ", `${root}node_modules/.bin/`)
    const run = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: root, encoding: "utf8", timeout: 120_000 })
    expect({ code: run.status, signal: run.signal, stderr: run.stderr }).toMatchObject({ code: 0, signal: null })
    expect(run.stdout).toMatch(/^kube-fake: serving on http:\/\/127\.0\.0\.1:\d+, namespace odh, \d+ file\(s\) loaded; kubeconfig written to /mu)
    expect(run.stdout).toMatch(/^s2i-spark-notebook:3\.6 /mu)
    expect(run.stdout).toMatch(/^applied: +globals, Spark Notebook, @singleuser@, size:Medium$/mu)
    expect(await leftAfter(dir, 15_000)).toEqual([])
    expect(readdirSync(dir)).toEqual([]) // the kubeconfig and the pid file went with it
  })
})

describe("kube-fake's command line", () => {
  const run = (args: ReadonlyArray<string>, cwd: string) => {
    const result = spawnSync(kubeFake, args, { cwd, encoding: "utf8", timeout: 30_000 })
    return { code: result.status, stdout: result.stdout, stderr: result.stderr }
  }

  it("--help is usage on stdout; wrong arguments are one line on stderr, exit 2, and write nothing", () => {
    const dir = temporary()
    const help = run(["--help"], dir)
    expect(help).toMatchObject({ code: 0, stderr: "" })
    expect(help.stdout).toMatch(/^Usage:\n {2}kube-fake --kubeconfig FILE /u)
    const usage = (args: ReadonlyArray<string>, message: string) =>
      expect(run(args, dir)).toEqual({ code: 2, stdout: "", stderr: `kube-fake: ${message}\n` })
    usage([], "--kubeconfig FILE is required: where to write the kubeconfig for jsp (kube-fake --help for usage)")
    usage(["--serve"], "unknown option --serve (kube-fake --help for usage)")
    usage(["--kubeconfig", "k", "/nonexistent"], "/nonexistent: no such file or directory")
    usage(["--kubeconfig", "k", "/dev/zero"], "/dev/zero: is a character device, not a regular file")
    expect(readdirSync(dir)).toEqual([])
    writeFileSync(join(dir, "config"), "apiVersion: v1\nkind: Config\n")
    usage(["--kubeconfig", "config", `${root}examples/cluster`], "config exists and was not written by kube-fake; not replaced (give another --kubeconfig)")
    expect(readFileSync(join(dir, "config"), "utf8")).toBe("apiVersion: v1\nkind: Config\n")
    usage(["--kubeconfig", "k", "--pid-file", "config", `${root}examples/cluster`], "config exists and is not a pid file; not replaced (give another --pid-file)")
    expect(readdirSync(dir)).toEqual(["config"])
  })

  it("--wait gives up after its timeout, with one line and exit 1", () => {
    const dir = temporary()
    expect(run(["--wait", join(dir, "kubeconfig"), "--timeout", "1"], dir)).toEqual({
      code: 1, stdout: "", stderr: `kube-fake: no kube-fake answered at the server of ${join(dir, "kubeconfig")} within 1 s\n`
    })
  })
})
