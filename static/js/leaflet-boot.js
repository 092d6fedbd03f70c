// Boots every map rendered by django-leaflet's {% leaflet_map %} tag (our override of
// leaflet/_leaflet_map.html puts the options in data attributes instead of an inline
// script, which the Content-Security-Policy forbids). Maps fire "map:init" on window.
(function () {
  "use strict";
  function boot() {
    document.querySelectorAll("[data-leaflet-map]").forEach(function (el) {
      if (el.dataset.booted) return;
      el.dataset.booted = "1";
      L.Map.djangoMap(el.id, {
        djoptions: JSON.parse(el.dataset.djoptions),
        globals: false,
        callback: null,
      });
    });
  }

  // A layer that loads the data of the map's window, one request per settled view, shared
  // by the layers of the public map so that they ask alike. Fitting the map to the district
  // fires "moveend" while the page starts, and a filter change can come with a move; both
  // land in the same task, so the window is asked for once, after them. The window asked
  // for is a little larger than the view, so the few pixels the map shifts when the page
  // settles (or a small pan at the same zoom) stay inside what was loaded and ask for
  // nothing; a new zoom or a new key (the layer's filters) asks for its own window, so a
  // count shown is the view's. A request overtaken by a newer one is aborted and forgotten;
  // a failed window may be asked for again.
  //
  // options.key() says what the layer shows besides the window (filters, on or off);
  // options.load(bounds, signal) asks for the window and returns a promise; options.failed
  // (optional) hears a failure; options.maxSpan (optional, degrees) is the widest window
  // the server answers, which the padding never goes beyond. Returns the function that
  // asks again, for the layer to call when its key may have changed.
  var PADDING = 0.05;

  function padded(view, maxSpan) {
    if (!maxSpan) return view.pad(PADDING);
    var south = view.getSouth(), west = view.getWest();
    var north = view.getNorth(), east = view.getEast();
    function margin(size) {
      return Math.max(0, Math.min(size * PADDING, (maxSpan - size) / 2));
    }
    var dLat = margin(north - south), dLng = margin(east - west);
    return L.latLngBounds([south - dLat, west - dLng], [north + dLat, east + dLng]);
  }

  function followWindow(map, options) {
    var scheduled = false;
    var loaded = null; // { key, zoom, bounds } of the last window asked for
    var pending = null;

    function settle() {
      scheduled = false;
      var key = options.key();
      var zoom = map.getZoom();
      var view = map.getBounds();
      if (loaded && loaded.key === key && loaded.zoom === zoom && loaded.bounds.contains(view)) {
        return;
      }
      var bounds = padded(view, options.maxSpan);
      var asked = { key: key, zoom: zoom, bounds: bounds };
      loaded = asked;
      if (pending) pending.abort();
      pending = new AbortController();
      Promise.resolve(options.load(bounds, pending.signal)).catch(function (err) {
        if (err && err.name === "AbortError") return;
        if (loaded === asked) loaded = null;
        if (options.failed) options.failed(err);
      });
    }

    function schedule() {
      if (scheduled) return;
      scheduled = true;
      setTimeout(settle, 0);
    }

    map.on("moveend", schedule);
    schedule();
    return schedule;
  }

  window.MapWindow = { follow: followWindow };

  // DOMContentLoaded fires after every deferred script has run, so page scripts that
  // listen for "map:init" are registered before the first map exists.
  if (document.readyState === "complete") {
    boot();
  } else {
    document.addEventListener("DOMContentLoaded", boot);
  }
})();
