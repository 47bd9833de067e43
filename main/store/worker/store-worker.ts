// The message database's thread: main's event loop never waits on a query (open-store.ts starts
// it; electron-vite builds it as its own entry, out/main/store-worker.js).
import { parentPort, workerData } from "node:worker_threads";
import {
  OPEN_REQUEST_ID,
  toPlainError,
  type OpenResult,
  type StoreRequests,
  type StoreWorkerData,
  type StoreWorkerMessage,
} from "../protocol";
import { openDatabase } from "./database";
import { createHistory } from "./history";
import { createStoreService } from "./store-service";

const port = parentPort;
if (!port) throw new Error("store-worker runs as a worker thread (see open-store.ts)");
const post = (message: StoreWorkerMessage) => port.postMessage(message);

try {
  const { path } = workerData as StoreWorkerData;
  const { db, migration } = openDatabase(path);
  const service = createStoreService({
    db,
    history: createHistory(db),
    post,
    // Nothing left to wait for: the thread ends.
    onClosed: () => port.close(),
  });
  const opened: OpenResult = { schemaVersion: migration.to, migratedFrom: migration.from };
  post([{ id: OPEN_REQUEST_ID, ok: true, value: opened }]);
  port.on("message", (requests: StoreRequests) => service.handle(requests));
} catch (error) {
  post([{ id: OPEN_REQUEST_ID, ok: false, error: toPlainError(error) }]);
  port.close();
}
