import type { OpenAPIObject } from '@nestjs/swagger';
import { escapeForInlining } from './openapi';

/** What @nestjs/swagger 11 does to build swagger-ui-init.js: a plain-string replace of a placeholder. */
function inline(document: unknown): string {
  return 'let options = <% swaggerOptions %>;'.replace('<% swaggerOptions %>', JSON.stringify(document));
}

describe('the document inlined into swagger-ui-init.js', () => {
  const document = {
    openapi: '3.0.0',
    info: { title: 'x', version: '1' },
    paths: {
      '/v1/standoffs/{standoffId}': {
        get: {
          parameters: [{ name: 'standoffId', in: 'path', description: 'An id, `^[a-z0-9][a-z0-9-]{0,63}$`' }],
          responses: { '200': { description: "costs $' and $& and $$ and $1" } },
        },
      },
    },
    components: { schemas: { A: { $ref: '#/components/schemas/B' } } },
  } as unknown as OpenAPIObject;

  it('comes out exactly as the document once every $ is escaped', () => {
    expect(inline(escapeForInlining(document))).toBe(`let options = ${JSON.stringify(document)};`);
  });
});
