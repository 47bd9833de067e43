import type { Database } from "better-sqlite3";
import type { SyncState } from "../message-store";

// Where each account's archive catch-up got to (0002-conversations.ts, sync_state).

export interface SyncStateRepository {
  get(accountId: string): SyncState | null;
  save(accountId: string, state: SyncState): void;
  delete(accountId: string): void;
}

export function createSyncStateRepository(db: Database): SyncStateRepository {
  const get = db.prepare<[{ accountId: string }], SyncState>(
    "SELECT archive_id AS archiveId, archive_at AS archiveAt FROM sync_state WHERE account_id = @accountId",
  );
  const save = db.prepare<[SyncState & { accountId: string }]>(`
    INSERT INTO sync_state (account_id, archive_id, archive_at)
    VALUES (@accountId, @archiveId, @archiveAt)
    ON CONFLICT (account_id) DO UPDATE
      SET archive_id = excluded.archive_id, archive_at = excluded.archive_at`);
  const remove = db.prepare<[{ accountId: string }]>(
    "DELETE FROM sync_state WHERE account_id = @accountId",
  );
  return {
    get: (accountId) => get.get({ accountId }) ?? null,
    save: (accountId, state) =>
      void save.run({ accountId, archiveId: state.archiveId, archiveAt: state.archiveAt }),
    delete: (accountId) => void remove.run({ accountId }),
  };
}
