/**
 * The providers one person can use, found by model id. Each person gets their own set (their
 * keys); the server's set serves everyone without a key of their own.
 */
import type { ModelTable } from "../catalog/types.js";
import type { Provider, ProviderInfo } from "./types.js";

/** Model ids are the tools' vocabulary: two providers may not both claim one. */
export function checkUniqueModels(providers: readonly ProviderInfo[]): void {
  const owner = new Map<string, string>();
  for (const p of providers) {
    for (const m of p.models) {
      const other = owner.get(m.id);
      if (other) throw new Error(`model ${m.id} is offered by both ${other} and ${p.id}`);
      owner.set(m.id, p.id);
    }
  }
}

export class Providers {
  private readonly byModel = new Map<string, Provider>();

  constructor(readonly list: readonly Provider[]) {
    checkUniqueModels(list);
    for (const p of list) for (const m of p.models) this.byModel.set(m.id, p);
  }

  /** The provider serving a model the tools already validated. */
  forModel(model: ModelTable | string): Provider {
    const id = typeof model === "string" ? model : model.id;
    const provider = this.byModel.get(id);
    if (!provider) throw new Error(`no provider serves model ${id}`);
    return provider;
  }

  get(id: string): Provider | undefined {
    return this.list.find((p) => p.id === id);
  }

  /** The provider that ran a recorded task: the one the ledger names, else the model's. */
  forRecord(record: { provider: string; model: string }): Provider {
    return this.get(record.provider) ?? this.forModel(record.model);
  }

  /** The same set with some providers swapped for others of the same id (a person's own keys). */
  with(own: readonly Provider[]): Providers {
    if (own.length === 0) return this;
    return new Providers(this.list.map((p) => own.find((o) => o.id === p.id) ?? p));
  }

  async close(): Promise<void> {
    await Promise.all(this.list.map((p) => p.close().catch(() => {})));
  }
}
