# Cairn container image. Not built in CI (no Docker engine runs on the CI machines): the build stage
# runs exactly the commands CI runs (`npm ci`, `npm run build`), so what it compiles is what CI tests.
#
#   docker build -t cairn .
#   docker run -v cairn-data:/data -p 8090:8090 -e SYDENT_SERVER_NAME=id.example.org cairn

FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# Sydent's image runs as uid/gid 993 with its state in /data; so does Cairn's, so volumes move over.
RUN groupadd -r -g 993 cairn && useradd -r -u 993 -g cairn -d /data -s /usr/sbin/nologin cairn \
  && mkdir /data && chown cairn:cairn /data
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY res ./res
ENV SYDENT_CONF=/data/sydent.conf \
    SYDENT_PID_FILE=/data/sydent.pid \
    SYDENT_DB_PATH=/data/sydent.db \
    NODE_ENV=production
USER cairn
VOLUME /data
WORKDIR /data
EXPOSE 8090
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8090/_cairn/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["serve"]
