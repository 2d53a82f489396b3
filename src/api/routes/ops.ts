import type { FastifyInstance } from 'fastify';
import type { OpsSource } from '../../ports/ops-source.ts';

export function opsRoutes(app: FastifyInstance, source: OpsSource): void {
  app.get('/v1/ops', { config: { access: 'public' }, schema: { summary: 'Engine throughput and freshness (demo ops panel)', tags: ['ops'] } }, () => source.figures());
}
