import { Critic, CriticConfig } from '../core/critics/types';
import { createCritic, selectCritics } from '../core/critics/registry';

/** Keeps built critics alive between runs (a local model stays loaded) and rebuilds one only when its config changes. */
export class CriticPool {
  private readonly built = new Map<string, { key: string; critic: Promise<Critic> }>();

  async get(configs: readonly CriticConfig[], ids: readonly string[]): Promise<Critic[]> {
    return Promise.all(selectCritics(configs, ids).map((config) => this.one(config)));
  }

  private one(config: CriticConfig): Promise<Critic> {
    const key = JSON.stringify(config);
    const existing = this.built.get(config.id);
    if (existing?.key === key) return existing.critic;
    if (existing) void existing.critic.then((c) => c.dispose?.(), () => undefined);
    const critic = createCritic(config);
    this.built.set(config.id, { key, critic });
    // A failed build is not cached: fixing the setting and re-running must retry.
    critic.catch(() => this.built.get(config.id)?.critic === critic && this.built.delete(config.id));
    return critic;
  }

  dispose(): void {
    for (const { critic } of this.built.values()) void critic.then((c) => c.dispose?.(), () => undefined);
    this.built.clear();
  }
}
