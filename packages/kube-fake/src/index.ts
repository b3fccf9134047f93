export * from "./resources.ts"
export * from "./selectors.ts"
export { FakeApiServer, type FakeApiServerOptions, type Failure, type LoggedRequest } from "./server.ts"
export type { KubeObject, WatchEvent } from "./store.ts"
