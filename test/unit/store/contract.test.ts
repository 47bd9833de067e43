import { historyContract } from "../core/chat/history-contract";
import { useStoreDir } from "./helpers";

// The database keeps the same promises as the histories in memory (test/unit/core/chat).
const store = useStoreDir();

historyContract("the message store", () => store.open());
