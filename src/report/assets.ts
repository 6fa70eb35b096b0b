/** The page's inline style and script: the report must open from disk with no server and no network. */

export const STYLE = `
:root { color-scheme: light dark; --bg: #f6f6f4; --fg: #1d1d1f; --muted: #6b6b70; --card: #fff; --line: #d9d9de;
  --scene-a: #d8dde6; --scene-b: #c3cad6; --accepted: #2f9e44; --rejected: #a5a5ad; --segment: #e8590c;
  --clip: #1971c2; --off-plan: #e03131; }
@media (prefers-color-scheme: dark) { :root { --bg: #18181b; --fg: #ececf1; --muted: #9d9da6; --card: #232327; --line: #3a3a40;
  --scene-a: #34394a; --scene-b: #2a2e3c; --rejected: #5c5c66; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; padding: 1rem 1.5rem 3rem; background: var(--bg); color: var(--fg); font: 14px/1.4 system-ui, sans-serif; }
h1 { font-size: 1.4rem; margin: 0 0 .75rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: .95rem; margin: 0 0 .3rem; word-break: break-all; }
small, .muted { color: var(--muted); font-weight: normal; }
.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .5rem; }
.totals div { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .4rem .6rem; }
.totals b { display: block; font-size: 1.05rem; }
.filters { position: sticky; top: 0; z-index: 2; background: var(--bg); padding: .6rem 0; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; border-bottom: 1px solid var(--line); }
.filters input { width: 5rem; }
.filters select { max-width: 28rem; }
.video { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; margin: .5rem 0; }
.timeline { display: grid; grid-template-columns: 5.5rem 1fr; row-gap: 3px; align-items: center; }
.lane-label { color: var(--muted); font-size: 12px; }
.row { position: relative; height: 14px; }
.row > * { position: absolute; top: 0; height: 100%; display: block; }
.scene:nth-child(odd) { background: var(--scene-a); }
.scene:nth-child(even) { background: var(--scene-b); }
.track { height: 5px !important; border-radius: 2px; }
.track.accepted { background: var(--accepted); }
.track.rejected { background: var(--rejected); }
.segment { background: var(--segment); border-radius: 2px; }
.clip { background: var(--clip); border-radius: 2px; }
.clip.off-plan { background: var(--off-plan); }
.segment:hover, .clip:hover { outline: 2px solid var(--fg); }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 11px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: .75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; overflow: hidden; display: flex; flex-direction: column; }
.card:target { outline: 3px solid var(--segment); }
.card.off-plan { border-color: var(--off-plan); }
.thumb { position: relative; display: block; background: #000; aspect-ratio: 16 / 9; }
.thumb video { width: 100%; height: 100%; object-fit: contain; display: block; }
/* Above the player's controls, and never in the way of a click on them. */
.duration, .badge { position: absolute; top: .3rem; padding: 0 .3rem; border-radius: 3px; font-size: 12px; color: #fff; pointer-events: none; }
.duration { right: .3rem; background: rgba(0,0,0,.7); }
.badge.off-plan { left: .3rem; background: var(--off-plan); font-weight: 600; }
.planned { color: var(--off-plan); }
.meta { padding: .4rem .6rem; display: grid; gap: .15rem; font-size: 12px; }
.source { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.scores, .how { color: var(--muted); }
code { font-size: 11px; }
table { border-collapse: collapse; }
td, th { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
.legend span { display: inline-block; width: 1.2rem; height: .6rem; margin: 0 .3rem 0 .8rem; border-radius: 2px; }
`;

/** Filters by video and by duration; a video filter also narrows the timelines and pauses the clips it hides. */
export const SCRIPT = `
(() => {
  const video = document.getElementById('filter-video');
  const min = document.getElementById('filter-min');
  const max = document.getElementById('filter-max');
  const shown = document.getElementById('shown');
  const cards = Array.from(document.querySelectorAll('.card'));
  const timelines = Array.from(document.querySelectorAll('.video'));
  function bound(input, fallback) {
    const value = parseFloat(input.value);
    return Number.isFinite(value) ? value : fallback;
  }
  function apply() {
    const which = video.value;
    const low = bound(min, 0);
    const high = bound(max, Infinity);
    let count = 0;
    for (const card of cards) {
      const duration = parseFloat(card.dataset.duration);
      const visible = (which === '' || card.dataset.video === which) && duration >= low && duration <= high;
      card.hidden = !visible;
      // A clip filtered out of sight must not keep playing.
      if (!visible) card.querySelector('video').pause();
      if (visible) count++;
    }
    for (const timeline of timelines) timeline.hidden = which !== '' && timeline.dataset.video !== which;
    shown.textContent = count + ' of ' + cards.length + ' clips shown';
  }
  for (const input of [video, min, max]) input.addEventListener('input', apply);
  apply();
})();
`;
