# syntax=docker/dockerfile:1
# The api and the projector, built once: TypeScript compiled in the build stage, then run with `node dist/…` on
# production dependencies only. Used by docker-compose.yml; the command picks the app (api by default).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
# The timeline page (apps/web, Vite) into dist/web, served by the API.
RUN npx tsc -p tsconfig.build.json && npx vite build --config apps/web/vite.config.ts

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# tsconfig-paths resolves the @app/* aliases against the compiled tree (as scripts/run.sh does).
ENV NODE_ENV=production \
    TS_NODE_BASEURL=./dist \
    KAFKAJS_NO_PARTITIONER_WARNING=1
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "-r", "tsconfig-paths/register", "dist/apps/api/src/main.js"]
