import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL("../../../", import.meta.url))

/** The processes whose command line holds `marker`, read from /proc. */
const processesWith = (marker: string): ReadonlyArray<{ readonly pid: number; readonly argv: ReadonlyArray<string> }> =>
  readdirSync("/proc").filter((d) => /^\d+$/u.test(d)).flatMap((d) => {
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").filter((a) => a !== "")
      return argv.some((a) => a.includes(marker)) ? [{ pid: Number(d), argv }] : []
    } catch {
      return []
    }
  })

const until = async (what: string, check: () => boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Starts kube-fake through `command`; the kubeconfig's path, in a folder of its own, marks its processes. */
const start = async (command: ReadonlyArray<string>): Promise<{ readonly child: ChildProcess; readonly kubeconfig: string }> => {
  const kubeconfig = join(mkdtempSync(join(tmpdir(), "kube-fake-")), "config")
  const child = spawn(command[0] ?? "", [...command.slice(1), "--namespace", "odh", "--kubeconfig", kubeconfig, `${root}examples/cluster`], { cwd: root, stdio: ["ignore", "pipe", "ignore"] })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d) => String(d).includes("kube-fake: serving") && resolve())
    child.on("exit", () => reject(new Error("kube-fake exited")))
  })
  return { child, kubeconfig }
}

/** Ends whatever is left with the marker (a failed test must not leave processes) and says what was left. */
const cleanUp = (marker: string): ReadonlyArray<string> => {
  const left = processesWith(marker)
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL")
    } catch {
      // gone meanwhile
    }
  }
  return left.map((p) => p.argv.join(" "))
}

it("kube-fake serves the manifests it is given, for jsp --kubeconfig; SIGTERM to the process started ends it", async () => {
  const { child, kubeconfig } = await start([`${root}node_modules/.bin/kube-fake`])
  try {
    // The launchers exec: the process started is the real Node.
    const [server, ...others] = processesWith(kubeconfig)
    expect(others).toEqual([])
    expect(server?.pid).toBe(child.pid)
    expect(server?.argv[0]).toMatch(/\/node$/u)
    const kc = new KubeConfig()
    kc.loadFromFile(kubeconfig)
    kc.clusters = kc.clusters.map((c) => ({ ...c, skipTLSVerify: true }))
    const list: unknown = await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: "image.openshift.io", version: "v1", namespace: "odh", plural: "imagestreams" })
    expect(list).toMatchObject({ items: [{ metadata: { name: "s2i-minimal-notebook" } }, { metadata: { name: "s2i-spark-notebook" } }, { metadata: { name: "s2i-thoth-notebook" } }] })
    const exit = new Promise((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    expect(await exit).toBe(0)
    await until("no process left", () => processesWith(kubeconfig).length === 0)
  } finally {
    rmSync(dirname(kubeconfig), { recursive: true, force: true })
    expect(cleanUp(kubeconfig)).toEqual([])
  }
})

it("kube-fake stops when SIGTERM ends the npx that ran `npx -y pnpm@10 exec kube-fake`", async () => {
  const { child, kubeconfig } = await start(["npx", "-y", "pnpm@10", "exec", "kube-fake"])
  try {
    child.kill("SIGTERM")
    await until("no process left", () => processesWith(kubeconfig).length === 0)
  } finally {
    rmSync(dirname(kubeconfig), { recursive: true, force: true })
    expect(cleanUp(kubeconfig)).toEqual([])
  }
}, 60_000)

it("the package-manager watch is the CLI's, line for line", () => {
  const lines = (path: string) => readFileSync(`${root}${path}`, "utf8").split("\n").slice(1)
  expect(lines("packages/kube-fake/src/launcher-watch.ts")).toEqual(lines("packages/cli/src/launcher-watch.ts"))
})
