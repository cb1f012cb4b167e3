import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export const DOCS_PATH = 'docs';
export const OPENAPI_PATH = 'openapi.json';

/**
 * The OpenAPI document generated from the controllers, served at `/openapi.json`, and Swagger UI at `/docs`.
 * Both are plain Express routes outside Nest's guards: public whatever `API_KEYS` says. Call before
 * `app.init()` so that they precede the not-found handler; the document is built on first request.
 */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Standoff Timeline')
    .setDescription(
      'Where a diplomatic standoff stood at a valid time (`asOf`), as known at a knowledge time (`knownAt`). ' +
        'Errors are RFC 9457 `application/problem+json`. With `API_KEYS` set, send `Authorization: Bearer <key>`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= SwaggerModule.createDocument(app, config)), {
    jsonDocumentUrl: OPENAPI_PATH,
    raw: ['json'],
    customSiteTitle: 'Standoff Timeline API',
  });
}
