/* global window, document, DataTransfer, DragEvent, MutationObserver */

// Runs inside the preview's page (test/e2e/files.test.ts installs it before the page loads):
// what a desktop does when a file is dropped, and a record of every progress bar shown. Plain
// JavaScript, read as text: whatever a TypeScript runner adds to functions would not exist in the
// page.

(() => {
  /** Every progress bar's accessible name seen since the page loaded, however briefly shown. */
  const progressBars = [];
  const noteProgressBars = () => {
    for (const bar of document.querySelectorAll('[role="progressbar"]')) {
      const label = bar.getAttribute("aria-label") || "";
      if (!progressBars.includes(label)) progressBars.push(label);
    }
  };
  const watch = () =>
    new MutationObserver(noteProgressBars).observe(document.body, {
      subtree: true,
      childList: true,
    });
  if (document.body) watch();
  else document.addEventListener("DOMContentLoaded", watch);

  window.wrenTest = {
    progressBars: () => [...progressBars],
    /** dragenter, dragover and drop on `element`, carrying real File objects in a DataTransfer. */
    drop(element, files) {
      const transfer = new DataTransfer();
      for (const file of files) {
        const binary = atob(file.data);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        transfer.items.add(new File([bytes], file.name, { type: file.type }));
      }
      for (const type of ["dragenter", "dragover", "drop"]) {
        element.dispatchEvent(
          new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }),
        );
      }
    },
  };
})();
