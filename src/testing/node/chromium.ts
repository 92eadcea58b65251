/** Debian Chromium driven by playwright-core on the studio served from this checkout, for browser tests. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startStudio } from '../../studio/node/server.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ROOT = resolve(new URL('../../../..', import.meta.url).pathname);

/** Why a browser test cannot run here, or false. */
export const chromiumMissing = (): string | false =>
  existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`;

/** The flags the issue asks for (no sandbox as root, no network chatter, fresh profile), plus AVDIT_CHROMIUM_EXTRA
 * (space-separated, for experiments such as `--js-flags=--no-liftoff`). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  ...(process.env.AVDIT_CHROMIUM_EXTRA ?? '').split(' ').filter(Boolean),
];

/** Starts the studio on a free port and opens it in a fresh headless Chromium; `close()` stops both. */
export async function openStudio(o: { args?: string[]; query?: string } = {}) {
  const { chromium } = await import('playwright-core');
  const studio = await startStudio({
    root: ROOT,
    port: 0,
    model: join(ROOT, 'models', 'avdit'),
    videoCodec: join(ROOT, 'models', 'video-codec'),
    audioCodec: join(ROOT, 'models', 'audio-codec'),
    examples: join(ROOT, 'examples', 'grid-val'),
  });
  const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'avdit-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: o.args ?? CHROMIUM_FLAGS,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${studio.url}${o.query ?? ''}`);
  return {
    page,
    pageErrors,
    url: studio.url,
    close: async () => {
      await ctx.close();
      await studio.close();
    },
  };
}
