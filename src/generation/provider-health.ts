/**
 * A circuit breaker per provider, so a provider that is down does not cost every family
 * call a timeout before failing over. Failures that proved nothing was created open it after
 * FAILURES_TO_OPEN in a row; while open the provider is skipped; after OPEN_MS one call is let
 * through as a probe, whose success closes it and whose failure opens it again. Per process:
 * each replica learns for itself, which costs at most a few failed calls per replica.
 */
export const BREAKER = {
  /** Consecutive "created nothing" failures that open the breaker. */
  failuresToOpen: 3,
  /** How long an open breaker skips the provider before one probe call. */
  openMs: 30_000,
};

interface State {
  failures: number;
  openedAt: number | undefined;
  probing: boolean;
}

export type HealthWord = "up" | "down" | "probing";

export class ProviderHealth {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly settings = BREAKER,
    private readonly now = () => Date.now(),
  ) {}

  private state(id: string): State {
    let s = this.states.get(id);
    if (!s) {
      s = { failures: 0, openedAt: undefined, probing: false };
      this.states.set(id, s);
    }
    return s;
  }

  /** Whether a call may go to this provider now; claims the probe when one is due. */
  allows(id: string): boolean {
    const s = this.state(id);
    if (s.openedAt === undefined) return true;
    if (s.probing || this.now() - s.openedAt < this.settings.openMs) return false;
    s.probing = true;
    return true;
  }

  succeeded(id: string): void {
    this.states.set(id, { failures: 0, openedAt: undefined, probing: false });
  }

  /**
   * A call that ended without telling whether the provider is up (refused before sending, in
   * doubt): a probe it held is given back, and the next is due after another open period.
   */
  inconclusive(id: string): void {
    const s = this.state(id);
    if (!s.probing) return;
    s.probing = false;
    s.openedAt = this.now();
  }

  failed(id: string): void {
    const s = this.state(id);
    s.failures += 1;
    if (s.probing || s.failures >= this.settings.failuresToOpen) s.openedAt = this.now();
    s.probing = false;
  }

  /** How list_models describes it. */
  word(id: string): HealthWord {
    const s = this.state(id);
    if (s.openedAt === undefined) return "up";
    return s.probing || this.now() - s.openedAt >= this.settings.openMs ? "probing" : "down";
  }
}

/** One per process unless a test gives its own. */
export const processHealth = new ProviderHealth();

/** The breakers a call uses: its own when given, else the process's. */
export const healthOf = (deps: { health?: ProviderHealth | undefined }) =>
  deps.health ?? processHealth;
