import { ConfigSource, SourceUnavailable, UserSettingsStore } from "@jsp/core"
import { Effect, Layer } from "effect"

/**
 * `UserSettingsStore` over the configuration files: users' settings are read where the source
 * finds them (`jupyterhub-singleuser-profile-<user>` among the files, or `--user-settings`);
 * writing is refused, since only the cluster holds what users write.
 */
export const FileUserSettingsStore = Layer.effect(UserSettingsStore, Effect.gen(function*() {
  const source = yield* ConfigSource
  return UserSettingsStore.of({
    read: source.userSettings,
    write: (user) => Effect.fail(new SourceUnavailable({
      source: "files",
      reason: "forbidden",
      detail: `the settings of ${user} are read from files, which jsp never writes; users' settings are written to the cluster`
    }))
  })
}))
