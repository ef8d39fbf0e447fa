/** What the chaos bench and its Redis keeper (redis-keeper.ts) say over IPC. */
export interface RedisKeeperRequest {
  type: 'redis-kill' | 'redis-start';
  id: number;
}

export interface RedisKeeperReply {
  type: 'redis';
  id: number;
  ok: boolean;
  error?: string;
}
