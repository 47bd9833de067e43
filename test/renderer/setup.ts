// jsdom has no layout, so no ResizeObserver: Svelte's bind:clientHeight needs one to subscribe.
// Elements then measure 0 and components use their fallback sizes.
class NoLayoutResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

globalThis.ResizeObserver ??= NoLayoutResizeObserver as unknown as typeof ResizeObserver;
