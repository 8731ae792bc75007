/** The package version, written into the bundle by scripts/build.mjs (esbuild `define`) from package.json. */
declare const PRM_LENS_VERSION: string;

export const VERSION = PRM_LENS_VERSION;
