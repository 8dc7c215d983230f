# saraban-gateway: SMTP intake, workers and desk in one container (`saraban all`).
# Build: docker build -t saraban-gateway .   Run with Redis and PostgreSQL: docker compose up

# --- build: all dependencies, compile TypeScript to dist/ --------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` script runs the build, and the sources are
# not copied yet; the build below does it once they are.
RUN npm ci --ignore-scripts
COPY . .
# The build also copies registry/sql/*.sql (the migrations) beside the compiled runner.
RUN npm run build && test -f dist/registry/sql/000001.sql

# --- runtime: production dependencies and dist/ only --------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist

# The example settings with the SMTP and desk listening on every interface, as a container
# must; the URLs come from DATABASE_URL, REDIS_URL and SARABAN_RELAY_URL. To use settings
# of your own, mount a file and point SARABAN_CONFIG at it.
# It sits beside the example so that relative file names in it (letters.agencyDirectory) resolve.
RUN sed 's/^\([[:space:]]*host:[[:space:]]*\)127\.0\.0\.1/\10.0.0.0/' dist/config/saraban.example.yaml > dist/config/saraban.docker.yaml \
 && test "$(grep -c '^[[:space:]]*host:[[:space:]]*0\.0\.0\.0' dist/config/saraban.docker.yaml)" -eq 2
ENV SARABAN_CONFIG=/app/dist/config/saraban.docker.yaml

USER node
EXPOSE 2525 8080
# 200 only when PostgreSQL and Redis answer (see README, "Health and metrics").
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SARABAN_DESK_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node gets SIGTERM itself, stops taking mail (421) and finishes work in hand.
CMD ["node", "dist/bin/saraban.js", "all"]
