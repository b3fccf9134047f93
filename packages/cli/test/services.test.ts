import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parse, parseAllDocuments } from "yaml"
import { jsp } from "./harness.ts"

describe("jsp services plan", () => {
  it("prints the objects the README's Spark Notebook profile submits, rendered from its templates", async () => {
    const { code, stdout, stderr } = await jsp(["services", "plan", "-c", "examples/config", "--user", "vpavlin", "--image", "s2i-spark-notebook:3.6"])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    const objects = parseAllDocuments(stdout).map((d) => d.toJS())
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["SparkCluster/spark-cluster-vpavlin", "AirflowCluster/airflow-cluster-vpavlin", "AirflowBase/airflow-base-vpavlin"])
    expect(objects[0]).toMatchObject({ metadata: { labels: { "opendatahub.io/component": "jupyterhub" } }, spec: { worker: { instances: "1", memoryLimit: "4Gi" } } })
    const json = JSON.parse((await jsp(["services", "plan", "-c", "examples/config", "--user", "vpavlin", "--image", "s2i-spark-notebook:3.6", "-o", "json"])).stdout)
    expect(json).toEqual(objects)
  })

  it("templates may come from other files (--templates); a missing one is exit 1 naming service and template", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jsp-services-"))
    writeFileSync(join(dir, "profiles.yaml"), "profiles:\n  - name: p\n    services:\n      db:\n        resources: [{ name: db-template, path: db }]\n        configuration: { size: 1Gi }\n")
    expect(await jsp(["services", "plan", "-c", dir, "--user", "ada", "--image", "i:1"])).toEqual({
      code: 1, stdout: "", stderr: "jsp: service \"db\": template ConfigMap db-template key db: no such template (the ConfigMap or its key is missing)\n"
    })
    const templates = mkdtempSync(join(tmpdir(), "jsp-templates-"))
    writeFileSync(join(templates, "db.yaml"), "kind: ConfigMap\napiVersion: v1\nmetadata: { name: db-template }\ndata:\n  db: |\n    apiVersion: v1\n    kind: PersistentVolumeClaim\n    metadata: { name: db }\n    spec: { resources: { requests: { storage: \"{{ size }}\" } } }\n")
    const planned = await jsp(["services", "plan", "-c", dir, "--templates", templates, "--user", "ada", "--image", "i:1", "-o", "json"])
    expect(planned.code).toBe(0)
    expect(JSON.parse(planned.stdout)).toEqual([{ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "db-ada" }, spec: { resources: { requests: { storage: "1Gi" } } } }])
    expect(await jsp(["services", "plan", "-c", dir, "--image", "i:1"])).toMatchObject({ code: 2, stderr: "jsp: no user: name one with --user\n" })
  })
})

describe("jsp services up/down --dry-run: nothing submitted, what would be printed", () => {
  const spawn = ["--user", "vpavlin", "--image", "s2i-spark-notebook:3.6"]

  it("up: the reference ConfigMap and every object as YAML on standard error, each after what would be done; the returns on standard output", async () => {
    const { code, stdout, stderr } = await jsp(["services", "up", "--dry-run", "-c", "examples/config", ...spawn, "-n", "odh"])
    expect(code).toBe(0)
    expect(stdout).toBe("SPARK_CLUSTER=spark-cluster-vpavlin\n")
    const documents = parseAllDocuments(stderr)
    expect(stderr.split("\n").filter((l) => l.startsWith("#"))).toEqual([
      "# dry run: would be created if missing (it owns the service objects)",
      ...Array.from({ length: 3 }, () => "# dry run: would be created, or replaced if it exists (the owner's uid is the reference ConfigMap's, known once it exists)")
    ])
    expect(documents.flatMap((d) => d.errors)).toEqual([])
    const objects = documents.map((d) => d.toJS())
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "ConfigMap/odh/singleuser-service-ref-vpavlin", "SparkCluster/odh/spark-cluster-vpavlin", "AirflowCluster/odh/airflow-cluster-vpavlin", "AirflowBase/odh/airflow-base-vpavlin"
    ])
    for (const object of objects.slice(1)) {
      expect(object.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "ConfigMap", name: "singleuser-service-ref-vpavlin", uid: "" }])
    }
    // The objects are the plan's, placed in the namespace and owned.
    const planned = JSON.parse((await jsp(["services", "plan", "-c", "examples/config", ...spawn, "-o", "json"])).stdout)
    expect(objects.slice(1).map(({ metadata: { namespace: _n, ownerReferences: _o, ...metadata }, ...rest }) => ({ ...rest, metadata }))).toEqual(planned)
  })

  it("up -o json: the returns, the warnings and what would be done, all on standard output", async () => {
    const { code, stdout, stderr } = await jsp(["services", "up", "--dry-run", "-c", "examples/config", ...spawn, "-o", "json"])
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
    const result = JSON.parse(stdout)
    expect(result.returns).toContainEqual({ service: "spark", env: [{ name: "SPARK_CLUSTER", value: "spark-cluster-vpavlin" }] })
    expect(result.dryRun.map((a: { action: string; object: { kind: string } }) => `${a.action} ${a.object.kind}`)).toEqual(["ensure ConfigMap", "apply SparkCluster", "apply AirflowCluster", "apply AirflowBase"])
    expect(result.dryRun[0].object.metadata.namespace).toBeUndefined()
  })

  it("up: readiness is not waited for (a warning says so); returns are read from the objects as rendered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jsp-dry-run-"))
    writeFileSync(join(dir, "profiles.yaml"), [
      "profiles:", "  - name: p", "    services:", "      db:", "        resources: [{ name: db-template, path: db }]",
      "        ready: { path: status.phase, equals: Bound, timeoutSeconds: 3600 }",
      "        return: { DB_CLAIM: metadata.name, DB_PHASE: status.phase }", ""
    ].join("\n"))
    writeFileSync(join(dir, "templates.yaml"), "kind: ConfigMap\napiVersion: v1\nmetadata: { name: db-template }\ndata:\n  db: |\n    apiVersion: v1\n    kind: PersistentVolumeClaim\n    metadata: { name: db }\n")
    const { code, stdout, stderr } = await jsp(["services", "up", "--dry-run", "-c", join(dir, "profiles.yaml"), "--templates", join(dir, "templates.yaml"), "--user", "ada", "--image", "i:1"])
    expect(code).toBe(0)
    expect(stdout).toBe("DB_CLAIM=db-ada\n")
    expect(stderr.split("\n").filter((l) => l.startsWith("warning: "))).toEqual([
      "warning: service db: dry run: PersistentVolumeClaim db-ada is not waited for (ready: status.phase = Bound); return values are read from the object as rendered",
      "warning: service db: return DB_PHASE: status.phase matched nothing; the variable is not set"
    ])
  })

  it("down: says on standard error what it would delete; standard output stays empty as without --dry-run", async () => {
    const { code, stdout, stderr } = await jsp(["services", "down", "--dry-run", "--user", "vpavlin", "--namespace", "odh"])
    expect({ code, stdout }).toEqual({ code: 0, stdout: "" })
    expect(stderr.split("\n")[0]).toBe("# dry run: would be deleted; garbage collection would then remove every object it owns")
    expect(parse(stderr)).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "singleuser-service-ref-vpavlin", namespace: "odh", labels: { "app.kubernetes.io/managed-by": "jsp" }, annotations: { "jsp.opendatahub.io/user": "vpavlin" } } })
  })
})

describe("hostile users and configuration values through the command (SPEC 10)", () => {
  const values = ["{{ user }}", "{% raw %}x", "\"; rm -rf /", "a: b\nc: [d]", "---\nkind: Secret", "{\"kind\": \"Secret\"}", "line\nEVIL=1", "é".repeat(1_000)]
  const users = ["o'brien\"", "a\nb", "{{ 7 | plus: 1 }}", "<script>alert(1)</script>", "x".repeat(1_000), "ÄÖÜ --- {% raw %}"]

  it("plan and up --dry-run keep the template's structure, give valid names, and never let a value make a line of NAME=value output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jsp-hostile-"))
    const profiles = join(dir, "profiles.json")
    const templates = join(dir, "templates.json")
    writeFileSync(templates, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t" }, data: {
      cm: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: \"notes-{{ user }}\" }\ndata: { note: \"{{ note }}\", user: \"{{ user }}\" }\n"
    } }))
    for (const [i, note] of values.entries()) {
      const user = users[i % users.length] ?? ""
      writeFileSync(profiles, JSON.stringify({ profiles: [{ name: "p", services: { notes: {
        resources: [{ name: "t", path: "cm" }], configuration: { note }, return: { NOTE: "data.note", NOTES_NAME: "metadata.name" }
      } } }] }))
      const args = ["-c", profiles, "--templates", templates, "--user", user, "--image", "i:1"]
      const planned = await jsp(["services", "plan", ...args, "-o", "json"])
      expect(planned.code).toBe(0)
      const [object] = JSON.parse(planned.stdout)
      expect(Object.keys(object)).toEqual(["apiVersion", "kind", "metadata", "data"])
      expect(object.data.note).toBe(note)
      expect(object.metadata.name).toMatch(/^notes-[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u)
      expect(object.metadata.name.length).toBeLessThanOrEqual(253)
      const { code, stdout, stderr } = await jsp(["services", "up", "--dry-run", ...args])
      expect(code).toBe(0)
      const shown = parseAllDocuments(stderr.split("\n").filter((l) => !l.startsWith("warning: ")).join("\n"))
      expect(shown.flatMap((d) => d.errors)).toEqual([])
      expect(shown.map((d) => d.toJS())[1]).toEqual({ ...object, metadata: { ...object.metadata, ownerReferences: [expect.objectContaining({ kind: "ConfigMap", uid: "" })] } })
      const name = `NOTES_NAME=${object.metadata.name}`
      expect(stdout).toBe(`${note.includes("\n") ? name : `NOTE=${note}\n${name}`}\n`)
      if (note.includes("\n")) {
        expect(stderr).toContain("warning: service notes: NOTE holds a line break or control character, which NAME=value lines cannot carry; left out here (--output json gives it)")
      }
    }
  })
})
