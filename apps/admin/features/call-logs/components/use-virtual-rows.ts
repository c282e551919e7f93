// A small fixed-height row virtualizer: only the rows in (and just around) the viewport are rendered, so a
// table of any length costs the same few dozen DOM rows.
import { useCallback, useEffect, useState, type RefObject } from 'react';

export interface VirtualRows {
  /** First and last (exclusive) row index to render. */
  start: number;
  end: number;
  /** Height of the whole list, for the spacer that gives the scrollbar its size. */
  totalHeight: number;
  /** Scrolls just enough to show row `index`. */
  scrollToIndex(index: number): void;
}

export function useVirtualRows(
  scrollRef: RefObject<HTMLElement | null>,
  options: { count: number; rowHeight: number; overscan?: number; /** Pixels above the first row (a sticky header). */ offset?: number },
): VirtualRows {
  const { count, rowHeight, overscan = 8, offset = 0 } = options;
  const [viewport, setViewport] = useState({ top: 0, height: 0 });

  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      setViewport((previous) =>
        previous.top === element.scrollTop && previous.height === element.clientHeight
          ? previous
          : { top: element.scrollTop, height: element.clientHeight },
      );
    };
    // At most one measurement per frame, however fast the wheel turns.
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    element.addEventListener('scroll', schedule, { passive: true });
    const observer = new ResizeObserver(schedule);
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', schedule);
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [scrollRef]);

  const top = Math.max(0, viewport.top - offset);
  const start = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((top + viewport.height) / rowHeight) + overscan);

  const scrollToIndex = useCallback(
    (index: number) => {
      const element = scrollRef.current;
      if (!element) return;
      const rowTop = offset + index * rowHeight;
      const rowBottom = rowTop + rowHeight;
      if (rowTop - offset < element.scrollTop) element.scrollTop = rowTop - offset;
      else if (rowBottom > element.scrollTop + element.clientHeight) element.scrollTop = rowBottom - element.clientHeight;
    },
    [scrollRef, rowHeight, offset],
  );

  return { start, end, totalHeight: count * rowHeight, scrollToIndex };
}
