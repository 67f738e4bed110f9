/** The tenant's connections, in creation order (the order both paging modes walk). */
import type { SandboxConnection } from './types.js';

/**
 * Connection ids are `con_` and 16 alphanumerics (e.g. `con_0QkFv7MeGQs3KCDS`): the pattern the
 * Management API's schema gives a `connection_id` ("String does not match pattern
 * ^con_[A-Za-z0-9]{16}$", https://auth0.com/docs/api/management/v2/jobs/post-users-imports).
 * The sandbox refuses any other id with 400 `invalid_uri` before it looks at the tenant.
 */
export const CONNECTION_ID = /^con_[A-Za-z0-9]{16}$/;

export class ConnectionStore {
  readonly #initial: SandboxConnection[];
  #items: SandboxConnection[] = [];

  constructor(initial: readonly SandboxConnection[]) {
    const ids = new Set<string>();
    const names = new Set<string>();
    for (const connection of initial) {
      if (!CONNECTION_ID.test(connection.id)) throw new RangeError(`connection id must match ${CONNECTION_ID}: ${connection.id}`);
      if (ids.has(connection.id)) throw new RangeError(`duplicate connection id: ${connection.id}`);
      // Auth0 names are unique within a tenant (409 on a clash).
      if (names.has(connection.name)) throw new RangeError(`duplicate connection name: ${connection.name}`);
      ids.add(connection.id);
      names.add(connection.name);
    }
    this.#initial = structuredClone([...initial]);
    this.reset();
  }

  reset(): void {
    this.#items = structuredClone(this.#initial);
  }

  /** The live connections; callers copy before handing anything out. */
  all(): readonly SandboxConnection[] {
    return this.#items;
  }

  get(id: string): SandboxConnection | undefined {
    return this.#items.find((connection) => connection.id === id);
  }

  find(idOrName: string): SandboxConnection | undefined {
    return this.get(idOrName) ?? this.#items.find((connection) => connection.name === idOrName);
  }

  replace(next: SandboxConnection): void {
    const index = this.#items.findIndex((connection) => connection.id === next.id);
    if (index === -1) throw new Error(`no connection ${next.id}`);
    this.#items[index] = next;
  }
}
