import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const jsp = (args: ReadonlyArray<string>, input: string | Uint8Array = "") => {
  const result = spawnSync(`${root}node_modules/.bin/node`, [`${root}packages/cli/src/main.ts`, ...args], { cwd: root, input, encoding: "utf8", timeout: 20_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}
const apply = ["apply", "--config", "examples/config", "--pod"]
const limit = "the 8 MiB jsp reads of one input (a ConfigMap holds at most 1 MiB)"

it("jsp reads bounded input: no device, at most 8 MiB of standard input, strict UTF-8; each refusal one line", { timeout: 90_000 }, () => {
  expect(jsp(["validate", "/dev/zero"])).toEqual({
    code: 3, stdout: "", stderr: "jsp: /dev/zero: is a character device, not a regular file; only regular files are read\n"
  })
  expect(jsp([...apply, "/dev/zero"])).toEqual({
    code: 3, stdout: "", stderr: "jsp: cannot read pod /dev/zero: is a character device, not a regular file; only regular files are read\n"
  })
  // 9 MiB of a valid-looking pod: jsp stops reading at 8 MiB instead of growing.
  const big = `kind: Pod\nmetadata: { name: x }\n${"#".repeat(9 * 1024 * 1024)}\n`
  expect(jsp([...apply, "-"], big)).toEqual({ code: 3, stdout: "", stderr: `jsp: cannot read pod from standard input: more than ${limit}; stopped reading\n` })
  const latin1 = join(mkdtempSync(join(tmpdir(), "jsp-bounds-")), "pod.yaml")
  writeFileSync(latin1, Buffer.concat([Buffer.from("kind: Pod\nmetadata:\n  name: caf"), Buffer.from([0xe9]), Buffer.from("\n")]))
  expect(jsp([...apply, latin1])).toEqual({ code: 1, stdout: "", stderr: `jsp: ${latin1}: line 3, column 12: not valid UTF-8: byte 0xe9 at byte offset 31\n` })
})
