/** The paths the server answers, each with its methods and whether it only reads. */
export type RouteName =
  | "mutate"
  | "healthz"
  | "readyz"
  | "metrics"
  | "images"
  | "sizes"
  | "ui"
  | "form"
  | "settings"
  | "services"
  | "apply"

/** A request matched to a route: the user, when the path names one. */
export interface Matched {
  readonly route: RouteName
  readonly user?: string
}

const fixed: Readonly<Record<string, RouteName>> = {
  "/mutate": "mutate",
  "/healthz": "healthz",
  "/readyz": "readyz",
  "/metrics": "metrics",
  "/api/images": "images",
  "/api/sizes": "sizes",
  "/api/ui": "ui",
  "/form": "form",
  "/api/pods/apply": "apply"
}

/** The methods each route takes. */
export const methods: Readonly<Record<RouteName, ReadonlyArray<string>>> = {
  mutate: ["POST"],
  healthz: ["GET"],
  readyz: ["GET"],
  metrics: ["GET"],
  images: ["GET"],
  sizes: ["GET"],
  ui: ["GET"],
  form: ["GET"],
  settings: ["GET", "PUT"],
  services: ["POST", "DELETE"],
  apply: ["POST"]
}

/** Routes of the spawner API and form anyone may read when no token is configured. */
export const readOnlyRoutes: ReadonlySet<RouteName> = new Set(["images", "sizes", "ui", "form"])

/** Routes that never need the token: the API server and the kubelet call them. */
export const openRoutes: ReadonlySet<RouteName> = new Set(["mutate", "healthz", "readyz", "metrics"])

const userPath = /^\/api\/users\/([^/]+)\/(settings|services)$/u

/** The route a path names; `undefined` for an unknown path or a user name that is not valid percent-encoding. */
export const matchRoute = (path: string): Matched | undefined => {
  const known = fixed[path]
  if (known !== undefined) return { route: known }
  const match = userPath.exec(path)
  if (match === null || match[1] === undefined) return undefined
  try {
    const user = decodeURIComponent(match[1])
    return user === "" ? undefined : { route: match[2] === "settings" ? "settings" : "services", user }
  } catch {
    return undefined
  }
}
