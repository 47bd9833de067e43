import type { Attachment } from "svelte/attachments";

/** Set on an element while files are dragged over it (styled in app.css). */
export const DROP_ACTIVE_CLASS = "file-drop-active";

/** Whether a drag carries files (not text or a link dragged from the page). */
export function carriesFiles(event: DragEvent): boolean {
  const types = event.dataTransfer?.types;
  return types !== undefined && Array.from(types).includes("Files");
}

/**
 * Makes an element a drop target for files: it accepts a drag only when it carries files, shows
 * that it would take them (DROP_ACTIVE_CLASS, and `onactive` for more), and hands the dropped
 * files to `onfiles`. Anything else dragged over it is left alone.
 */
export function fileDropTarget(
  onfiles: (files: File[]) => void,
  onactive?: (active: boolean) => void,
): Attachment<HTMLElement> {
  return (node) => {
    // dragenter and dragleave fire for every child crossed: counted, so the highlight stays on.
    let depth = 0;

    function show(active: boolean): void {
      node.classList.toggle(DROP_ACTIVE_CLASS, active);
      onactive?.(active);
    }

    function dragenter(event: DragEvent): void {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth++;
      if (depth === 1) show(true);
    }

    function dragover(event: DragEvent): void {
      if (!carriesFiles(event)) return;
      // Cancelling dragover is what allows the drop.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    }

    function dragleave(event: DragEvent): void {
      if (!carriesFiles(event) || depth === 0) return;
      depth--;
      if (depth === 0) show(false);
    }

    function drop(event: DragEvent): void {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.stopPropagation();
      depth = 0;
      show(false);
      const files = Array.from(event.dataTransfer?.files ?? []);
      if (files.length > 0) onfiles(files);
    }

    node.addEventListener("dragenter", dragenter);
    node.addEventListener("dragover", dragover);
    node.addEventListener("dragleave", dragleave);
    node.addEventListener("drop", drop);
    return () => {
      node.removeEventListener("dragenter", dragenter);
      node.removeEventListener("dragover", dragover);
      node.removeEventListener("dragleave", dragleave);
      node.removeEventListener("drop", drop);
      node.classList.remove(DROP_ACTIVE_CLASS);
    };
  };
}

/**
 * For the window: a file dropped outside every drop target must not make the page navigate to
 * it (the browser's default). The drag is refused there, so the pointer shows it would not land.
 */
export function refuseStrayDrag(event: DragEvent): void {
  if (event.defaultPrevented || !carriesFiles(event)) return;
  event.preventDefault();
  if (event.dataTransfer) event.dataTransfer.dropEffect = "none";
}

export function refuseStrayDrop(event: DragEvent): void {
  if (event.defaultPrevented || !carriesFiles(event)) return;
  event.preventDefault();
}
