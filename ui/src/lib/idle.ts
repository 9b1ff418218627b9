// Auto-lock: after a stretch with no key press, click or pointer movement, call `onIdle`.

export const DEFAULT_IDLE_MINUTES = 10;
const KEY = "harbour.autoLockMinutes";

export function idleMinutes(): number {
  const v = Number(localStorage.getItem(KEY));
  return Number.isFinite(v) && v >= 1 && v <= 240 ? v : DEFAULT_IDLE_MINUTES;
}

export function setIdleMinutes(m: number): void {
  localStorage.setItem(KEY, String(m));
}

/** Starts watching; returns a function that stops. */
export function watchIdle(onIdle: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reset = () => {
    clearTimeout(timer);
    timer = setTimeout(onIdle, idleMinutes() * 60_000);
  };
  const events = ["keydown", "mousedown", "pointermove", "wheel", "touchstart"];
  events.forEach((e) => window.addEventListener(e, reset, { passive: true }));
  reset();
  return () => {
    clearTimeout(timer);
    events.forEach((e) => window.removeEventListener(e, reset));
  };
}
