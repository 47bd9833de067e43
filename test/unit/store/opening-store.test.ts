import { join } from "node:path";
import { afterEach } from "vitest";
import { openingStore, type OpeningStore } from "../../../main/store/opening-store";
import { historyContract } from "../core/chat/history-contract";
import { useStoreDir } from "./helpers";

// The history the app hands the chat feature while the database is still opening: every method
// reaches the database once it is open.
const store = useStoreDir();
const opened: OpeningStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((opening) => opening.close()));
});

historyContract("the opening store", async () => {
  const opening = openingStore({ path: join(store.dir(), "opening.db") });
  opened.push(opening);
  return opening.history;
});
