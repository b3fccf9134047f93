import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { jsp, jspProcess } from "./harness.ts"

const config = ["--config", "examples/config"]

/** A usage error: exit 2, these lines on standard error, nothing on standard output. */
const usageError = async (args: ReadonlyArray<string>, ...lines: ReadonlyArray<string>) =>
  expect(await jsp(args)).toEqual({ code: 2, stdout: "", stderr: lines.map((l) => `jsp: ${l}\n`).join("") })

describe("usage errors: a few lines on standard error, nothing on standard output", () => {
  it("a misspelled flag names the flag, suggests the right one and where the help is", async () => {
    await usageError(["apply", ...config, "--pod", "examples/pod.yaml", "--usr", "alice"],
      "unknown flag --usr for 'jsp apply'", "did you mean --user?", "see 'jsp apply --help'")
  })

  it("a misspelled command suggests the right one", async () => {
    await usageError(["aply"], "unknown command 'aply' for 'jsp'", "did you mean apply?", "see 'jsp --help'")
    await usageError(["user-settings", "sett"], "unknown command 'sett' for 'jsp user-settings'", "did you mean set?", "see 'jsp user-settings --help'")
  })

  it("jsp alone, or a command group alone: the usage on standard error, exit 2", async () => {
    await usageError([],
      "missing command: usage: jsp COMMAND [flags], where COMMAND is one of apply, resolve, explain, validate, schema, images, sizes, user-settings, services, serve",
      "see 'jsp --help'")
    await usageError(["user-settings"], "missing command: usage: jsp user-settings COMMAND [flags], where COMMAND is one of get, set",
      "see 'jsp user-settings --help'")
  })

  it("a bad value names the flag and the choices", async () => {
    await usageError(["resolve", ...config, "--user", "u", "--output", "xml"],
      "Invalid value for flag --output: \"xml\". Expected: \"json\" | \"yaml\"", "see 'jsp resolve --help'")
  })

  it("--help still prints the help on standard output, exit 0; --version too", async () => {
    const help = await jsp(["apply", "--help"])
    expect(help.code).toBe(0)
    expect(help.stderr).toBe("")
    expect(help.stdout).toContain("USAGE\n  jsp apply [flags]")
    expect(await jsp(["--version"])).toEqual({ code: 0, stdout: "jsp v0.1.0\n", stderr: "" })
  })

  it("the real process: a misspelled flag writes nothing on standard output, exit 2", () => {
    const { code, stdout, stderr } = jspProcess(["apply", "--config", "examples/config", "--pod", "examples/pod.yaml", "--ouput", "yaml"])
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" })
    expect(stderr.split("\n").filter((l) => l !== "")).toEqual([
      "jsp: unknown flag --ouput for 'jsp apply'", "jsp: did you mean --output?", "jsp: see 'jsp apply --help'"
    ])
  })
})

describe("contradictions and empty values are usage errors", () => {
  it("--config with --source cluster", async () => {
    const message = "--config reads files: drop --source cluster, or --config to read the cluster"
    for (const command of ["resolve", "explain"]) await usageError([command, ...config, "--source", "cluster", "--user", "u"], message)
    await usageError(["sizes", ...config, "--source", "cluster"], message)
    await usageError(["user-settings", "get", ...config, "--source", "cluster", "--user", "u"], message)
  })

  it("--server, --token or --kubeconfig with the file source", async () => {
    const files = "but the configuration comes from files (--config or --source file): drop one or the other"
    await usageError(["resolve", ...config, "--user", "u", "--kubeconfig", "/tmp/k"], `--kubeconfig reaches a cluster, ${files}`)
    await usageError(["apply", ...config, "--pod", "examples/pod.yaml", "--server", "https://k:6443", "--token", "t"], `--server, --token reach a cluster, ${files}`)
    await usageError(["validate", "examples/config", "--kubeconfig", "/tmp/k"], `--kubeconfig reaches a cluster, ${files}`)
    await usageError(["sizes", "--source", "file", "--config", "examples/config", "--token", "t"], `--token reaches a cluster, ${files}`)
    await usageError(["user-settings", "get", ...config, "--user", "u", "--kubeconfig", "/tmp/k"], `--kubeconfig reaches a cluster, ${files}`)
  })

  it("images and user-settings set read the cluster whatever the configuration's source: --kubeconfig with --config is no contradiction", async () => {
    const { code, stderr } = await jsp(["images", ...config, "--kubeconfig", "/nonexistent/kubeconfig"])
    expect(code).toBe(3)
    expect(stderr).not.toContain("comes from files")
  })

  it("empty --user, --image, --group (and the other names)", async () => {
    for (const [flag, extra] of [["--user", []], ["--image", ["--user", "u"]], ["--group", ["--user", "u"]], ["--size", ["--user", "u"]], ["--namespace", ["--user", "u"]]] as const) {
      await usageError(["resolve", ...config, ...extra, flag, ""], `Missing value for flag ${flag}. Expected: a non-empty value`, "see 'jsp resolve --help'")
    }
    await usageError(["resolve", ...config, "--user", "  "], "Invalid value for flag --user: \"  \". Expected: a non-empty value", "see 'jsp resolve --help'")
    await usageError(["user-settings", "get", ...config, "--user", ""], "Missing value for flag --user. Expected: a non-empty value", "see 'jsp user-settings get --help'")
    for (const [flag, args] of [
      ["--config", ["resolve", "--user", "u"]], ["--configmap", ["sizes", ...config]], ["--configmap-key", ["sizes", ...config]],
      ["--pod", ["apply", ...config]], ["--default-mount-path", ["apply", ...config, "--pod", "examples/pod.yaml"]], ["--user-settings", ["resolve", ...config, "--user", "u"]]
    ] as const) {
      await usageError([...args, flag, ""], `Missing value for flag ${flag}. Expected: a non-empty value`, `see 'jsp ${args[0]} --help'`)
    }
  })

  it("an empty path to validate", async () => {
    await usageError(["validate", "examples/config", ""], "Invalid value for argument <path>: \"\". Expected: a non-empty path", "see 'jsp validate --help'")
  })

  it("--server without a scheme", async () => {
    await usageError(["sizes", "--server", "kube.example:6443", "--token", "t"],
      "Invalid value for flag --server: \"kube.example:6443\". Expected: a URL starting with https:// (or http://)", "see 'jsp sizes --help'")
  })

  it("services: --templates with the cluster source, --config with --source cluster, cluster flags on a dry run that reaches none, --config on down", async () => {
    const spawn = ["--user", "u", "--image", "i:1"]
    const unreachable = ["--server", "http://127.0.0.1:9", "--token", "t"]
    const templates = "--templates reads files: it goes with --config (the cluster source reads the templates from its ConfigMaps)"
    await usageError(["services", "up", "--source", "cluster", "--templates", "examples/config", ...spawn, ...unreachable], templates)
    await usageError(["services", "up", "--templates", "examples/config", ...spawn, "--dry-run"], templates)
    await usageError(["services", "plan", "--templates", "examples/config", ...spawn], templates)
    await usageError(["services", "up", ...config, "--source", "cluster", ...spawn, ...unreachable], "--config reads files: drop --source cluster, or --config to read the cluster")
    await usageError(["services", "plan", ...config, "--source", "cluster", ...spawn], "--config reads files: drop --source cluster, or --config to read the cluster")
    await usageError(["services", "up", ...config, ...spawn, "--dry-run", "--kubeconfig", "/tmp/k"],
      "--kubeconfig reaches a cluster, but a dry run with --config reads and writes none: drop --kubeconfig, or --config to read the configuration from the cluster")
    await usageError(["services", "down", "--user", "u", "--dry-run", ...unreachable],
      "--server, --token reach a cluster, but services down --dry-run reaches none: drop --server, --token (--namespace names the namespace)")
    await usageError(["services", "down", "--user", "u", ...config], "unknown flag --config for 'jsp services down'", "see 'jsp services down --help'")
    await usageError(["services", "down", "--user", "u", "--source", "file"],
      "Invalid value for flag --source: \"file\". Expected: \"cluster\"", "see 'jsp services down --help'")
  })

  it("user-settings set with nothing to set, before any cluster is reached", async () => {
    await usageError(["user-settings", "set", "--user", "alice", "--server", "http://127.0.0.1:9", "--token", "t"],
      "nothing to set: give --image, --size, --gpu, --env or --password-env")
  })
})

describe("global flags: each does something visible", () => {
  it("--wizard is not offered; the help lists --help, --version, --completions and --log-level", async () => {
    await usageError(["--wizard"], "unknown flag --wizard for 'jsp'", "see 'jsp --help'")
    const help = (await jsp(["--help"])).stdout
    expect(help).not.toContain("--wizard")
    for (const flag of ["--help", "--version", "--completions", "--log-level"]) expect(help).toContain(flag)
    expect(help).toMatch(/--log-level \S+ +What reaches standard error besides a failure/u)
    await usageError(["sizes", "--log-level", "loud"],
      "Invalid value for flag --log-level: \"loud\". Expected: \"all\" | \"trace\" | \"debug\" | \"info\" | \"warn\" | \"warning\" | \"error\" | \"fatal\" | \"none\"",
      "see 'jsp sizes --help'")
  })

  it("--completions SHELL prints a completion script naming the commands", async () => {
    const { code, stdout } = await jsp(["--completions", "bash"])
    expect(code).toBe(0)
    expect(stdout).toContain("jsp")
    expect(stdout).toContain("user-settings")
  })

  it("--log-level debug adds where the configuration is read from; error hides warnings; the default shows them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jsp-log-"))
    const file = join(dir, "config.yaml")
    writeFileSync(file, "profiles:\n  - name: p\n    imagez: x\n")
    const args = ["resolve", "--config", file, "--user", "u", "--image", "i:1"]
    const plain = await jsp(args)
    expect(plain.code).toBe(0)
    expect(plain.stderr).toBe(`warning: ${file}: profiles[0].imagez: unknown key, ignored\n`)
    const debug = await jsp([...args, "--log-level", "debug"])
    expect(debug.stderr.split("\n")).toContain(`debug: configuration from files: ${file}`)
    expect(debug.stdout).toBe(plain.stdout)
    expect(await jsp([...args, "--log-level", "error"])).toEqual({ code: 0, stdout: plain.stdout, stderr: "" })
    // The failure itself is always printed.
    expect((await jsp(["resolve", "--config", file, "--user", "u", "--log-level", "none"])).stderr).toContain("jsp: no image")
  })

  it("every flag's help has a description, and placeholders of choices name them", async () => {
    const commands = [["apply"], ["resolve"], ["explain"], ["validate"], ["schema"], ["images"], ["sizes"], ["user-settings", "get"], ["user-settings", "set"], []]
    for (const command of commands) {
      const help = (await jsp([...command, "--help"])).stdout
      const flagLines = help.split("\n").filter((l) => /^ {2}-/u.test(l))
      expect(flagLines.length).toBeGreaterThan(0)
      for (const line of flagLines) {
        expect(line, `${command.join(" ")}: ${line}`).toMatch(/^ {2}\S.*\S {2,}\S/u)
        expect(line).not.toMatch(/ choice /u)
      }
    }
    expect((await jsp(["explain", "--help"])).stdout).toMatch(/--output, -o text\|json /u)
    expect((await jsp(["resolve", "--help"])).stdout).toMatch(/--output, -o json\|yaml /u)
    expect((await jsp(["sizes", "--help"])).stdout).toMatch(/--source file\|cluster /u)
  })
})
