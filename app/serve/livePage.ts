/**
 * The page `serve` answers at `/`: a live board of price changes over its own `/prices/live`
 * feed, newest first, optionally for a few SKUs. No build step, no dependency: what a storefront's
 * page does with the feed, in a few lines.
 */
export const livePageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>pricestream: live prices</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; min-width: 44rem; }
  th, td { padding: .25rem .75rem; text-align: left; border-bottom: 1px solid #eee; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .up { color: #b00020; } .down { color: #00701a; }
  #state { color: #777; margin-left: 1rem; }
</style>
</head>
<body>
<h1>Live prices</h1>
<form id="follow">
  <label>SKUs (comma-separated, empty for every change) <input id="skus" size="40"></label>
  <button>Follow</button><span id="state">connecting…</span>
</form>
<table>
  <thead><tr><th>SKU</th><th class="num">price</th><th class="num">was</th><th>reason</th><th>as of</th></tr></thead>
  <tbody id="rows"></tbody>
</table>
<script>
const rows = document.getElementById('rows');
const state = document.getElementById('state');
const money = (cents) => (cents / 100).toFixed(2);
let source;
function follow(skus) {
  source?.close();
  rows.textContent = '';
  source = new EventSource('prices/live' + (skus ? '?sku=' + encodeURIComponent(skus) : ''));
  source.onopen = () => { state.textContent = 'live'; };
  source.onerror = () => { state.textContent = 'reconnecting…'; };
  source.addEventListener('price', (message) => {
    const price = JSON.parse(message.data);
    document.getElementById('sku-' + price.sku)?.remove();
    const row = rows.insertRow(0);
    row.id = 'sku-' + price.sku;
    const was = price.previousPrice;
    row.className = was === undefined ? '' : price.price > was ? 'up' : 'down';
    for (const [text, numeric] of [
      [price.sku], [money(price.price), true], [was === undefined ? '' : money(was), true],
      [price.reason + (price.limitedBy ? ', ' + price.limitedBy : '')], [new Date(price.asOf).toISOString()],
    ]) {
      const cell = row.insertCell();
      cell.textContent = text;
      if (numeric) cell.className = 'num';
    }
    while (rows.rows.length > 50) rows.deleteRow(-1);
  });
}
document.getElementById('follow').addEventListener('submit', (event) => {
  event.preventDefault();
  follow(document.getElementById('skus').value.trim());
});
follow('');
</script>
</body>
</html>
`;
