import { Module } from '@nestjs/common';
import { PageController } from './page.controller';
import { WebAssets } from './web-assets';

/** The timeline page (DESIGN.md §8), served from the Vite build in dist/web. */
@Module({
  controllers: [PageController],
  providers: [{ provide: WebAssets, useFactory: () => new WebAssets() }],
})
export class PageModule {}
