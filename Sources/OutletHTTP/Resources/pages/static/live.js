// Live updates, the one script of the pages (they work without it): on a page showing the registry as it
// stands now, say so when something is recorded after what the page shows, with a link to reload it.
(function () {
  var main = document.getElementById('main');
  var shown = main ? Number(main.getAttribute('data-seq')) : NaN;
  if (isNaN(shown) || !window.EventSource) return;
  var source = new EventSource('/events/head');
  // Leaving the page closes its stream at once: a browser keeps few connections per site, and a page kept
  // for the back button would otherwise hold one.
  window.addEventListener('pagehide', function () { source.close(); });
  source.addEventListener('head', function (event) {
    var head = Number(event.data);
    if (!(head > shown)) return;
    var news = document.getElementById('live-news');
    if (!news) {
      news = document.createElement('p');
      news.id = 'live-news';
      news.className = 'flash';
      news.setAttribute('role', 'status');
      main.insertBefore(news, main.firstChild);
    }
    news.textContent = '本页显示后，登记簿又有新的记录（至 seq ' + head + '）。';
    var reload = document.createElement('a');
    reload.href = window.location.href;
    reload.textContent = '刷新查看';
    news.appendChild(reload);
  });
})();
