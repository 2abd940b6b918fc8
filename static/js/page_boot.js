// A page's start without a jump: until its script has built what it shows (controls, readouts,
// panels filled from the first frame), those parts stay invisible but keep their room
// (body.booting, boot.css); revealWhen() shows them once `ready` settles, or after
// `timeoutMs` whatever happens (onTimeout then says why). Without a script, CSS shows them after
// 8 s. Layout shifts of invisible parts are not seen, so the page appears once, in place.

export const BOOT_REVEAL_MS = 5000;

export function revealWhen(ready, { timeoutMs = BOOT_REVEAL_MS, onTimeout = null, body = document.body } = {}) {
  let shown = false;
  const reveal = () => {
    if (shown) return;
    shown = true;
    clearTimeout(timer);
    body.classList.remove("booting");
  };
  const timer = setTimeout(() => {
    if (shown) return;
    onTimeout?.();
    reveal();
  }, timeoutMs);
  Promise.resolve(ready).then(reveal, reveal);
  return reveal;
}

// a promise that settles after the next frame is laid out: `ready` for a part drawn in a rAF
export function afterNextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

// a promise that settles once the fonts `el` needs are in (KaTeX's arrive after its typesetting
// and would move the text), or after `maxMs` whatever happens
export function fontsLoaded(el, maxMs = 2000) {
  void el.offsetHeight;   // laid out: the fonts it needs start loading
  return Promise.race([document.fonts?.ready ?? Promise.resolve(),
                       new Promise((resolve) => setTimeout(resolve, maxMs))]);
}
