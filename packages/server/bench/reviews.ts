// AdmissionReviews of KubeSpawner-like pods for any user: the example pod, renamed.
import { isJsonObject, type JsonObject } from "@jsp/core"
import { examplePod, reviewOf } from "../test/fixture.ts"

// Read once: parsing the YAML for every request would make the load generator the bottleneck.
const example = examplePod()

/** The example pod as KubeSpawner would build it for `user` (a fresh object every time). */
export const podFor = (user: string): JsonObject => {
  const pod = structuredClone(example)
  const metadata = isJsonObject(pod["metadata"]) ? pod["metadata"] : {}
  const labels = isJsonObject(metadata["labels"]) ? metadata["labels"] : {}
  return {
    ...pod,
    metadata: {
      ...metadata,
      name: `jupyter-${user}`,
      labels: { ...labels, "hub.jupyter.org/username": user },
      annotations: { "hub.jupyter.org/username": user }
    }
  }
}

/** The AdmissionReview body for `user`'s pod. */
export const reviewBodyFor = (user: string, uid: string) => JSON.stringify(reviewOf(podFor(user), { uid }))
