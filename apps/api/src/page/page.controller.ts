import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../http/api-keys.guard';
import { ProblemError } from '../http/problem';
import { WebAssets, type WebFile } from './web-assets';
import { notFound, pageNotBuilt } from '../http/problems';

/**
 * Everything the page loads comes from here (DESIGN.md §8: no CDN, it works offline), and the policy says
 * so to the browser. The API it calls is same-origin.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function send(res: Response, file: WebFile, cacheControl: string): void {
  res.status(200);
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Cache-Control', cacheControl);
  res.end(file.body);
}

/**
 * `GET /`: the timeline page (DESIGN.md §8), and `GET /assets/*`: its scripts and styles as Vite built them.
 * Public whatever `API_KEYS` says: the page asks for a key when the API answers 401, and sends it itself.
 */
@Public()
@ApiExcludeController()
@Controller()
export class PageController {
  constructor(private readonly assets: WebAssets) {}

  @Get()
  async page(@Res() res: Response): Promise<void> {
    const index = await this.assets.index();
    if (index === undefined) {
      throw new ProblemError(pageNotBuilt(this.assets.dir));
    }
    res.setHeader('Content-Security-Policy', PAGE_CONTENT_SECURITY_POLICY);
    res.setHeader('Referrer-Policy', 'no-referrer');
    // The page names its hashed assets: always ask for the current one.
    send(res, index, 'no-cache');
  }

  @Get('assets/:name')
  async asset(@Param('name') name: string, @Res() res: Response): Promise<void> {
    const file = await this.assets.asset(name);
    if (file === undefined) {
      throw new ProblemError(notFound(`There is no asset ${name}.`));
    }
    // Vite puts a content hash in every name, so a name never changes content.
    send(res, file, 'public, max-age=31536000, immutable');
  }
}
