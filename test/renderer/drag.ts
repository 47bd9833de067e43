/** A DataTransfer as a drag of files from the desktop carries it (jsdom has none of its own). */
export function filesTransfer(files: File[]) {
  return { types: ["Files"], files, dropEffect: "none", effectAllowed: "all", items: [] };
}

/** Dispatches a real drag of `files` onto `target`: dragenter, dragover, then drop. */
export function dropFiles(target: Element, files: File[]): { dragover: Event; drop: Event } {
  const dataTransfer = filesTransfer(files);
  const fire = (type: string) => {
    const event = new Event(type, { bubbles: true, cancelable: true });
    Object.defineProperty(event, "dataTransfer", { value: dataTransfer });
    target.dispatchEvent(event);
    return event;
  };
  fire("dragenter");
  const dragover = fire("dragover");
  const drop = fire("drop");
  return { dragover, drop };
}

/** Dispatches a drag event of `type` carrying `types` (e.g. text, not files). */
export function dragEvent(target: EventTarget, type: string, types: string[], files: File[] = []) {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, "dataTransfer", {
    value: { types, files, dropEffect: "none" },
  });
  target.dispatchEvent(event);
  return event;
}

/** A file of `size` bytes whose every byte is its offset modulo 251 (a prime: chunks differ). */
export function patternFile(size: number, name = "data.bin", type = "application/octet-stream") {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return new File([bytes], name, { type });
}
