import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/*
 * docker-compose.yml, the Dockerfile and .dockerignore, checked without a Docker engine: what compose would
 * run, in what order, with which health checks, from an image built once.
 */

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string | string[]; interval?: string; retries?: number };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;
const dockerfile = read('Dockerfile');
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtimeStage = stages[stages.length - 1];
const APPS = ['api', 'projector'] as const;

describe('docker-compose.yml', () => {
  it('runs Kafka, Postgres, the api and the projector', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'kafka', 'postgres', 'projector']);
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(services.postgres.image).toMatch(/^postgres:\d+/);
  });

  it.each(APPS)('builds the %s from the Dockerfile, one image for both apps', (app) => {
    expect(services[app].build).toEqual({ context: '.', dockerfile: 'Dockerfile', target: 'runtime' });
    expect(services[app].image).toBe(services.api.image);
  });

  it.each([
    ['api', 'apps/api/src/main'],
    ['projector', 'apps/projector/src/main'],
  ])('runs the compiled %s with node, not npm', (app, entry) => {
    expect(services[app].command).toEqual(['node', '-r', 'tsconfig-paths/register', `dist/${entry}.js`]);
    // The entry point exists in the source tree that the build stage compiles to dist/.
    expect(existsSync(join(ROOT, `${entry}.ts`))).toBe(true);
  });

  it.each(['kafka', 'postgres', 'api', 'projector'])('checks the health of %s', (name) => {
    const check = services[name].healthcheck;
    expect(check?.test).toBeDefined();
    expect(check?.retries).toBeGreaterThan(0);
  });

  it('probes the api on the port it listens on, with what the image has (node, no curl)', () => {
    const test = services.api.healthcheck?.test as string[];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test[3]).toContain(`http://127.0.0.1:${services.api.environment?.PORT}/health/live`);
    expect(() => new Function(test[3])).not.toThrow();
  });

  it('probes the projector by the heartbeat file it is told to keep', () => {
    const test = services.projector.healthcheck?.test as string[];
    const file = String(services.projector.environment?.HEARTBEAT_FILE);
    expect(file).toMatch(/^\//);
    expect(test[3]).toContain(file);
    expect(() => new Function(test[3])).not.toThrow();
    expect(read('apps/projector/src/main.ts')).toContain('process.env.HEARTBEAT_FILE');
  });

  it.each(APPS)('starts the %s once Kafka and Postgres are healthy', (app) => {
    expect(services[app].depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    expect(services[app].environment).toMatchObject({
      KAFKA_BROKERS: 'kafka:19092',
      DATABASE_URL: 'postgres://postgres@postgres:5432/standoff',
    });
  });

  it('lets the api listen beyond loopback only with API keys', () => {
    expect(services.api.environment?.HOST).toBe('0.0.0.0');
    expect(String(services.api.environment?.API_KEYS)).toMatch(/writer:/);
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/ AS build\n/);
    expect(stages[0]).toMatch(/RUN npx tsc -p tsconfig\.build\.json/);
    expect(runtimeStage).toMatch(/ AS runtime\n/);
  });

  it('runs on production dependencies only, with the compiled tree and no compiler', () => {
    expect(runtimeStage).toMatch(/RUN npm ci --omit=dev/);
    expect(runtimeStage).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtimeStage).not.toMatch(/\btsc\b|npm run|COPY apps|COPY libs/);
    expect(runtimeStage).toMatch(/TS_NODE_BASEURL=\.\/dist/);
    expect(runtimeStage).toMatch(/USER node/);
  });

  it('has at run time what the command loads: tsconfig-paths is a production dependency', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['tsconfig-paths']).toBeDefined();
    expect(runtimeStage).toMatch(/COPY tsconfig\.json/);
  });
});

describe('.dockerignore', () => {
  it('keeps local state and build output out of the context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', 'data', '.env']));
  });
});
