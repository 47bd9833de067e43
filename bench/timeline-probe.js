/* global window, document, requestAnimationFrame, getComputedStyle, NodeFilter */

// Runs inside the preview's page (bench/timeline.ts installs it before every load): watches the
// conversation's timeline with requestAnimationFrame, the Long Tasks API and DOM counts. It knows
// the page only by its accessible roles — the timeline is the element with role "log", a message
// is a list item in it — and a message by the mark at the start of its body ("L42": message 42
// of the conversation tagged L). Plain JavaScript, read as text: whatever a TypeScript runner adds
// to functions would not exist in the page.

(() => {
  const MARK = /\b([A-Z])(\d+)\b/;
  const ITEMS = 'li, [role="listitem"]';
  /** A message this far inside the timeline's visible box counts as shown. */
  const SHOWN_PX = 2;

  const timeline = () => document.querySelector('[role="log"]');

  const scrollers = new WeakMap();

  /**
   * The element that scrolls the timeline: the log itself, or one of the wrappers just inside it
   * (before the first item), or one around it. Remembered per log once one is found.
   */
  function scrollerOf(log) {
    const known = scrollers.get(log);
    if (known?.isConnected) return known;
    const scrolls = (element) =>
      /(auto|scroll)/.test(getComputedStyle(element).overflowY) &&
      element.scrollHeight > element.clientHeight + 1;
    let found = scrolls(log) ? log : null;
    const walker = document.createTreeWalker(log, NodeFilter.SHOW_ELEMENT);
    for (let element = walker.nextNode(); !found && element; element = walker.nextNode()) {
      if (element.matches(ITEMS)) break;
      if (scrolls(element)) found = element;
    }
    for (let element = log.parentElement; !found && element; element = element.parentElement) {
      if (scrolls(element)) found = element;
    }
    if (!found) return log; // nothing scrolls yet
    scrollers.set(log, found);
    return found;
  }

  /**
   * The oldest and newest messages tagged `tag` that are in view. Items are found by binary search
   * (the DOM keeps them in the order they are shown), so a list of 10,000 costs no more than a
   * windowed one to look at.
   */
  function inView(tag) {
    const log = timeline();
    if (!log) return null;
    const view = scrollerOf(log).getBoundingClientRect();
    const items = log.querySelectorAll(ITEMS);
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (items[middle].getBoundingClientRect().bottom <= view.top + SHOWN_PX) low = middle + 1;
      else high = middle;
    }
    let oldest = null;
    let newest = null;
    for (let i = low; i < items.length; i++) {
      const box = items[i].getBoundingClientRect();
      if (box.top >= view.bottom - SHOWN_PX) break;
      if (box.height === 0) continue;
      const mark = MARK.exec(items[i].textContent ?? "");
      if (!mark || mark[1] !== tag) continue;
      const seq = Number(mark[2]);
      oldest = oldest === null ? seq : Math.min(oldest, seq);
      newest = newest === null ? seq : Math.max(newest, seq);
    }
    return oldest === null ? null : { oldest, newest };
  }

  /** Every element in the timeline, itself included. */
  function timelineElements() {
    const log = timeline();
    return log ? log.querySelectorAll("*").length + 1 : 0;
  }

  /** Long tasks (over 50 ms) from now until stop() is called. */
  function watchTasks() {
    if (!PerformanceObserver.supportedEntryTypes.includes("longtask")) {
      throw new Error("this Chromium does not report long tasks");
    }
    const tasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        tasks.push({ start: entry.startTime, duration: entry.duration });
      }
    });
    observer.observe({ type: "longtask" });
    return {
      stop() {
        for (const entry of observer.takeRecords()) {
          tasks.push({ start: entry.startTime, duration: entry.duration });
        }
        observer.disconnect();
        return tasks;
      },
    };
  }

  function summarise(tasks, from, to) {
    const within = tasks.filter((task) => task.start + task.duration > from && task.start < to);
    return {
      longestTask: Math.max(0, ...within.map((task) => task.duration)),
      frozen: within.reduce((sum, task) => sum + task.duration, 0),
      longTasks: within.length,
    };
  }

  /** After the frame that showed something is painted: a task queued from its rAF runs then. */
  const afterPaint = () =>
    new Promise((resolve) => setTimeout(() => resolve(performance.now()), 0));
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Resolves once message `seq` of `tag` is in view (checked every frame), or null at the deadline. */
  async function untilShown(tag, seq, deadline) {
    for (;;) {
      await nextFrame();
      const view = inView(tag);
      if (view && view.oldest <= seq && seq <= view.newest) return afterPaint();
      if (performance.now() > deadline) return null;
    }
  }

  let opening = null;

  /**
   * Get ready for a click that opens the conversation tagged `tag`: the time runs from the
   * pointerdown of that click until the frame that shows its newest message (`newest`) is painted.
   */
  function armOpen(tag, newest, timeoutMs) {
    const tasks = watchTasks();
    let clicked;
    const click = new Promise((resolve) => {
      window.addEventListener("pointerdown", (event) => resolve(event.timeStamp), {
        capture: true,
        once: true,
      });
    });
    opening = (async () => {
      clicked = await click;
      const shown = await untilShown(tag, newest, clicked + timeoutMs);
      await sleep(500); // tasks that the opening left running, and the DOM once settled
      const found = tasks.stop();
      if (shown === null) return { error: `message ${tag}${newest} not shown in ${timeoutMs} ms` };
      return {
        ms: shown - clicked,
        ...summarise(found, clicked, shown),
        elements: timelineElements(),
      };
    })();
  }

  function opened() {
    return opening;
  }

  /**
   * Scrolls the timeline up by `stepPx` every frame, as a fast reader would, until message
   * `newest - count` is in view. At the top, older messages are waited for; a "load older"
   * button, if the timeline offers one, is pressed as the reader would press it.
   */
  async function scrollBack(tag, newest, count, stepPx, timeoutMs) {
    const target = newest - count;
    const tasks = watchTasks();
    const start = performance.now();
    let maxElements = timelineElements();
    let presses = 0;
    let lastPress = -Infinity;
    let previousFrame = start;
    let longestFrame = 0;
    let oldestSeen = newest;
    let distance = 0;
    let frame = 0;
    for (; ; frame++) {
      const now = await nextFrame();
      longestFrame = Math.max(longestFrame, now - previousFrame);
      previousFrame = now;
      if (frame % 10 === 0) maxElements = Math.max(maxElements, timelineElements());
      const view = inView(tag);
      if (view) oldestSeen = Math.min(oldestSeen, view.oldest);
      if (view && view.oldest <= target) break;
      if (performance.now() - start > timeoutMs) {
        const found = tasks.stop();
        return {
          error: `reached ${newest - oldestSeen} messages back in ${timeoutMs} ms`,
          ms: performance.now() - start,
          ...summarise(found, start, performance.now()),
          reached: newest - oldestSeen,
          longestFrame,
          frames: frame,
          distance,
          maxElements,
          presses,
        };
      }
      const log = timeline();
      if (!log) continue;
      const scroller = scrollerOf(log);
      if (scroller.scrollTop > 0) {
        const top = scroller.scrollTop;
        scroller.scrollTop = Math.max(0, top - stepPx);
        distance += Math.min(top, stepPx);
      } else if (performance.now() - lastPress > 100) {
        const button = [...log.querySelectorAll("button")].find(
          (candidate) => /older/i.test(candidate.textContent ?? "") && !candidate.disabled,
        );
        if (button) {
          button.click();
          presses++;
          lastPress = performance.now();
        }
      }
    }
    const end = await afterPaint();
    maxElements = Math.max(maxElements, timelineElements());
    const found = tasks.stop();
    return {
      ms: end - start,
      ...summarise(found, start, end),
      longestFrame,
      frames: frame,
      distance,
      maxElements,
      presses,
    };
  }

  /**
   * The baseline: the same messages in the page's own timeline all at once, as a list without
   * windowing would hold them. Copied from messages the page rendered (so they look and lay out
   * the same; no framework work, so this is the least such a list costs) into a copy of the
   * timeline's box that takes its place: same element and classes, none of its listeners or
   * inline styles (a virtual list positions its rows there), so Wren's own list does no work
   * meanwhile. The timeline must show the conversation tagged `templateTag`, with some of its
   * incoming (`inSeqs`) and outgoing (`outSeqs`) messages.
   */
  async function renderAll(templateTag, inSeqs, outSeqs, messages, timeoutMs) {
    const log = timeline();
    const scroller = scrollerOf(log);
    if (scroller !== log && log.contains(scroller)) {
      throw new Error("the baseline expects the timeline to scroll itself or inside its parent");
    }
    const items = [...log.querySelectorAll(ITEMS)];
    // The plainest message of each direction: no day separator or the like inside its row.
    const template = (seqs) => {
      const candidates = items.filter((candidate) => {
        const mark = MARK.exec(candidate.textContent ?? "");
        return mark && mark[1] === templateTag && seqs.includes(Number(mark[2]));
      });
      const size = (item) => item.querySelectorAll("*").length;
      const item = candidates.sort((a, b) => size(a) - size(b))[0];
      if (!item) throw new Error(`no message ${templateTag}${seqs[0]}… to copy`);
      const copy = item.cloneNode(true);
      copy.removeAttribute("style");
      return copy;
    };
    const templates = { in: template(inSeqs), out: template(outSeqs) };
    const bodyText = (item) => {
      const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (MARK.test(node.data)) return node;
      }
      throw new Error("a message without its mark");
    };
    // Where each copy's body goes: the path to it is the same in every copy of one template.
    const pathTo = (item) => {
      const path = [];
      for (let node = bodyText(item); node !== item; node = node.parentNode) {
        path.unshift([...node.parentNode.childNodes].indexOf(node));
      }
      return path;
    };
    const paths = { in: pathTo(templates.in), out: pathTo(templates.out) };
    const stage = log.cloneNode(false);
    const list = items[0].parentElement.cloneNode(false);
    list.removeAttribute("style");
    stage.append(list);
    const last = messages.at(-1);
    const tag = MARK.exec(last.body)[1];
    const newest = Number(MARK.exec(last.body)[2]);

    const tasks = watchTasks();
    // In a task of the page's own, as a click's handler would run: the Long Tasks API sees it.
    const start = await new Promise((resolve) =>
      setTimeout(() => {
        const begun = performance.now();
        const fragment = document.createDocumentFragment();
        for (const message of messages) {
          const copy = templates[message.direction].cloneNode(true);
          let node = copy;
          for (const index of paths[message.direction]) node = node.childNodes[index];
          node.data = message.body;
          fragment.append(copy);
        }
        list.append(fragment);
        log.replaceWith(stage);
        const stageScroller = scroller === log ? stage : scroller;
        stageScroller.scrollTop = stageScroller.scrollHeight; // pinned to the newest, as Wren's is
        resolve(begun);
      }, 0),
    );
    const shown = await untilShown(tag, newest, start + timeoutMs);
    await sleep(500);
    const found = tasks.stop();
    if (shown === null) return { error: `message ${tag}${newest} not shown in ${timeoutMs} ms` };
    return { ms: shown - start, ...summarise(found, start, shown), elements: timelineElements() };
  }

  window.wrenTimelineBench = { armOpen, opened, scrollBack, renderAll, timelineElements };
})();
