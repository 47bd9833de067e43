import { configureLogging } from "../../../main/shared/log";

// Shell modules log refusals; keep test output readable. Tests that assert on logging set their own sink.
configureLogging({ sinks: [] });
