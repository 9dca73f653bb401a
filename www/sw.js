// Snaplab's service worker: after one visit the app works offline (a
// classroom's network is not to be trusted). It precaches what index.html
// references (Trunk names the wasm and its glue by hash, so the list is read
// from the page itself), then answers network-first, falling back to the
// cache. Everything is relative to this file, so the app works from a
// sub-path (trunk build --public-url /snaplab/).
const CACHE = 'snaplab-v1';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const index = new URL('./', self.location).href;
    const response = await fetch(index, { cache: 'no-cache' });
    const html = await response.clone().text();
    await cache.put(index, response);
    const urls = new Set();
    for (const m of html.matchAll(/(?:href|src)="([^"#]+)"/g)) {
      const url = new URL(m[1], index);
      if (url.origin === self.location.origin) urls.add(url.href);
    }
    await cache.addAll([...urls]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok) cache.put(request, response.clone());
      return response;
    } catch (offline) {
      // The page itself is stored under its directory URL ("./").
      const hit = (await cache.match(request, { ignoreSearch: true }))
        ?? (request.mode === 'navigate' ? await cache.match(new URL('./', self.location).href) : undefined);
      if (hit) return hit;
      throw offline;
    }
  })());
});
