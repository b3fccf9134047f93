/** True when the bundle in `dir` exists and every workspace file it was built from is unchanged. */
export declare const bundleIsFresh: (dir: string) => boolean
