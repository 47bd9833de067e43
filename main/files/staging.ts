import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, realpath, rm, stat, type FileHandle } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import type { StagedFile } from "../../preload/contract";
import {
  lastComponent,
  shortenKeepingExtension,
  withoutUnsafeCharacters,
} from "../shared/file-names";
import { WrenError } from "../shared/errors";

/** A file main holds for the person until it is sent: on disk where they keep it, or a copy. */
export interface StagedEntry extends StagedFile {
  path: string;
  /** A copy in the staging folder (streamed from the page): deleted once no longer needed. */
  temporary: boolean;
}

export interface FileStagingOptions {
  /** Where streamed files are written; emptied at start (leftovers of a crash). */
  dir: string;
  /** Folders whose files are never sent (Wren's own data: the database, the passwords file). */
  protectedDirs: readonly string[];
  /** How long a staged file waits to be sent before it is forgotten. */
  ttlMs?: number;
  /** Streams and staged files held at once. */
  maxEntries?: number;
}

interface Stream {
  entry: StagedEntry;
  timer: NodeJS.Timeout;
  handle: FileHandle;
  written: number;
  /** Appends run one after the other, whatever order their IPC calls end in. */
  queue: Promise<void>;
  finished: boolean;
}

const DEFAULT_TTL_MS = 30 * 60_000;
const DEFAULT_MAX_ENTRIES = 200;

/**
 * Files the person chose to send, by token: the page names a file by its token, never by a path.
 * A file comes either by its path (Electron's preload resolves a dropped file) or as bytes the
 * page streams (the preview, a pasted image), written to a copy in `dir`.
 */
export class FileStaging {
  readonly #options: FileStagingOptions;
  readonly #ready: Map<string, { entry: StagedEntry; timer: NodeJS.Timeout }> = new Map();
  readonly #streams: Map<string, Stream> = new Map();
  #cleaned: Promise<void> | null = null;
  /** Copies begun whose file is still being opened. */
  #opening = 0;

  constructor(options: FileStagingOptions) {
    this.#options = options;
  }

  /** Deletes copies a crashed run left behind; the first copy made waits for it. */
  start(): Promise<void> {
    return (this.#cleaned ??= this.#clean());
  }

  async #clean(): Promise<void> {
    await mkdir(this.#options.dir, { recursive: true });
    const names = await readdir(this.#options.dir);
    await Promise.all(
      names
        .filter((name) => name.startsWith(".wren-stage-"))
        .map((name) => rm(join(this.#options.dir, name), { force: true })),
    );
  }

  /** A file on disk, named by its path (only ever from preload, never from the page). */
  async fromDisk(path: string, name: string, mediaType: string): Promise<StagedFile> {
    if (!isAbsolute(path)) throw new WrenError("invalid-argument", "That is not a file on disk.");
    // Links resolved first: a link elsewhere to Wren's database is Wren's database.
    const real = await realpath(path).catch(() => path);
    const protectedDirs = await Promise.all(
      this.#options.protectedDirs.map((dir) => realpath(dir).catch(() => dir)),
    );
    if (protectedDirs.some((dir) => isInside(real, dir))) {
      throw new WrenError("invalid-argument", "Wren does not send its own data files.");
    }
    const info = await stat(real).catch(() => null);
    if (!info?.isFile()) {
      throw new WrenError("invalid-argument", `“${shownName(name)}” is not a file Wren can send.`);
    }
    return this.#keep({
      token: "",
      path: real,
      name: shownName(name || lastComponent(path)),
      size: info.size,
      mediaType: mediaTypeOrNull(mediaType),
      temporary: false,
    });
  }

  /** Starts a copy the page fills with append(). */
  async begin(name: string, size: number, mediaType: string): Promise<string> {
    this.#checkRoom();
    // Held from the check on, so files begun together cannot all pass it.
    this.#opening++;
    let handle: FileHandle;
    const token = newToken();
    const path = join(this.#options.dir, `.wren-stage-${token}`);
    try {
      await this.start();
      handle = await open(path, "wx", 0o600);
    } finally {
      this.#opening--;
    }
    const entry: StagedEntry = {
      token,
      path,
      name: shownName(name),
      size,
      mediaType: mediaTypeOrNull(mediaType),
      temporary: true,
    };
    const timer = this.#expireLater(token);
    this.#streams.set(token, {
      entry,
      handle,
      written: 0,
      queue: Promise.resolve(),
      finished: false,
      timer,
    });
    return token;
  }

  /** The next bytes of a copy, at `offset` (which must follow what came before). */
  async append(token: string, offset: number, base64: string): Promise<void> {
    const stream = this.#stream(token);
    const bytes = Buffer.from(base64, "base64");
    const write = stream.queue.then(async () => {
      if (offset !== stream.written) {
        throw new WrenError("invalid-argument", "Part of the file went missing; try again.");
      }
      if (stream.written + bytes.length > stream.entry.size) {
        throw new WrenError("invalid-argument", "The file is larger than it said; try again.");
      }
      await stream.handle.write(bytes, 0, bytes.length, offset);
      stream.written += bytes.length;
    });
    // A failed write spoils the copy: later appends fail too, and finish() refuses it.
    stream.queue = write.catch((error: unknown) => {
      stream.finished = true;
      throw error;
    });
    stream.queue.catch(() => undefined);
    return write;
  }

  /** Every byte of a copy arrived: it may be sent. */
  async finish(token: string): Promise<StagedFile> {
    const stream = this.#stream(token);
    await stream.queue.catch(() => undefined);
    const complete = !stream.finished && stream.written === stream.entry.size;
    this.#streams.delete(token);
    clearTimeout(stream.timer);
    await stream.handle.close();
    if (!complete) {
      await rm(stream.entry.path, { force: true });
      throw new WrenError("invalid-argument", "The file did not arrive whole; try again.");
    }
    return this.#keep(stream.entry, token);
  }

  /** Forgets a staged file or an unfinished copy, deleting the copy. */
  async discard(token: string): Promise<void> {
    const stream = this.#streams.get(token);
    if (stream) {
      this.#streams.delete(token);
      clearTimeout(stream.timer);
      await stream.queue.catch(() => undefined);
      await stream.handle.close().catch(() => undefined);
      await rm(stream.entry.path, { force: true });
      return;
    }
    const ready = this.#ready.get(token);
    if (!ready) return;
    this.#ready.delete(token);
    clearTimeout(ready.timer);
    await release(ready.entry);
  }

  /** Hands a staged file over to whoever sends it; it is theirs to release() then. */
  take(token: string): StagedEntry {
    const ready = this.#ready.get(token);
    if (!ready) {
      throw new WrenError("invalid-argument", "Wren no longer has that file; add it again.");
    }
    this.#ready.delete(token);
    clearTimeout(ready.timer);
    return ready.entry;
  }

  /** Forgets every staged file and copy. */
  async dispose(): Promise<void> {
    const tokens = [...this.#streams.keys(), ...this.#ready.keys()];
    await Promise.all(tokens.map((token) => this.discard(token)));
  }

  #keep(entry: StagedEntry, token = newToken()): StagedFile {
    this.#checkRoom();
    const kept = { ...entry, token };
    this.#ready.set(token, { entry: kept, timer: this.#expireLater(token) });
    return { token, name: kept.name, size: kept.size, mediaType: kept.mediaType };
  }

  #stream(token: string): Stream {
    const stream = this.#streams.get(token);
    if (!stream) {
      throw new WrenError("invalid-argument", "Wren no longer has that file; add it again.");
    }
    return stream;
  }

  #checkRoom(): void {
    const held = this.#ready.size + this.#streams.size + this.#opening;
    if (held >= (this.#options.maxEntries ?? DEFAULT_MAX_ENTRIES)) {
      throw new WrenError("invalid-argument", "Too many files are waiting to be sent.");
    }
  }

  #expireLater(token: string): NodeJS.Timeout {
    const timer = setTimeout(() => void this.discard(token), this.#options.ttlMs ?? DEFAULT_TTL_MS);
    timer.unref();
    return timer;
  }
}

/** Deletes a staged file's copy; the person's own file stays, of course. */
export async function release(entry: StagedEntry): Promise<void> {
  if (entry.temporary) await rm(entry.path, { force: true });
}

function newToken(): string {
  return randomBytes(16).toString("hex");
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || !(rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** The last component only, for showing; the upload cleans it again for the server. */
function shownName(name: string): string {
  return (
    shortenKeepingExtension(withoutUnsafeCharacters(lastComponent(name)).trim(), 255) || "file"
  );
}

function mediaTypeOrNull(type: string): string | null {
  const clean = type.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/.test(clean) ? clean : null;
}
