/** The inspector's stylesheet. */
export const APP_CSS = `
:root { --fg: #1f2933; --muted: #52606d; --line: #d9e2ec; --bg: #f8fafc; --accent: #2563eb; --ok: #0f7b3f; --warn: #b45309; font-family: system-ui, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px; }
header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
h1 { font-size: 1.3rem; margin: 0; } .sub { color: var(--muted); font-weight: 400; }
.key { display: flex; gap: .4rem; align-items: center; } .key input { width: 18rem; }
nav { display: flex; gap: .2rem; padding: 0 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
[role=tab] { border: 0; background: none; padding: .7rem 1rem; font: inherit; cursor: pointer; border-bottom: 3px solid transparent; }
[role=tab][aria-selected=true] { border-bottom-color: var(--accent); font-weight: 600; }
main { padding: 1rem 1.2rem; max-width: 72rem; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
input, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
button { cursor: pointer; } button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button.link { border: 0; background: none; color: var(--accent); text-decoration: underline; padding: 0; font-family: monospace; }
.grid { display: grid; grid-template-columns: 12rem minmax(12rem, 32rem); gap: .5rem .8rem; align-items: center; }
.row { display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; margin: .5rem 0; }
.inline { display: inline-flex; gap: .3rem; align-items: center; } .opt { color: var(--muted); font-weight: 400; font-size: .9em; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; margin: 1rem 0; }
.card h2 { margin-top: 0; }
.facts { display: grid; grid-template-columns: 8rem 1fr; gap: .2rem .8rem; margin: 0 0 .6rem; } .facts dt { color: var(--muted); } .facts dd { margin: 0; }
.tier { padding: .05rem .5rem; border-radius: 999px; background: #e0e7ff; } .tier-rules { background: #dcfce7; } .tier-cache { background: #f1f5f9; }
.tier-encoder { background: #e0f2fe; } .tier-llm { background: #fae8ff; } .tier-review { background: #fef3c7; } .tier-human { background: #fee2e2; }
.status-ok { color: var(--ok); } .status-needs_review { color: var(--warn); font-weight: 600; }
.reason { color: var(--muted); }
.bars { display: grid; gap: .3rem; } .bar { display: grid; grid-template-columns: 16rem 1fr 4rem; gap: .6rem; align-items: center; }
.bar-track { background: #eef2f7; height: .9rem; border-radius: 4px; overflow: hidden; } .bar-fill { display: block; height: 100%; background: var(--accent); }
.bar-value { text-align: right; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; background: #fff; margin: .5rem 0; } th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; font-size: .92rem; }
.error { color: #b91c1c; }
.drop { border: 2px dashed var(--line); border-radius: 8px; padding: 1.5rem; background: #fff; } .drop.over { border-color: var(--accent); background: #eff6ff; }
.classes { columns: 3; font-size: .9rem; color: var(--muted); }
#review-list { border: 1px solid var(--line); border-radius: 6px; background: #fff; max-height: 28rem; overflow: auto; }
.review-item { padding: .45rem .7rem; border-bottom: 1px solid var(--line); cursor: pointer; } .review-item.current { background: #eff6ff; box-shadow: inset 4px 0 var(--accent); }
.review-item.marked { background: #f0fdf4; } .guess { color: var(--muted); } .pick { color: var(--accent); font-weight: 600; }
.models { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
.model { min-width: 0; overflow-x: auto; }
.confusion { font-size: 0.8rem; }
.confusion th[scope=row] { font-weight: normal; text-align: left; max-width: 9rem; }
.confusion td { text-align: right; min-width: 1.6rem; padding: 0.15rem 0.3rem; font-variant-numeric: tabular-nums; }
.svg-bar { fill: var(--accent); } svg text { font-size: 12px; fill: var(--fg); } svg { width: 100%; max-width: 640px; }
pre { background: #0f172a; color: #e2e8f0; padding: .8rem; border-radius: 6px; overflow: auto; }
`;
