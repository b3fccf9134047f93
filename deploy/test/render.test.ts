// Renders deploy/base and each overlay with `kubectl kustomize` (kubectl from Debian's
// kubernetes-client, 1.20, or any newer one; KUBECTL=path picks another) and checks that the pieces
// fit: the webhook reaches the container's port through the Service, the container runs `jsp serve`
// with the certificate it mounts, the probes, the webhook's policy, and who issues the certificate.
// Without kubectl this fails: .ci/run installs it.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { systemPackagesReady, systemPackagesWaitMs } from "../../packages/server/test/system-packages.ts"
import { at, deployDir, isManifest, listAt, type Manifest, objectAt, parseManifests, readManifests, root, stringAt, stringsAt } from "./manifests.ts"

const kubectl = process.env["KUBECTL"] ?? "kubectl"

// kubectl may still be installing (.ci/run).
beforeAll(systemPackagesReady, systemPackagesWaitMs)

/** The objects `kubectl kustomize DIR` prints. */
const render = (dir: string): ReadonlyArray<Manifest> => {
  const result = spawnSync(kubectl, ["kustomize", dir], { encoding: "utf8", timeout: 60_000 })
  if (result.error !== undefined) {
    throw new Error(`cannot run ${kubectl} (${result.error.message}): install kubectl, e.g. apt-get install kubernetes-client (.ci/run does)`)
  }
  if (result.status !== 0) throw new Error(`${kubectl} kustomize ${dir} exited ${String(result.status)}: ${result.stderr}`)
  return parseManifests(result.stdout, `${kubectl} kustomize ${dir}`)
}

const one = (objects: ReadonlyArray<Manifest>, kind: string): Manifest => {
  const found = objects.filter((o) => o["kind"] === kind)
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`)
  return found[0] ?? {}
}

/** The container port a Service's or probe's port means: a number, or the name of one of the container's ports. */
const containerPort = (container: Manifest, port: unknown): unknown =>
  typeof port === "string" ? listAt(container, "ports").find((p) => p["name"] === port)?.["containerPort"] : port

// `jsp serve`'s flags (issue 9): anything else in the args would stop it.
const serveFlags = new Set(["--config", "--source", "--namespace", "--kubeconfig", "--tls-cert", "--tls-key", "--host", "--port",
  "--api-token-file", "--fail-closed", "--gpu-mode"])
const valuelessFlags = new Set(["--fail-closed"])

/** `serve` and its flags, as a map from flag to its values. */
const serveArgs = (args: ReadonlyArray<string>): ReadonlyMap<string, ReadonlyArray<string>> => {
  expect(args[0]).toBe("serve")
  const flags = new Map<string, Array<string>>()
  for (let i = 1; i < args.length; i++) {
    const flag = args[i] ?? ""
    expect(serveFlags, `unknown flag ${flag}`).toContain(flag)
    const value = valuelessFlags.has(flag) ? "" : args[++i]
    if (value === undefined) throw new Error(`${flag} without a value`)
    flags.set(flag, [...flags.get(flag) ?? [], value])
  }
  return flags
}

const selects = (selector: unknown, labels: unknown): boolean =>
  isManifest(selector) && isManifest(labels) && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v)

/** What every rendering holds, in `namespace`; returns the name of the TLS Secret the pods mount. */
const checkCommon = (objects: ReadonlyArray<Manifest>, namespace: string): string => {
  const deployment = one(objects, "Deployment")
  const service = one(objects, "Service")
  const webhook = one(objects, "MutatingWebhookConfiguration")
  const pod = objectAt(deployment, "spec", "template")
  const podLabels = at(pod, "metadata", "labels")
  const containers = listAt(pod, "spec", "containers")
  expect(containers).toHaveLength(1)
  const container = containers[0] ?? {}
  for (const kind of ["Deployment", "Service", "ServiceAccount", "Role", "RoleBinding", "PodDisruptionBudget"]) {
    expect(at(one(objects, kind), "metadata", "namespace"), kind).toBe(namespace)
  }

  // Deployment: two replicas that the Service and the PDB select, and the PDB keeps one.
  expect(at(deployment, "spec", "replicas")).toBe(2)
  expect(selects(at(deployment, "spec", "selector", "matchLabels"), podLabels)).toBe(true)
  expect(selects(at(service, "spec", "selector"), podLabels)).toBe(true)
  const pdb = one(objects, "PodDisruptionBudget")
  expect(pdb).toMatchObject({ apiVersion: "policy/v1", spec: { minAvailable: 1 } })
  expect(selects(at(pdb, "spec", "selector", "matchLabels"), podLabels)).toBe(true)

  // Cluster-scoped: named after the namespace, so that two hubs' jsps do not overwrite each other's.
  expect(at(webhook, "metadata", "name")).toBe(`jsp-${namespace}`)

  // The webhook calls /mutate on the Service, whose port leads to the container's 8443.
  const webhooks = listAt(webhook, "webhooks")
  expect(webhooks).toHaveLength(1)
  const hook = webhooks[0] ?? {}
  const target = objectAt(hook, "clientConfig", "service")
  expect(target).toMatchObject({ name: at(service, "metadata", "name"), namespace, path: "/mutate" })
  const servicePort = listAt(service, "spec", "ports").find((p) => p["port"] === (target["port"] ?? 443))
  expect(servicePort, "the Service has the webhook's port").toBeDefined()
  expect(containerPort(container, servicePort?.["targetPort"])).toBe(8443)
  expect(servicePort?.["port"]).toBe(443)

  // The webhook's policy (docs/deploy.md says why).
  expect(hook).toMatchObject({
    admissionReviewVersions: ["v1"],
    rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
    objectSelector: { matchLabels: { component: "singleuser-server" } },
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    sideEffects: "NoneOnDryRun",
    timeoutSeconds: 5,
    failurePolicy: "Ignore",
    reinvocationPolicy: "IfNeeded"
  })
  expect(listAt(hook, "rules")).toHaveLength(1)

  // `jsp serve` on the cluster of its own namespace, on 8443, with the certificate it mounts.
  const flags = serveArgs(stringsAt(container, "args"))
  expect(flags.get("--source")).toEqual(["cluster"])
  expect(flags.get("--namespace")).toBeUndefined()
  expect(flags.get("--port") ?? ["8443"]).toEqual(["8443"])
  expect(listAt(container, "ports")).toEqual([{ name: "https", containerPort: 8443, protocol: "TCP" }])
  const volumes = listAt(pod, "spec", "volumes")
  const mounts = listAt(container, "volumeMounts")
  const secretMountedAt = (file: string): string => {
    const mount = mounts.find((m) => file.startsWith(`${stringAt(m, "mountPath")}/`))
    const volume = volumes.find((v) => v["name"] === mount?.["name"])
    if (mount === undefined || volume === undefined) throw new Error(`${file} is on no mounted volume`)
    expect(mount["readOnly"]).toBe(true)
    return stringAt(volume, "secret", "secretName")
  }
  const [cert, key] = [flags.get("--tls-cert"), flags.get("--tls-key")]
  expect(cert?.map((f) => f.split("/").at(-1))).toEqual(["tls.crt"])
  expect(key?.map((f) => f.split("/").at(-1))).toEqual(["tls.key"])
  const tlsSecret = secretMountedAt(cert?.[0] ?? "")
  expect(secretMountedAt(key?.[0] ?? "")).toBe(tlsSecret)
  for (const file of flags.get("--api-token-file") ?? []) expect(secretMountedAt(file)).toBe("jsp-api-token")

  // Probes over HTTPS on the same port.
  for (const [probe, path] of [["readinessProbe", "/readyz"], ["livenessProbe", "/healthz"]] as const) {
    const get = objectAt(container, probe, "httpGet")
    expect(get, probe).toMatchObject({ path, scheme: "HTTPS" })
    expect(containerPort(container, get["port"]), probe).toBe(8443)
  }

  // Locked down, bounded.
  expect(at(pod, "spec", "securityContext")).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } })
  expect(at(container, "securityContext")).toMatchObject({
    readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }
  })
  expect(at(container, "resources")).toMatchObject({
    requests: { cpu: expect.any(String), memory: expect.any(String) },
    limits: { cpu: expect.any(String), memory: "512Mi" }
  })

  // The account the pods run as is the one the Role is bound to, with the rules role.yaml holds.
  const account = stringAt(one(objects, "ServiceAccount"), "metadata", "name")
  expect(at(pod, "spec", "serviceAccountName")).toBe(account)
  const role = one(objects, "Role")
  expect(one(objects, "RoleBinding")).toMatchObject({
    roleRef: { kind: "Role", name: at(role, "metadata", "name") },
    subjects: [{ kind: "ServiceAccount", name: account, namespace }]
  })
  expect(role["rules"]).toEqual(readManifests("deploy/base/role.yaml")[0]?.["rules"])

  // The example configuration, as the project bundles it.
  const configMaps = objects.filter((o) => o["kind"] === "ConfigMap").map((o) => stringAt(o, "metadata", "name")).sort()
  expect(configMaps).toEqual(["jupyter-services-template", "jupyter-singleuser-profiles", "spark-cluster-template"])
  return tlsSecret
}

const annotationsOf = (object: Manifest): unknown => at(object, "metadata", "annotations") ?? {}

/** cert-manager issues the Secret the pods mount, for the Service's name, and injects its CA into the webhook. */
const checkCertManager = (objects: ReadonlyArray<Manifest>, namespace: string, tlsSecret: string): void => {
  const certificate = one(objects, "Certificate")
  const service = stringAt(one(objects, "Service"), "metadata", "name")
  expect(certificate).toMatchObject({ metadata: { namespace }, spec: { secretName: tlsSecret } })
  expect(at(certificate, "spec", "dnsNames")).toContain(`${service}.${namespace}.svc`)
  const issuer = one(objects, "Issuer")
  expect(at(certificate, "spec", "issuerRef")).toMatchObject({ kind: "Issuer", name: at(issuer, "metadata", "name") })
  expect(at(issuer, "metadata", "namespace")).toBe(namespace)
  expect(annotationsOf(one(objects, "MutatingWebhookConfiguration")))
    .toEqual({ "cert-manager.io/inject-ca-from": `${namespace}/${stringAt(certificate, "metadata", "name")}` })
}

/** OpenShift's service CA issues the Secret the pods mount and injects its CA into the webhook. */
const checkOpenShift = (objects: ReadonlyArray<Manifest>, tlsSecret: string): void => {
  expect(annotationsOf(one(objects, "Service"))).toEqual({ "service.beta.openshift.io/serving-cert-secret-name": tlsSecret })
  expect(annotationsOf(one(objects, "MutatingWebhookConfiguration"))).toEqual({ "service.beta.openshift.io/inject-cabundle": "true" })
  expect(objects.filter((o) => o["kind"] === "Certificate" || o["kind"] === "Issuer")).toEqual([])
}

const scratch = mkdtempSync(join(tmpdir(), "jsp-deploy-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe("kubectl kustomize deploy/…", () => {
  it("base: every piece fits, and no certificate machinery", () => {
    const objects = render(join(deployDir, "base"))
    checkCommon(objects, "jupyterhub")
    expect(annotationsOf(one(objects, "MutatingWebhookConfiguration"))).toEqual({})
    expect(objects.filter((o) => o["kind"] === "Certificate")).toEqual([])
  })

  it("overlays/cert-manager: the certificate from cert-manager", () => {
    const objects = render(join(deployDir, "overlays/cert-manager"))
    checkCertManager(objects, "jupyterhub", checkCommon(objects, "jupyterhub"))
  })

  it("overlays/openshift: the certificate from the service CA", () => {
    const objects = render(join(deployDir, "overlays/openshift"))
    checkOpenShift(objects, checkCommon(objects, "jupyterhub"))
  })

  it("an operator's overlay (docs/deploy.md): another namespace, which every reference follows, and the API token", () => {
    for (const overlay of ["cert-manager", "openshift"]) {
      const dir = mkdtempSync(join(scratch, `${overlay}-`))
      // kustomize 2 (kubectl 1.20) takes a base by relative path only.
      writeFileSync(join(dir, "kustomization.yaml"), [
        "namespace: hub-two", "bases:", `  - ${relative(dir, join(deployDir, "overlays", overlay))}`,
        "patchesJson6902:", "  - target: { group: apps, version: v1, kind: Deployment, name: jsp }", "    path: api-token.yaml", ""
      ].join("\n"))
      writeFileSync(join(dir, "api-token.yaml"), ["--api-token-file", "/etc/jsp/api-token/token"]
        .map((value) => `- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: ${value}\n`).join(""))
      const objects = render(dir)
      const container = objectAt(one(objects, "Deployment"), "spec", "template", "spec", "containers", 0)
      expect(stringsAt(container, "args").slice(-2)).toEqual(["--api-token-file", "/etc/jsp/api-token/token"])
      const tlsSecret = checkCommon(objects, "hub-two")
      if (overlay === "cert-manager") checkCertManager(objects, "hub-two", tlsSecret)
      else checkOpenShift(objects, tlsSecret)
    }
  })

  it("the example ConfigMaps are the project's examples/config, unchanged", () => {
    const copies = readdirSync(join(deployDir, "base/config")).sort()
    expect(copies).toEqual(["jupyter-services-template.yaml", "profiles.yaml", "spark-cluster-template.yaml"])
    for (const file of copies) {
      expect(readFileSync(join(deployDir, "base/config", file), "utf8"), file).toBe(readFileSync(join(root, "examples/config", file), "utf8"))
    }
  })
})
