# Builds the single self-contained binary (PGlite, migrations and the terminal page embedded) and runs it.
FROM oven/bun:1.4.5 AS build
WORKDIR /app
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun x tsc --noEmit -p . && bun build --compile --minify src/main.ts --outfile /out/market-watch

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data market && mkdir -p /data && chown market /data
COPY --from=build /out/market-watch /usr/local/bin/market-watch
USER market
WORKDIR /data
# Production refuses to start without JWT_SECRET (>= 32 characters): pass it at run time, never bake it in.
ENV NODE_ENV=production DATA_DIR=/data PORT=3000 HOST=0.0.0.0
VOLUME ["/data"]
EXPOSE 3000
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/market-watch"]
