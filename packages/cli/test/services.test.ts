import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"
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
