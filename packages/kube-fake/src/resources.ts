/** A kind of object the fake serves. */
export interface ResourceType {
  readonly group: string
  readonly version: string
  readonly kind: string
  readonly plural: string
  /** Typed lists (built-ins, and ImageStreams from openshift-apiserver) carry no kind/apiVersion on items. */
  readonly typedList: boolean
  /** Custom resources need a resourceVersion to be replaced and count `generation`. */
  readonly custom: boolean
}

export const apiVersionOf = (type: ResourceType): string => type.group === "" ? type.version : `${type.group}/${type.version}`

export const configMaps: ResourceType = { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", typedList: true, custom: false }
export const secrets: ResourceType = { group: "", version: "v1", kind: "Secret", plural: "secrets", typedList: true, custom: false }
export const pods: ResourceType = { group: "", version: "v1", kind: "Pod", plural: "pods", typedList: true, custom: false }
export const imageStreams: ResourceType = { group: "image.openshift.io", version: "v1", kind: "ImageStream", plural: "imagestreams", typedList: true, custom: false }

/** A custom resource type, e.g. `customResource("radanalytics.io", "v1", "SparkCluster", "sparkclusters")`. */
export const customResource = (group: string, version: string, kind: string, plural: string): ResourceType =>
  ({ group, version, kind, plural, typedList: false, custom: true })

/** What the fake serves unless told otherwise: ConfigMaps, Secrets, Pods, ImageStreams and SparkClusters. */
export const defaultResourceTypes: ReadonlyArray<ResourceType> = [
  configMaps, secrets, pods, imageStreams, customResource("radanalytics.io", "v1", "SparkCluster", "sparkclusters")
]
