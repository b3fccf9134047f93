import { type ConfigMapNames, type ConfigMapView, documentOf, type InvalidDocument, parseRawDocument, type RawDocument, userSettingsConfigMapName } from "@jsp/core"
import { Effect, Option, Result } from "effect"

/**
 * A user's settings among ConfigMaps (the last one of their name), parsed once per ConfigMap as
 * read: the same document object every time while its file is unchanged.
 */
export const settingsReader = (names: ConfigMapNames) => {
  const parsed = new WeakMap<ConfigMapView, Result.Result<Option.Option<RawDocument>, InvalidDocument>>()
  return (configMaps: ReadonlyArray<ConfigMapView>, user: string) => {
    const view = configMaps.findLast((cm) => cm.name === userSettingsConfigMapName(user))
    if (view === undefined) return Effect.succeed(Option.none<RawDocument>())
    let read = parsed.get(view)
    if (read === undefined) {
      const document = documentOf(view, names.userSettingsKey)
      read = document === undefined ? Result.succeed(Option.none()) : Result.map(parseRawDocument(document), Option.some)
      parsed.set(view, read)
    }
    return Effect.fromResult(read)
  }
}

/** A data key of the last ConfigMap of that name (services' templates). */
export const findConfigMapKey = (configMaps: ReadonlyArray<ConfigMapView>, name: string, key: string) =>
  Option.fromNullishOr(configMaps.findLast((cm) => cm.name === name)).pipe(Option.flatMapNullishOr((cm) => documentOf(cm, key)))
