// jsdom has no layout, so no ResizeObserver: Svelte's bind:clientHeight needs one to subscribe.
// Elements then measure 0 and components use their fallback sizes — except a timeline (role
// "log") and its rows: its virtual list is told it has a tall viewport and rows of a fixed
// height, so that it renders and shows its rows as it would on a screen.
const TIMELINE_HEIGHT = 4_000;
const ROW_HEIGHT = 60;

class NoLayoutResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}

  observe(target: Element): void {
    const height =
      target.getAttribute("role") === "log"
        ? TIMELINE_HEIGHT
        : target.tagName === "LI" && target.closest('[role="log"]')
          ? ROW_HEIGHT
          : null;
    if (height === null) return;
    const entry = { target, contentRect: { width: 800, height } } as ResizeObserverEntry;
    queueMicrotask(() => this.callback([entry], this as unknown as ResizeObserver));
  }

  unobserve(): void {}
  disconnect(): void {}
}

globalThis.ResizeObserver ??= NoLayoutResizeObserver as unknown as typeof ResizeObserver;

// A virtual list measures only rows that are laid out (offsetParent set), which jsdom never does.
Object.defineProperty(HTMLElement.prototype, "offsetParent", {
  configurable: true,
  get(this: HTMLElement) {
    return this.isConnected ? this.parentElement : null;
  },
});

// Nor does jsdom scroll: scrollTo only records the position, which is all the timeline reads.
Element.prototype.scrollTo ??= function (this: Element, options?: ScrollToOptions | number) {
  if (typeof options === "object" && options.top !== undefined) this.scrollTop = options.top;
} as Element["scrollTo"];
