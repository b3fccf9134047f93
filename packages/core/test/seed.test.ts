import { describe, expect, it } from "vitest"
import { resolutionView } from "../src/index.ts"
import { resolveOrThrow, seed } from "./helpers.ts"

// The configuration from the original project's README is the main golden case.
const thoth = "image-registry.openshift-image-registry.svc:5000/opendatahub/s2i-thoth-notebook:3.6"
const view = (user: string, image: string, size?: string) =>
  resolutionView(resolveOrThrow(seed, { user, image, ...(size === undefined ? {} : { size }) }))

const globalsEnv = [
  { name: "THIS_IS_GLOBAL", value: "This will appear in all singleuser pods" },
  { name: "MYAPP_SECRET_TOKEN", valueFrom: { secretKeyRef: { key: "SECRET_TOKEN", name: "testing-secret-token" } } },
  { name: "MY_CONFIGMAP_VALUE", valueFrom: { configMapKeyRef: { name: "myconfigmap", key: "mykey" } } }
]
const thothEnv = [
  { name: "THOTH_DEPLOYMENT_NAME", value: "thoth-test-core" },
  { name: "THOTH_CEPH_BUCKET", value: "DH-DEV-DATA" },
  { name: "THOTH_CEPH_BUCKET_PREFIX", value: "data/thoth" },
  { name: "THOTH_JANUSGRAPH_PORT", value: "80" }
]

describe("the seed configuration", () => {
  it.each(["vpavlin", "fpokorny"])("%s with the Thoth image gets globals then Thoth Notebooks", (user) => {
    const v = view(user, thoth)
    expect(v.profiles).toEqual(["globals", "Thoth Notebooks"])
    expect(v.env).toEqual([...globalsEnv, ...thothEnv])
    expect(v.resources).toEqual({ requests: { memory: "1Gi", cpu: "500m" }, limits: { memory: "2Gi", cpu: "1" } })
    expect(v.node_tolerations).toEqual([])
    expect(v.services).toEqual({})
  })

  it("acorvin gets the special nodes' toleration and affinity, and the global resources", () => {
    const v = view("acorvin", thoth)
    expect(v.profiles).toEqual(["globals", "Special Nodes"])
    expect(v.env).toEqual(globalsEnv)
    expect(v.resources).toEqual({ requests: { memory: "500Mi", cpu: "250m" }, limits: { memory: "1Gi", cpu: "500m" } })
    expect(v.node_tolerations).toEqual([{ key: "some_node_label", operator: "Equal", value: "label_target_value", effect: "NoSchedule" }])
    expect(v.node_affinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: "some_node_label", operator: "In", values: ["label_target_value_1", "label_target_value_2"] }] }]
      }
    })
  })

  it("an unlisted user with the Thoth image gets only globals", () => {
    const v = view("someone-else", thoth)
    expect(v.profiles).toEqual(["globals"])
    expect(v.env).toEqual(globalsEnv)
  })

  it("the Spark image brings the spark and airflow services to any user", () => {
    const v = view("someone-else", "s2i-spark-notebook:3.6")
    expect(v.profiles).toEqual(["globals", "Spark Notebook"])
    expect(Object.keys(v.services)).toEqual(["spark", "airflow"])
    expect(v.services["spark"]).toEqual({
      resources: [{ name: "spark-cluster-template", path: "sparkClusterTemplate" }],
      configuration: { worker_instances: 1, worker_memory_limit: "4Gi", master_memory_limit: "1Gi" },
      labels: { "opendatahub.io/component": "jupyterhub" },
      return: { SPARK_CLUSTER: "metadata.name" }
    })
  })

  it("the minimal image gets only globals, even for vpavlin", () => {
    expect(view("vpavlin", "s2i-minimal-notebook:3.6").profiles).toEqual(["globals"])
  })

  it("another tag of the Thoth image does not match its tagged entry", () => {
    expect(view("vpavlin", "s2i-thoth-notebook:3.7").profiles).toEqual(["globals"])
  })

  it.each([
    ["Small", { memory: "1Gi", cpu: "1" }, { memory: "2Gi", cpu: "2" }],
    ["Medium", { memory: "2Gi", cpu: "2" }, { memory: "4Gi", cpu: "4" }],
    ["Large", { memory: "4Gi", cpu: "4" }, { memory: "8Gi", cpu: "8" }]
  ])("size %s overrides the profiles' resources", (size, requests, limits) => {
    const v = view("vpavlin", thoth, size)
    expect(v.profiles).toEqual(["globals", "Thoth Notebooks", `size:${size}`])
    expect(v.size).toBe(size)
    expect(v.resources).toEqual({ requests, limits })
  })
})
