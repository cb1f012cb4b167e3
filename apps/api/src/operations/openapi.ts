import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ENTITY_ID_PATTERN } from '@app/domain/events';
import { jsonOf, PROBLEM_CONTENT } from './openapi-decorators';
import { openApiSchemas } from './openapi-schemas';

export const DOCS_PATH = 'docs';
export const OPENAPI_PATH = 'openapi.json';
export const BEARER_SCHEME = 'bearer';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Routes served without a key whatever `API_KEYS` says (the guard's `@Public()` ones). */
const PUBLIC_PREFIXES = ['/health', '/metrics'];

const JOB_LOCATION = { Location: { description: 'The rebuild job', schema: { type: 'string' } } };

/**
 * Answers of routes whose controllers do not declare them (the admin controller is being moved out of this
 * app; its answers are described here until it can declare its own).
 */
const RESPONSES: Readonly<Record<string, Readonly<Record<string, ResponseObject>>>> = {
  'post /v1/admin/rebuild': {
    '202': { description: 'Started: the job', content: jsonOf('RebuildStatus'), headers: JOB_LOCATION },
    '409': {
      description: 'Conflict: a rebuild is running (Location), or no projector runs in this process',
      content: PROBLEM_CONTENT,
    },
  },
  'get /v1/admin/rebuild/{jobId}': {
    '200': { description: 'The progress', content: jsonOf('RebuildStatus') },
    '404': { description: 'Not Found: no such job', content: PROBLEM_CONTENT },
  },
  'get /v1/admin/dead-letters': {
    '200': { description: 'A page of dead letters, oldest first', content: jsonOf('DeadLetterPage') },
    '400': { description: 'Bad Request: a bad after or limit', content: PROBLEM_CONTENT },
  },
  'post /v1/admin/dead-letters/{id}/replay': {
    '202': { description: 'Appended to the log again', content: jsonOf('DeadLetterReplay') },
    '404': { description: 'Not Found: no such dead letter', content: PROBLEM_CONTENT },
    '409': { description: 'Conflict: already replayed', content: PROBLEM_CONTENT },
    '422': { description: 'Unprocessable Content: the record holds no command', content: PROBLEM_CONTENT },
  },
  'get /metrics': {
    '200': {
      description: 'The Prometheus text exposition format',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
  },
};

function isReference(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

/**
 * What the decorators leave out, applied to every operation: the bearer scheme and its 401/403 on the routes
 * behind the key guard (admin ones need the admin role), a 503 for an outage, a schema for every parameter.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...openApiSchemas() },
    securitySchemes: {
      [BEARER_SCHEME]: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key of API_KEYS (reader, writer or admin); needed only when API_KEYS is set',
      },
    },
  };
  document.info.license = { name: 'UNLICENSED' };
  for (const [path, item] of Object.entries(document.paths) as [string, PathItemObject][]) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (operation === undefined) continue;
      const responses = operation.responses as Record<string, ResponseObject | ReferenceObject>;
      Object.assign(responses, RESPONSES[`${method} ${path}`]);
      for (const parameter of operation.parameters ?? []) {
        if (isReference(parameter)) continue;
        const p = parameter as ParameterObject;
        if (p.in === 'path' && p.name === 'standoffId') {
          p.schema = { type: 'string', pattern: ENTITY_ID_PATTERN.source };
        } else if (p.schema === undefined || Object.keys(p.schema).length === 0) {
          p.schema = { type: 'string' };
        }
      }
      if (PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix))) {
        operation.security = [];
        continue;
      }
      operation.security = [{ [BEARER_SCHEME]: [] }];
      const admin = path.startsWith('/v1/admin');
      responses['401'] ??= {
        description: 'Unauthorized: no key, or an unknown one (only when API_KEYS is set)',
        content: PROBLEM_CONTENT,
      };
      responses['403'] ??= {
        description: `Forbidden: the key lacks the role (${admin ? 'admin' : method === 'get' ? 'any' : 'writer or admin'})`,
        content: PROBLEM_CONTENT,
      };
      responses['503'] ??= {
        description: 'Service Unavailable: the log or the database is down; ask again after Retry-After',
        headers: { 'Retry-After': { description: 'Seconds', schema: { type: 'integer' } } },
        content: PROBLEM_CONTENT,
      };
      for (const [status, response] of Object.entries(responses)) {
        if (isReference(response)) continue;
        if (response.description === '') response.description = `Status ${status}`;
      }
    }
  }
  return document;
}

/**
 * A copy of the document in which every `$` is `$$`. @nestjs/swagger 11 inlines the document into
 * swagger-ui-init.js with `String.prototype.replace` and a plain string, which takes `$`` `, `$'`, `$&` in it
 * as replacement patterns (a description holding a regular expression such as `^[a-z]$` blanks /docs);
 * `$$` is the pattern for one `$`, so the inlined text is the document as it is.
 */
export function escapeForInlining(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$');
  if (Array.isArray(value)) return value.map(escapeForInlining);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key.replace(/\$/g, '$$$$'), escapeForInlining(inner)]),
    );
  }
  return value;
}

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
        'Errors are RFC 9457 `application/problem+json`. With `API_KEYS` set, send `Authorization: Bearer <key>` ' +
        '("Authorize" here).',
    )
    .setVersion('1')
    .addServer('/', 'This server')
    .build();
  let document: OpenAPIObject | undefined;
  let inlined: OpenAPIObject | undefined;
  const built = () => (document ??= completeDocument(SwaggerModule.createDocument(app, config)));
  SwaggerModule.setup(DOCS_PATH, app, built, {
    jsonDocumentUrl: OPENAPI_PATH,
    raw: ['json'],
    customSiteTitle: 'Standoff Timeline API',
    // Called for /openapi.json and for swagger-ui-init.js alike; only the latter inlines the document.
    patchDocumentOnRequest: <TRequest>(req: TRequest, _res: unknown, doc: OpenAPIObject) =>
      (req as { url?: string }).url?.includes('swagger-ui-init.js')
        ? (inlined ??= escapeForInlining(doc) as OpenAPIObject)
        : doc,
  });
}
