import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';

/** Where `npm run build:web` (Vite, apps/web/vite.config.ts) writes the page, relative to the project root. */
export const WEB_OUTPUT_DIR = join('dist', 'web');

/** A built asset's name as Vite writes it (`index-3fa9c1.js`): no separators, so no path can escape the folder. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export interface WebFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * The project root: the nearest folder above this file holding package.json. The same from the sources
 * (ts-jest, ts-node) and from dist/ (`npm start`), which sit at different depths.
 */
function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** The built page on disk, read per request (a few small files; a rebuild is picked up without a restart). */
export class WebAssets {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? join(projectRoot(__dirname), WEB_OUTPUT_DIR);
  }

  index(): Promise<WebFile | undefined> {
    return this.read(join(this.dir, 'index.html'));
  }

  asset(name: string): Promise<WebFile | undefined> {
    if (!ASSET_NAME.test(name)) return Promise.resolve(undefined);
    return this.read(join(this.dir, 'assets', name));
  }

  private async read(path: string): Promise<WebFile | undefined> {
    const contentType = CONTENT_TYPES[extname(path)];
    if (contentType === undefined) return undefined;
    try {
      return { body: await readFile(path), contentType };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
