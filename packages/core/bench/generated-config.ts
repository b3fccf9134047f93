// The large configuration the benchmarks share: 2,000 team profiles, 25 listed users each
// (50,000 in all), a group on every tenth, images on every fourth, tolerations on every seventh.

/** How many profiles and listed users the generated configuration has. */
export const profileCount = 2_000
export const usersPerProfile = 25
export const listedUsers = profileCount * usersPerProfile

/** The generated document (before decoding): its profiles and the sizes given. */
export const generatedDocument = (sizes: ReadonlyArray<unknown>) => ({
  profiles: Array.from({ length: profileCount }, (_, p) => ({
    name: `team-${p}`,
    users: Array.from({ length: usersPerProfile }, (_, u) => `user-${p * usersPerProfile + u}`),
    ...(p % 4 === 0 ? { images: [`s2i-team-${p}-notebook:*`, "s2i-thoth-notebook"] } : {}),
    ...(p % 10 === 0 ? { groups: [`group-${p}`] } : {}),
    env: Array.from({ length: 5 }, (_, e) => ({ name: `TEAM_${e}`, value: `team ${p} value ${e}` })),
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } },
    ...(p % 7 === 0 ? { node_tolerations: [{ key: `team-${p}`, operator: "Exists", effect: "NoSchedule" }] } : {})
  })),
  sizes
})
