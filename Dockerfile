FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production PORT=4000
EXPOSE 4000
STOPSIGNAL SIGTERM
CMD ["npm", "start"]
