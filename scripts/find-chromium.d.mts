/** Types for scripts/find-chromium.mjs (read by playwright.config.ts and the unit test). */
export function systemLocations(platform?: NodeJS.Platform, env?: NodeJS.ProcessEnv): string[];
export function findChromium(options?: {
  env?: NodeJS.ProcessEnv;
  exists?: (p: string) => boolean;
  platform?: NodeJS.Platform;
}): { path: string; source: 'CHROMIUM_PATH' | 'playwright' | 'system' } | { error: string };
