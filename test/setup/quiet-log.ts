import { configureLogging } from "../../main/shared/log";

// The core logs every connection's life; in the test output that drowns what failed. Tests that
// assert on logging set their own sink. WREN_TEST_LOG=1 shows it all when debugging.
if (!process.env.WREN_TEST_LOG) configureLogging({ sinks: [] });
